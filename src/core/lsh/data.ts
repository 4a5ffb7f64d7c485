/**
 * Seeded behaviour vectors for the all-pairs benchmark and the tests. Each agent's vector is a pure function of
 * (seed, kind, index), regenerated on demand, so a million agents need O(dim) memory, not n * dim.
 *
 *  - 'uniform': directions uniform on the sphere (N(0, 1) coordinates); 2% of agents are near-copies of a random
 *    earlier agent (coordinate noise 0.1, about 6 degrees: the planted near-duplicates).
 *  - 'fleet': agents look like fleets: one role each among max(2, n / 500) roles (role centroid + noise 0.6, about
 *    31 degrees, so agents of a role are alike but not duplicates, and they crowd the same buckets), and 2% are
 *    clones of an earlier agent (noise 0.1), like copies of a compromised agent.
 */
import {TcpError} from '../errors.js'
import {Rng} from '../rng.js'

export type DataKind = 'uniform' | 'fleet'
export const DATA_KINDS: readonly DataKind[] = ['uniform', 'fleet']

export const CLONE_FRACTION = 0.02
export const CLONE_NOISE = 0.1
export const ROLE_NOISE = 0.6
export const AGENTS_PER_ROLE = 500

export class FleetData {
  readonly kind: DataKind
  readonly n: number
  readonly dim: number
  readonly seed: number
  readonly roles: number
  private readonly centroids: Float64Array

  constructor(kind: DataKind, n: number, dim: number, seed: number) {
    if (kind !== 'uniform' && kind !== 'fleet') throw new TcpError('input', `data: expected uniform or fleet, got ${String(kind)}`)
    if (!Number.isInteger(n) || n < 2) throw new TcpError('input', `n: expected at least 2 agents, got ${n}`)
    this.kind = kind
    this.n = n
    this.dim = dim
    this.seed = seed
    this.roles = kind === 'fleet' ? Math.max(2, Math.round(n / AGENTS_PER_ROLE)) : 0
    const rng = new Rng(seed)
    this.centroids = new Float64Array(this.roles * dim)
    for (let i = 0; i < this.centroids.length; i++) this.centroids[i] = rng.normal()
  }

  private rngOf(i: number): Rng {
    return new Rng((this.seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0)
  }

  private copyOf(i: number, rng: Rng): number {
    return i > 0 && rng.float() < CLONE_FRACTION ? rng.int(i) : -1
  }

  /** The earlier agent that agent i is a planted near-copy of, or -1. */
  source(i: number): number {
    return this.copyOf(i, this.rngOf(i))
  }

  /** Writes agent i's vector into out[off, off + dim). */
  vector(i: number, out: Float64Array, off = 0): void {
    const rng = this.rngOf(i)
    const d = this.dim
    const src = this.copyOf(i, rng)
    if (src >= 0) {
      this.vector(src, out, off)
      for (let j = 0; j < d; j++) out[off + j]! += CLONE_NOISE * rng.normal()
      return
    }
    if (this.kind === 'uniform') {
      for (let j = 0; j < d; j++) out[off + j] = rng.normal()
      return
    }
    const c = rng.int(this.roles) * d
    for (let j = 0; j < d; j++) out[off + j] = this.centroids[c + j]! + ROLE_NOISE * rng.normal()
  }

  /** All n vectors, row-major (n * dim values): only for small n. */
  all(): Float64Array {
    const out = new Float64Array(this.n * this.dim)
    for (let i = 0; i < this.n; i++) this.vector(i, out, i * this.dim)
    return out
  }
}
