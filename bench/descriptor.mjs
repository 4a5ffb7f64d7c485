#!/usr/bin/env node
// Figures of the per-call paths of issue 5, repeated so that a shared machine's noise shows: the descriptor
// decision (table CRC-32, bitwise CRC-32, node:zlib crc32, and a DataView allocated per message as a naive decoder
// would), the bit-sampling key and the Hamming distance. Each figure is the median over --runs rounds of the
// per-round median ns/op (tcp's harness: calibrated batches, warm-up, sink). Inputs are seeded (--seed).
// Usage: node bench/descriptor.mjs [--runs 5] [--seed 1] [--json]   (run `npm run build` first)
import {crc32 as zlibCrc32} from 'node:zlib'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {loadavg} from 'node:os'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {runs: {type: 'string', default: '5'}, seed: {type: 'string', default: '1'}, json: {type: 'boolean'}}})
const core = (p) => import(join(root, 'dist', 'core', p))
const {measureOps, median} = await core('bench/harness.js')
const {descriptorPool, POOL} = await core('bench/paths.js')
const {decideDescriptor, decideDescriptorCt, DESCRIPTOR_MAGIC} = await core('descriptor/format.js')
const {BitSampler, hamming64} = await core('lsh/bits.js')
const {Rng} = await core('rng.js')

const rng = new Rng(Number(opt.seed))
const descs = descriptorPool(rng)
const L = 24
const POLICY = [0, 0, 0, 1, 2, 3] // by risk index, as the format defines it

/** The decision written the naive way: a DataView per message and node:zlib's crc32. */
function decideNaive(buf, off) {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, L)
  if (dv.getUint32(0) !== DESCRIPTOR_MAGIC || dv.getUint16(4) !== 2) return -2
  if ((zlibCrc32(buf.subarray(off, off + 22)) & 0xffff) !== dv.getUint16(22)) return -4
  const r = dv.getUint32(10) & 0x1f
  return POLICY[r === 0 ? 0 : 32 - Math.clz32(r)]
}

const sampler = BitSampler.forBytes(BitSampler.samplePositions(rng, 192, 16))
const sigs = new Uint32Array(2 * POOL).map(() => rng.u32())
const targets = {
  'decide: table CRC-32 (tcp hot path)': (n) => { let a = 0; for (let i = 0; i < n; i++) a += decideDescriptor(descs, (i & (POOL - 1)) * L); return a },
  'decide: bitwise CRC-32 (decideDescriptorCt)': (n) => { let a = 0; for (let i = 0; i < n; i++) a += decideDescriptorCt(descs, (i & (POOL - 1)) * L); return a },
  'decide: DataView per message + node:zlib crc32': (n) => { let a = 0; for (let i = 0; i < n; i++) a += decideNaive(descs, (i & (POOL - 1)) * L); return a },
  'bit-sampling key, 16 of 192 bits': (n) => { let a = 0; for (let i = 0; i < n; i++) a ^= sampler.keyBytes(descs, (i & (POOL - 1)) * L); return a },
  'Hamming distance, 64-bit': (n) => { let a = 0; for (let i = 0; i < n; i++) a += hamming64(sigs, i & (POOL - 1), sigs, (i * 7 + 1) & (POOL - 1)); return a },
}
for (let i = 0; i < POOL; i++) if (decideNaive(descs, i * L) !== decideDescriptor(descs, i * L)) throw new Error('naive decoder disagrees')

const runs = Number(opt.runs)
const per = Object.fromEntries(Object.keys(targets).map((k) => [k, []]))
for (let r = 0; r < runs; r++)
  for (const [name, f] of Object.entries(targets)) per[name].push(measureOps(name, f, {samples: 101, sampleUs: 1000, warmupMs: 200}).nsMedian)
const rows = Object.entries(per).map(([name, xs]) => ({name, nsMedian: median(xs), nsMin: Math.min(...xs), nsMax: Math.max(...xs)}))
const result = {seed: Number(opt.seed), runs, node: process.version, loadavg1: loadavg()[0], rows}
if (opt.json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`bench/descriptor (seed ${result.seed}, ${runs} rounds, load average ${result.loadavg1.toFixed(1)}): ns per operation, median of round medians [min-max]`)
  for (const x of rows) console.log(`${x.name.padEnd(50)} ${x.nsMedian.toFixed(1).padStart(8)}  [${x.nsMin.toFixed(1)}-${x.nsMax.toFixed(1)}]`)
}
