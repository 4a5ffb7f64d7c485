/**
 * SimHash (Charikar 2002, random-hyperplane LSH for cosine similarity): bit j of a vector's signature is the sign of
 * its dot product with hyperplane j, so two vectors at angle theta agree on a bit with probability 1 - theta / pi.
 *
 * Two projections, both seeded (same seed, same hyperplanes, same signatures):
 *  - 'gaussian': dense N(0, 1) hyperplanes, the exact 1 - theta / pi law; d multiply-adds per bit.
 *  - 'sparse': every hyperplane has exactly `nnz` entries of +1 or -1 at distinct random coordinates (a
 *    fixed-count variant of the very sparse projections of Li, Hastie and Church 2006); nnz adds per bit. The
 *    collision law is then only approximately 1 - theta / pi (measured in the tests and in `tcp bench lsh`).
 *
 * Signatures are 64 bits held as two uint32 words per vector (lo = bits 0-31 at [2i], hi at [2i+1]). The bit is
 * the IEEE-754 sign bit of the projection, read through a shared Float64Array/Uint32Array view, so the hashing path
 * has no data-dependent branch (-0 counts as negative). What it does NOT guarantee: that floating-point timing is
 * data-independent (subnormal inputs are slow on most CPUs; `tcp bench ct` measures this path).
 */
import {TcpError} from '../errors.js'
import {Rng} from '../rng.js'

export const SIGNATURE_BITS = 64

export type Projection = 'gaussian' | 'sparse'

export interface SimHashOptions {
  dim: number
  seed: number
  projection?: Projection
  /** Nonzeros per hyperplane for 'sparse' (default max(4, round(sqrt(dim))), at most dim). */
  nnz?: number
}

const f64 = new Float64Array(1)
const f64hi = new Uint32Array(f64.buffer, 4, 1) // little-endian hosts: the high word holds the sign bit

export class SimHasher {
  readonly dim: number
  readonly seed: number
  readonly projection: Projection
  readonly nnz: number
  /** Dense: 64 x dim, row-major. */
  private readonly planes: Float64Array
  /** Sparse: 64 x nnz coordinate indices and +-1 signs. */
  private readonly idx: Int32Array
  private readonly sgn: Float64Array

  constructor(o: SimHashOptions) {
    if (!Number.isInteger(o.dim) || o.dim < 1 || o.dim > 65536) throw new TcpError('input', `dim: expected 1 to 65536, got ${o.dim}`)
    this.dim = o.dim
    this.seed = o.seed
    this.projection = o.projection ?? 'gaussian'
    const rng = new Rng(o.seed)
    if (this.projection === 'gaussian') {
      this.nnz = o.dim
      this.planes = new Float64Array(SIGNATURE_BITS * o.dim)
      for (let i = 0; i < this.planes.length; i++) this.planes[i] = rng.normal()
      this.idx = new Int32Array(0)
      this.sgn = new Float64Array(0)
    } else if (this.projection === 'sparse') {
      const nnz = o.nnz ?? Math.min(o.dim, Math.max(4, Math.round(Math.sqrt(o.dim))))
      if (!Number.isInteger(nnz) || nnz < 1 || nnz > o.dim) throw new TcpError('input', `nnz: expected 1 to ${o.dim}, got ${nnz}`)
      this.nnz = nnz
      this.planes = new Float64Array(0)
      this.idx = new Int32Array(SIGNATURE_BITS * nnz)
      this.sgn = new Float64Array(SIGNATURE_BITS * nnz)
      const perm = Int32Array.from({length: o.dim}, (_, i) => i)
      for (let b = 0; b < SIGNATURE_BITS; b++) {
        for (let j = 0; j < nnz; j++) {
          const r = j + rng.int(o.dim - j)
          const t = perm[j]!
          perm[j] = perm[r]!
          perm[r] = t
          this.idx[b * nnz + j] = perm[j]!
          this.sgn[b * nnz + j] = rng.u32() & 1 ? 1 : -1
        }
      }
    } else throw new TcpError('input', `projection: expected gaussian or sparse, got ${String(this.projection)}`)
  }

  /** Signature of vecs[off, off + dim) into out[2 * slot], out[2 * slot + 1]. */
  hashInto(vecs: Float64Array, off: number, out: Uint32Array, slot: number): void {
    let lo = 0
    let hi = 0
    const d = this.dim
    if (this.projection === 'gaussian') {
      // Four hyperplanes per pass: each coordinate is loaded once for four independent multiply-add chains
      // (measured about 1.9x the one-plane loop here).
      const P = this.planes
      for (let b = 0; b < SIGNATURE_BITS; b += 4) {
        const r0 = b * d
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        for (let j = 0; j < d; j++) {
          const xj = vecs[off + j]!
          const q = r0 + j
          s0 += P[q]! * xj
          s1 += P[q + d]! * xj
          s2 += P[q + 2 * d]! * xj
          s3 += P[q + 3 * d]! * xj
        }
        f64[0] = s0
        let nib = f64hi[0]! >>> 31
        f64[0] = s1
        nib |= (f64hi[0]! >>> 31) << 1
        f64[0] = s2
        nib |= (f64hi[0]! >>> 31) << 2
        f64[0] = s3
        nib |= (f64hi[0]! >>> 31) << 3
        if (b < 32) lo |= nib << b
        else hi |= nib << (b - 32)
      }
    } else {
      const I = this.idx
      const S = this.sgn
      const m = this.nnz
      for (let b = 0; b < SIGNATURE_BITS; b++) {
        const row = b * m
        let s = 0
        for (let j = 0; j < m; j++) s += S[row + j]! * vecs[off + I[row + j]!]!
        f64[0] = s
        const bit = f64hi[0]! >>> 31
        if (b < 32) lo |= bit << b
        else hi |= bit << (b - 32)
      }
    }
    out[2 * slot] = lo >>> 0
    out[2 * slot + 1] = hi >>> 0
  }

  /** Signatures of n vectors stored row-major in `vecs` (n * dim values). */
  hashAll(vecs: Float64Array): Uint32Array {
    if (vecs.length % this.dim !== 0) throw new TcpError('input', `vectors: expected a multiple of ${this.dim} values, got ${vecs.length}`)
    const n = vecs.length / this.dim
    const out = new Uint32Array(2 * n)
    for (let i = 0; i < n; i++) this.hashInto(vecs, i * this.dim, out, i)
    return out
  }

  hash(vec: Float64Array | readonly number[]): Uint32Array {
    if (vec.length !== this.dim) throw new TcpError('input', `vector: expected ${this.dim} values, got ${vec.length}`)
    const out = new Uint32Array(2)
    this.hashInto(vec instanceof Float64Array ? vec : Float64Array.from(vec), 0, out, 0)
    return out
  }
}
