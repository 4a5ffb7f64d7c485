/**
 * Near-duplicate rows of a vector table through the hashing path: SimHash of every row to 64 bits, the bit-sampling
 * index's all-pairs search within `radius` bits (bucket.ts), then each proposed pair confirmed on the vectors
 * themselves (cosine >= minCosine). The clone detector (src/core/detect/clones.ts) and `bench/detect.mjs
 * --clones-1e6` both call `nearVectors`, so the benchmark times the detector's own path. From PARALLEL_MIN rows up the
 * hashing and the search run on worker threads (sync-pool.ts), with the one-thread results.
 *
 * Projection: sparse +-1 hyperplanes (simhash.ts) from SPARSE_MIN_DIM dimensions up, dense Gaussian below. With
 * fewer coordinates the sparse hyperplanes repeat (at d = 4 every one has all 4 coordinates, so there are only 8
 * distinct ones up to sign) and the 64 bits would not be independent; dense costs at most 64 x 15 multiply-adds there.
 *
 * What it does NOT guarantee: that every pair within the cosine threshold is found. A pair is proposed only if its
 * signatures are within `radius` bits (each bit differs with probability angle / pi) and share a bucket in one of
 * the L tables, chosen for `targetRecall` at the radius; confirmed pairs are exact (the cosine is computed).
 */
import {availableParallelism} from 'node:os'
import {TcpError} from '../errors.js'
import {SyncPool} from '../sync-pool.js'
import {allPairsWithin, chooseParams, type AllPairsResult, type LshParams} from './bucket.js'
import {SimHasher, type Projection} from './simhash.js'

export const SPARSE_MIN_DIM = 16

export function projectionFor(dim: number): Projection {
  return dim >= SPARSE_MIN_DIM ? 'sparse' : 'gaussian'
}

/** The hasher `nearVectors` uses for `dim`-dimensional rows under `seed`. */
export function vectorHasher(dim: number, seed: number): SimHasher {
  return new SimHasher({dim, seed, projection: projectionFor(dim)})
}

/**
 * From this many rows up, `nearVectors` hashes and searches on worker threads (one per core, at most 8). Measured
 * here (2 cores, d = 64, medians of 3): starting two workers costs about 60 ms; hashing 100,000 rows took 85 ms on
 * one thread and 99 ms on two workers, 200,000 rows 174 ms and 135 ms.
 */
export const PARALLEL_MIN = 150_000

/** The worker: imports this module (through tsx when run from the sources) and runs workerOp on each request. */
const WORKER = `
const {workerData} = require('node:worker_threads')
const mod = workerData.tsx
  ? import('tsx/esm/api').then((t) => t.tsImport(workerData.url, workerData.url))
  : import(workerData.url)
mod.catch(() => {}) // reported by run, to the caller
async function run(m) {
  return (await mod).workerOp(m)
}
`

type WorkerOp =
  | {op: 'hash'; vectors: Float32Array; out: Uint32Array; dim: number; seed: number; from: number; to: number}
  | {op: 'pairs'; sigs: Uint32Array; params: LshParams; from: number; to: number}

/** One worker's share: rows [from, to) hashed into `out`, or tables [from, to) of the all-pairs search. Internal to near.ts. */
export function workerOp(m: WorkerOp): Uint8Array | AllPairsResult {
  if (m.op === 'hash') {
    vectorHasher(m.dim, m.seed).hashRange(m.vectors, m.from, m.to, m.out)
    return new Uint8Array(0)
  }
  return allPairsWithin(m.sigs, m.params, {from: m.from, to: m.to})
}

function shared<T extends Float32Array | Uint32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a
  const s = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength))
  s.set(a)
  return s
}

/** [from, to) of `n` items for each of `parts` threads, contiguous and in order (null: nothing left for it). */
function shares(n: number, parts: number): Array<{from: number; to: number} | null> {
  const step = Math.ceil(n / parts)
  return Array.from({length: parts}, (_, w) => (w * step < n ? {from: w * step, to: Math.min(n, (w + 1) * step)} : null))
}

/**
 * SimHash signatures of every row on the pool's workers, each a contiguous share of the rows, into one
 * SharedArrayBuffer (the vectors are copied into one first unless they already live in one). Each row goes through
 * SimHasher.hashRange, the one-thread loop, so the signatures are those of hashAll.
 */
function hashOnPool(pool: SyncPool, vectors: Float32Array, dim: number, seed: number): Uint32Array {
  const n = vectors.length / dim
  const v = shared(vectors)
  const out = new Uint32Array(new SharedArrayBuffer(8 * n))
  pool.call(shares(n, pool.size).map((r) => r && {op: 'hash', vectors: v, out, dim, seed, ...r}))
  return out
}

/** allPairsWithin with the L tables split over the pool's workers; the ranges' results concatenated in table order. */
function pairsOnPool(pool: SyncPool, sigs: Uint32Array, params: LshParams): AllPairsResult {
  const s = shared(sigs)
  const parts = pool.call<AllPairsResult>(shares(params.L, pool.size).map((r) => r && {op: 'pairs', sigs: s, params, ...r}))
  const pairs = new Int32Array(parts.reduce((acc, p) => acc + p.pairs.length, 0))
  let at = 0
  for (const p of parts) {
    pairs.set(p.pairs, at)
    at += p.pairs.length
  }
  return {pairs, candidates: parts.reduce((acc, p) => acc + p.candidates, 0)}
}

/** Cosine of rows i and j of a row-major table of d columns (0 when either row is zero). */
export function cosineOf(v: Float32Array, d: number, i: number, j: number): number {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let k = 0; k < d; k++) {
    const a = v[i * d + k]!
    const b = v[j * d + k]!
    ab += a * b
    aa += a * a
    bb += b * b
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0
}

export interface NearOptions {
  /** Seed of the hyperplanes and of the index's sampled bits. */
  seed: number
  /** Hamming radius of the proposal step (bits of 64). */
  radius: number
  /** Cosine a proposed pair must reach to be confirmed. */
  minCosine: number
  /** Probability that the index proposes a pair at distance `radius` (default 0.99). */
  targetRecall?: number
  /**
   * Worker threads for hashing and search (default: one per core, at most 8, from PARALLEL_MIN rows up, else 0);
   * 0 or 1: all on this thread. The results do not depend on it.
   */
  threads?: number
}

export interface NearResult {
  projection: Projection
  /** Nonzeros per hyperplane (dim for dense). */
  nnz: number
  signatures: Uint32Array
  params: LshParams
  /** Pairs sharing a bucket, summed over tables. */
  candidates: number
  /** Proposed pairs: within the radius. */
  withinRadius: number
  /** Confirmed pairs (i, j), i < j: [i0, j0, i1, j1, ...]. */
  pairs: Int32Array
  timingsMs: {hash: number; search: number; confirm: number}
}

export function nearVectors(vectors: Float32Array, dim: number, o: NearOptions): NearResult {
  if (!(o.minCosine >= -1 && o.minCosine <= 1)) throw new TcpError('input', `minCosine: expected -1 to 1, got ${o.minCosine}`)
  if (vectors.length % dim !== 0) throw new TcpError('input', `vectors: expected a multiple of ${dim} values, got ${vectors.length}`)
  const n = vectors.length / dim
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 0)) throw new TcpError('input', `threads: expected a non-negative integer, got ${o.threads}`)
  const threads = Math.min(o.threads ?? (n >= PARALLEL_MIN ? Math.min(8, availableParallelism()) : 0), n)
  const t0 = performance.now()
  const hasher = vectorHasher(dim, o.seed)
  // One worker is no faster than this thread: from 2 up the pool hashes and searches, then is terminated.
  const pool = threads >= 2 ? new SyncPool('lsh', WORKER, threads, {url: import.meta.url, tsx: import.meta.url.endsWith('.ts')}) : null
  let signatures: Uint32Array
  let found: AllPairsResult
  let params: LshParams
  let t1: number
  try {
    signatures = pool ? hashOnPool(pool, vectors, dim, o.seed) : hasher.hashAll(vectors)
    t1 = performance.now()
    params = chooseParams(n, o.radius, o.seed, o.targetRecall ?? 0.99)
    found = pool ? pairsOnPool(pool, signatures, params) : allPairsWithin(signatures, params)
  } finally {
    pool?.close()
  }
  const {pairs: proposed, candidates} = found
  const t2 = performance.now()
  let m = 0
  const pairs = new Int32Array(proposed.length)
  for (let k = 0; k < proposed.length; k += 2) {
    if (cosineOf(vectors, dim, proposed[k]!, proposed[k + 1]!) < o.minCosine) continue
    pairs[m++] = proposed[k]!
    pairs[m++] = proposed[k + 1]!
  }
  const t3 = performance.now()
  return {
    projection: hasher.projection,
    nnz: hasher.nnz,
    signatures,
    params,
    candidates,
    withinRadius: proposed.length / 2,
    pairs: pairs.slice(0, m),
    timingsMs: {hash: t1 - t0, search: t2 - t1, confirm: t3 - t2},
  }
}
