/**
 * A dudect-style timing-leak detector (Reparaz, Balasch and Verbauwhede, "Dude, is my code constant time?", 2017),
 * adapted to a JIT: each target gets two input classes (usually one fixed input against random ones), drawn from ONE
 * buffer whose slots are assigned a class at random (so allocation and memory placement cannot tell the classes
 * apart), measured in batches of `batch` calls of one class each, classes randomly interleaved, with Welch's t-test
 * on the batch times, uncropped and cropped at the dudect percentiles (pooled over both classes); the largest |t|
 * counts.
 *
 * Verdict: a target leaks when |t| > 10 in every one of `reps` repetitions (4.5, dudect's own threshold, gave false
 * positives on this JIT). The detector is first checked against a deliberately leaky control (an early-exit
 * compare, equal against random) that must leak in every repetition, and a null control (the same compare, both
 * classes random) that the same rule must clear; otherwise the run is inconclusive. What it does NOT show: absence of a
 * leak smaller than the noise, of a leak that needs other input classes, or of cache effects in another process.
 */
import {equalBytes} from '../bytes.js'
import {decideDescriptor, decideDescriptorCt, DESCRIPTOR_LENGTH, encodeDescriptor} from '../descriptor/format.js'
import {BitSampler} from '../lsh/bits.js'
import {chooseParams, LshIndex} from '../lsh/bucket.js'
import {FleetData} from '../lsh/data.js'
import {SimHasher} from '../lsh/simhash.js'
import {Rng} from '../rng.js'
import {descriptorPool} from './paths.js'

export const LEAK_THRESHOLD = 10

export interface CtTarget {
  name: string
  role: 'leaky-control' | 'null-control' | 'target'
  /** Bytes per input slot (a multiple of 8, so Float64 views line up). */
  slotBytes: number
  /** Calls per timed batch. */
  batch: number
  /** Writes one input of class `cls` at byte offset `off` of `pool`. */
  fill(rng: Rng, pool: Uint8Array, off: number, cls: 0 | 1): void
  /** Runs the operation on the input at `off`; returns something derived from the result (fed to a sink). */
  run(pool: Uint8Array, off: number): number
}

export interface CtRepetition {
  maxAbsT: number
  /** |t| of the uncropped test. */
  absT: number
  measurements: number
  meanNs: [number, number]
}

export interface CtResult {
  name: string
  role: CtTarget['role']
  reps: CtRepetition[]
  /** Smallest of the repetitions' max |t|: the figure that must exceed the threshold for a leak. */
  minMaxAbsT: number
  leak: boolean
}

export interface CtReport {
  seed: number
  measurements: number
  reps: number
  threshold: number
  /** 'valid' when the leaky control leaked in every repetition and the same rule cleared the null control. */
  detector: 'valid' | 'inconclusive'
  detectorReason?: string
  results: CtResult[]
  verdict: 'no-leak-found' | 'leak' | 'inconclusive'
  leaking: string[]
}

class Welch {
  n = [0, 0]
  mean = [0, 0]
  m2 = [0, 0]
  push(c: 0 | 1, x: number): void {
    this.n[c]!++
    const d = x - this.mean[c]!
    this.mean[c]! += d / this.n[c]!
    this.m2[c]! += d * (x - this.mean[c]!)
  }
  t(): number {
    const [n0, n1] = this.n as [number, number]
    if (n0 < 2 || n1 < 2) return 0
    const v0 = this.m2[0]! / (n0 - 1)
    const v1 = this.m2[1]! / (n1 - 1)
    const se = Math.sqrt(v0 / n0 + v1 / n1)
    return se === 0 ? 0 : (this.mean[0]! - this.mean[1]!) / se
  }
}

const CROPS = Array.from({length: 10}, (_, i) => 1 - 0.5 ** ((10 * (i + 1)) / 10))
const SLOTS = 2048

let sink = 0
export const ctSinkValue = (): number => sink

/** One repetition: `m` timed batches of one target. */
export function measureTarget(t: CtTarget, m: number, rng: Rng): CtRepetition {
  const pool = new Uint8Array(SLOTS * t.slotBytes)
  const cls = new Uint8Array(SLOTS)
  const byClass: number[][] = [[], []]
  for (let s = 0; s < SLOTS; s++) {
    const c = (rng.u32() & 1) as 0 | 1
    cls[s] = c
    byClass[c]!.push(s * t.slotBytes)
    t.fill(rng, pool, s * t.slotBytes, c)
  }
  const offs = [Int32Array.from(byClass[0]!), Int32Array.from(byClass[1]!)] as const
  const B = t.batch
  const runBatch = (c: 0 | 1, start: number): number => {
    const o = offs[c]
    let acc = 0
    for (let b = 0; b < B; b++) acc ^= t.run(pool, o[(start + b) % o.length]!)
    return acc
  }
  for (let w = 0; w < Math.max(50, m / 10); w++) sink ^= runBatch((w & 1) as 0 | 1, rng.int(SLOTS))
  const times = new Float64Array(m)
  const classes = new Uint8Array(m)
  for (let i = 0; i < m; i++) {
    const c = (rng.u32() & 1) as 0 | 1
    const start = rng.int(offs[c].length)
    const t0 = process.hrtime.bigint()
    sink ^= runBatch(c, start)
    times[i] = Number(process.hrtime.bigint() - t0) / B
    classes[i] = c
  }
  const sorted = Float64Array.from(times).sort()
  const limits = [Infinity, ...CROPS.map((p) => sorted[Math.min(m - 1, Math.floor(p * m))]!)]
  const tests = limits.map(() => new Welch())
  for (let i = 0; i < m; i++) for (let k = 0; k < limits.length; k++) if (times[i]! <= limits[k]!) tests[k]!.push(classes[i] as 0 | 1, times[i]!)
  const ts = tests.map((w) => Math.abs(w.t()))
  return {maxAbsT: Math.max(...ts), absT: ts[0]!, measurements: m, meanNs: [tests[0]!.mean[0]!, tests[0]!.mean[1]!]}
}

/** Early-exit comparison: the textbook leak (returns at the first differing byte). */
export function leakyCompare(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): number {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return 0
  return 1
}

/** The controls and the targets: constant-time compare, descriptor decision, bit-sampling key, SimHash, constant-work query. */
export function defaultTargets(seed: number, compareBytes = 32): CtTarget[] {
  const rng = new Rng(seed)
  const secret = rng.bytes(compareBytes)
  const slot = Math.ceil(compareBytes / 8) * 8
  // Random inputs differ from the secret in their first byte, so that every random input costs the early-exit
  // compare the same work (otherwise the few random slots that share a first byte with the secret differ between
  // the classes of a finite pool, and the null control shows a real, data-made difference).
  const fillCompare = (equalClass: boolean) => (r: Rng, pool: Uint8Array, off: number, c: 0 | 1) => {
    if (equalClass && c === 0) pool.set(secret, off)
    else {
      pool.set(r.bytes(compareBytes), off)
      pool[off] = (secret[0]! + 1 + r.int(255)) & 0xff
    }
  }
  const leaky: CtTarget = {name: `control: early-exit compare, ${compareBytes} B (equal vs random)`, role: 'leaky-control', slotBytes: slot, batch: 32,
    fill: fillCompare(true), run: (p, o) => leakyCompare(p, o, secret, 0, compareBytes)}
  const nul: CtTarget = {name: `control: early-exit compare, ${compareBytes} B (random vs random)`, role: 'null-control', slotBytes: slot, batch: 32,
    fill: fillCompare(false), run: (p, o) => leakyCompare(p, o, secret, 0, compareBytes)}
  const eq: CtTarget = {name: `equalBytes ${compareBytes} B (equal vs random)`, role: 'target', slotBytes: slot, batch: 32,
    fill: fillCompare(true), run: (p, o) => +equalBytes(p.subarray(o, o + compareBytes), secret)}

  const fixedDesc = encodeDescriptor({command: 'rm', flags: 0x6d0, execMs: 10000, memoryMb: 1000, outputKb: 50})
  const descs = descriptorPool(rng, 256)
  const desc: CtTarget = {name: 'descriptor decode + CRC-32 + policy (rm vs random valid)', role: 'target', slotBytes: 24, batch: 64,
    fill: (r, pool, off, c) => {
      const k = r.int(256) * DESCRIPTOR_LENGTH
      pool.set(c === 0 ? fixedDesc : descs.subarray(k, k + DESCRIPTOR_LENGTH), off)
    },
    run: (p, o) => decideDescriptor(p, o)}

  const descCt: CtTarget = {...desc, name: 'descriptor decode, bitwise CRC-32 (rm vs random valid)', run: (p, o) => decideDescriptorCt(p, o)}

  const sampler = BitSampler.forBytes(BitSampler.samplePositions(rng, DESCRIPTOR_LENGTH * 8, 16))
  const key: CtTarget = {name: 'bit-sampling key of a descriptor (rm vs random valid)', role: 'target', slotBytes: 24, batch: 64,
    fill: desc.fill, run: (p, o) => sampler.keyBytes(p, o)}

  const dim = 64
  const hasher = new SimHasher({dim, seed: rng.u32()})
  const fixedVec = new Float64Array(dim).map(() => rng.normal())
  const sigOut = new Uint32Array(2)
  const simhash: CtTarget = {name: `SimHash d=${dim} gaussian (fixed vs random vector)`, role: 'target', slotBytes: dim * 8, batch: 4,
    fill: (r, pool, off, c) => {
      const v = new Float64Array(pool.buffer, pool.byteOffset + off, dim)
      for (let j = 0; j < dim; j++) v[j] = c === 0 ? fixedVec[j]! : r.normal()
    },
    run: (p, o) => {
      hasher.hashInto(new Float64Array(p.buffer, p.byteOffset + o, dim), 0, sigOut, 0)
      return sigOut[0]!
    }}

  const n = 4096
  const data = new FleetData('fleet', n, dim, seed)
  const sigs = hasher.hashAll(data.all())
  const index = new LshIndex(sigs, chooseParams(n, 3, seed))
  const budget = 64
  const per = Math.ceil(budget / index.params.L)
  const scratch = new Int32Array(per * index.params.L)
  const fixedSig = sigs.slice(0, 2)
  const query: CtTarget = {name: `constant-work query, ${per * index.params.L} candidates (fixed vs random signature)`, role: 'target', slotBytes: 8, batch: 16,
    fill: (r, pool, off, c) => {
      const w = new Uint32Array(pool.buffer, pool.byteOffset + off, 2)
      w[0] = c === 0 ? fixedSig[0]! : r.u32()
      w[1] = c === 0 ? fixedSig[1]! : r.u32()
    },
    run: (p, o) => index.examineFixed(new Uint32Array(p.buffer, p.byteOffset + o, 2), 0, per, scratch)}
  return [leaky, nul, eq, desc, descCt, key, simhash, query]
}

export function runCt(o: {seed: number; measurements: number; reps: number; targets?: CtTarget[]; onProgress?: (s: string) => void}): CtReport {
  const targets = o.targets ?? defaultTargets(o.seed)
  const rng = new Rng(o.seed)
  const progress = o.onProgress ?? (() => {})
  const results: CtResult[] = targets.map((t) => {
    const reps: CtRepetition[] = []
    for (let r = 0; r < o.reps; r++) {
      progress(`ct: ${t.name} (repetition ${r + 1}/${o.reps})`)
      reps.push(measureTarget(t, o.measurements, rng))
    }
    const minMaxAbsT = Math.min(...reps.map((r) => r.maxAbsT))
    return {name: t.name, role: t.role, reps, minMaxAbsT, leak: minMaxAbsT > LEAK_THRESHOLD}
  })
  const leakyCtl = results.filter((r) => r.role === 'leaky-control')
  const nullCtl = results.filter((r) => r.role === 'null-control')
  let detectorReason: string | undefined
  if (leakyCtl.length === 0 || nullCtl.length === 0) detectorReason = 'the run needs a leaky control and a null control'
  else if (!leakyCtl.every((r) => r.leak))
    detectorReason = `the leaky control was not detected in every repetition (smallest max |t| ${leakyCtl[0]!.minMaxAbsT.toFixed(1)} <= ${LEAK_THRESHOLD})`
  else if (nullCtl.some((r) => r.leak))
    detectorReason = `the null control was judged leaking (max |t| > ${LEAK_THRESHOLD} in every repetition: ${nullCtl[0]!.reps.map((x) => x.maxAbsT.toFixed(1)).join(', ')})`
  const detector = detectorReason ? 'inconclusive' : 'valid'
  const leaking = results.filter((r) => r.role === 'target' && r.leak).map((r) => r.name)
  const verdict = detector === 'inconclusive' ? 'inconclusive' : leaking.length > 0 ? 'leak' : 'no-leak-found'
  return {seed: o.seed, measurements: o.measurements, reps: o.reps, threshold: LEAK_THRESHOLD, detector,
    ...(detectorReason ? {detectorReason} : {}), results, verdict, leaking}
}
