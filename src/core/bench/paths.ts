/**
 * The critical paths, in ns per operation: the per-tool-call decision (descriptor decode + CRC-32 + policy), the
 * bit-sampling key of a descriptor, the Hamming distance of two 64-bit signatures, and SimHash at d = 16, 64, 256
 * (dense Gaussian and sparse projections). Inputs come from seeded pools so that calls do not all see one value.
 */
import {encodeDescriptor, decideDescriptor, decideDescriptorCt, DESCRIPTOR_LENGTH} from '../descriptor/format.js'
import {BitSampler, hamming64} from '../lsh/bits.js'
import {SimHasher, SIGNATURE_BITS} from '../lsh/simhash.js'
import {Rng} from '../rng.js'
import {measureOps, type MeasureOptions, type OpStats} from './harness.js'

export const POOL = 1024

/** `count` valid descriptors with seeded commands, flags and sizes, back to back in one buffer. */
export function descriptorPool(rng: Rng, count = POOL): Uint8Array {
  const buf = new Uint8Array(count * DESCRIPTOR_LENGTH)
  for (let i = 0; i < count; i++) {
    const d = encodeDescriptor({
      command: `tool-${rng.u32().toString(36)}`,
      flags: (1 << rng.int(5)) | (rng.u32() & 0xfc0),
      execMs: rng.int(65536),
      memoryMb: rng.int(65536),
      outputKb: rng.int(65536),
    })
    buf.set(d, i * DESCRIPTOR_LENGTH)
  }
  return buf
}

export interface PathResult extends OpStats {
  /** Budget this path is held to, in ns (100 for the critical paths, 1,500 for SimHash d = 64). */
  budgetNs?: number
  withinBudget?: boolean
}

export interface PathsReport {
  seed: number
  paths: PathResult[]
  /** Dense SimHash d = 64: ns per multiply-add (64 x 64 of them per signature). */
  nsPerMultiplyAdd: number
}

export const CRITICAL_BUDGET_NS = 100
export const SIMHASH64_BUDGET_NS = 1500

export function measurePaths(seed: number, opts: MeasureOptions & {dims?: number[]; onProgress?: (s: string) => void} = {}): PathsReport {
  const rng = new Rng(seed)
  const m: MeasureOptions = {samples: opts.samples, sampleUs: opts.sampleUs, warmupMs: opts.warmupMs}
  const progress = opts.onProgress ?? (() => {})
  const out: PathResult[] = []
  const withBudget = (s: OpStats, budget: number): PathResult => ({...s, budgetNs: budget, withinBudget: s.nsMedian <= budget})

  const descs = descriptorPool(rng)
  progress('descriptor decode')
  out.push(withBudget(measureOps('descriptor decode + CRC-32 + policy', (n) => {
    let acc = 0
    for (let i = 0; i < n; i++) acc += decideDescriptor(descs, (i & (POOL - 1)) * DESCRIPTOR_LENGTH)
    return acc
  }, m), CRITICAL_BUDGET_NS))

  progress('descriptor decode, bitwise CRC')
  out.push(measureOps('descriptor decode, bitwise CRC-32 (no table)', (n) => {
    let acc = 0
    for (let i = 0; i < n; i++) acc += decideDescriptorCt(descs, (i & (POOL - 1)) * DESCRIPTOR_LENGTH)
    return acc
  }, m))

  const sampler = BitSampler.forBytes(BitSampler.samplePositions(rng, DESCRIPTOR_LENGTH * 8, 16))
  progress('bit-sampling key')
  out.push(withBudget(measureOps('bit-sampling key (16 of 192 bits)', (n) => {
    let acc = 0
    for (let i = 0; i < n; i++) acc ^= sampler.keyBytes(descs, (i & (POOL - 1)) * DESCRIPTOR_LENGTH)
    return acc
  }, m), CRITICAL_BUDGET_NS))

  const sigs = new Uint32Array(2 * POOL)
  for (let i = 0; i < sigs.length; i++) sigs[i] = rng.u32()
  progress('Hamming distance')
  out.push(withBudget(measureOps('Hamming distance (64-bit)', (n) => {
    let acc = 0
    for (let i = 0; i < n; i++) acc += hamming64(sigs, i & (POOL - 1), sigs, (i * 7 + 1) & (POOL - 1))
    return acc
  }, m), CRITICAL_BUDGET_NS))

  let nsPerMultiplyAdd = NaN
  for (const dim of opts.dims ?? [16, 64, 256]) {
    for (const projection of ['gaussian', 'sparse'] as const) {
      const h = new SimHasher({dim, seed: rng.u32(), projection})
      const VP = 64
      const vecs = new Float64Array(VP * dim)
      for (let i = 0; i < vecs.length; i++) vecs[i] = rng.normal()
      const o = new Uint32Array(2)
      progress(`SimHash d=${dim} ${projection}`)
      const s = measureOps(`SimHash d=${dim} ${projection}${projection === 'sparse' ? ` (${h.nnz} nnz/plane)` : ''} -> 64 bits`, (n) => {
        let acc = 0
        for (let i = 0; i < n; i++) {
          h.hashInto(vecs, (i & (VP - 1)) * dim, o, 0)
          acc ^= o[0]!
        }
        return acc
      }, m)
      if (dim === 64) {
        out.push(withBudget(s, SIMHASH64_BUDGET_NS))
        if (projection === 'gaussian') nsPerMultiplyAdd = s.nsMedian / (SIGNATURE_BITS * dim)
      } else out.push(s)
    }
  }
  return {seed, paths: out, nsPerMultiplyAdd}
}
