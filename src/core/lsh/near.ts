/**
 * Near-duplicate rows of a vector table through the hashing path: SimHash of every row to 64 bits, the bit-sampling
 * index's all-pairs search within `radius` bits (bucket.ts), then each proposed pair confirmed on the vectors
 * themselves (cosine >= minCosine). The clone detector (src/core/detect/clones.ts) and `bench/detect.mjs
 * --clones-1e6` both call `nearVectors`, so the benchmark times the detector's own path.
 *
 * Projection: sparse +-1 hyperplanes (simhash.ts) from SPARSE_MIN_DIM dimensions up, dense Gaussian below. With
 * fewer coordinates the sparse hyperplanes repeat (at d = 4 every one has all 4 coordinates, so there are only 8
 * distinct ones up to sign) and the 64 bits would not be independent; dense costs at most 64 x 15 multiply-adds there.
 *
 * What it does NOT guarantee: that every pair within the cosine threshold is found. A pair is proposed only if its
 * signatures are within `radius` bits (each bit differs with probability angle / pi) and share a bucket in one of
 * the L tables, chosen for `targetRecall` at the radius; confirmed pairs are exact (the cosine is computed).
 */
import {TcpError} from '../errors.js'
import {allPairsWithin, chooseParams, type LshParams} from './bucket.js'
import {SimHasher, type Projection} from './simhash.js'

export const SPARSE_MIN_DIM = 16

export function projectionFor(dim: number): Projection {
  return dim >= SPARSE_MIN_DIM ? 'sparse' : 'gaussian'
}

/** The hasher `nearVectors` uses for `dim`-dimensional rows under `seed`. */
export function vectorHasher(dim: number, seed: number): SimHasher {
  return new SimHasher({dim, seed, projection: projectionFor(dim)})
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
  const t0 = performance.now()
  const hasher = vectorHasher(dim, o.seed)
  const signatures = hasher.hashAll(vectors)
  const n = signatures.length / 2
  const t1 = performance.now()
  const params = chooseParams(n, o.radius, o.seed, o.targetRecall ?? 0.99)
  const {pairs: proposed, candidates} = allPairsWithin(signatures, params)
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
