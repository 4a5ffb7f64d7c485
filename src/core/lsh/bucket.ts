/**
 * Bucket index over 64-bit signatures, in typed arrays only (no Map, no Set): L tables, each keyed by k bits
 * sampled from the signature (bit-sampling LSH for Hamming space, Indyk and Motwani 1998). Each table is a counting
 * sort of the n keys: `order` lists the points by key and `sorted` holds their keys, so a bucket is a run of equal
 * keys, found by binary search.
 *
 * A pair at Hamming distance h shares a table's key with probability (1 - h/64)^k, and is found by at least one of
 * L tables with probability 1 - (1 - (1 - h/64)^k)^L (`chooseParams` picks L from that). Near-duplicates are pairs at
 * distance <= radius; every candidate is checked exactly, so the index never reports a pair beyond the radius: it
 * can only miss some (recall < 1), never invent one.
 */
import {TcpError} from '../errors.js'
import {Rng} from '../rng.js'
import {BitSampler, hamming64, popcount32} from './bits.js'
import {SIGNATURE_BITS} from './simhash.js'

export interface LshParams {
  /** Bits per table key (1-24). */
  k: number
  /** Number of tables. */
  L: number
  /** Near-duplicate threshold: Hamming distance at most this. */
  radius: number
  seed: number
}

/** Probability that a pair at Hamming distance h collides in at least one of L tables of k bits. */
export function collisionProbability(h: number, k: number, L: number): number {
  return 1 - (1 - (1 - h / SIGNATURE_BITS) ** k) ** L
}

/**
 * k = round(log2 n) - 2 (a table's bucket holds about four points of uniform data, so its count array of 2^k
 * entries stays a quarter of n: measured faster here than k = log2 n, whose arrays fall out of cache at 1e5), and
 * L for `targetRecall` at `radius`.
 */
export function chooseParams(n: number, radius: number, seed: number, targetRecall = 0.99): LshParams {
  const k = Math.min(22, Math.max(8, Math.round(Math.log2(Math.max(2, n))) - 2))
  const p = (1 - radius / SIGNATURE_BITS) ** k
  const L = Math.max(1, Math.min(64, Math.ceil(Math.log(1 - targetRecall) / Math.log(1 - p))))
  return {k, L, radius, seed}
}

/** A growable list of (i, j) pairs, i < j, in an Int32Array. */
export class PairList {
  data = new Int32Array(1024)
  length = 0
  push(i: number, j: number): void {
    if (2 * this.length + 2 > this.data.length) {
      const d = new Int32Array(this.data.length * 2)
      d.set(this.data)
      this.data = d
    }
    this.data[2 * this.length] = i
    this.data[2 * this.length + 1] = j
    this.length++
  }
  toArray(): Int32Array {
    return this.data.slice(0, 2 * this.length)
  }
}

function checkParams(p: LshParams): void {
  if (!Number.isInteger(p.k) || p.k < 1 || p.k > 24) throw new TcpError('input', `k: expected 1 to 24, got ${p.k}`)
  if (!Number.isInteger(p.L) || p.L < 1 || p.L > 256) throw new TcpError('input', `L: expected 1 to 256, got ${p.L}`)
  if (!Number.isInteger(p.radius) || p.radius < 0 || p.radius > 64) throw new TcpError('input', `radius: expected 0 to 64, got ${p.radius}`)
}

export interface AllPairsResult {
  /** Pairs (i, j), i < j, at distance <= radius, each once: [i0, j0, i1, j1, ...]. */
  pairs: Int32Array
  /** Candidate pairs checked: pairs sharing a bucket, summed over tables (a pair in several tables counts in each). */
  candidates: number
}

export class LshIndex {
  readonly n: number
  readonly params: LshParams
  readonly sigs: Uint32Array
  readonly samplers: BitSampler[]
  /** The sampled bits of table t as a 64-bit mask (lo and hi words). */
  readonly maskLo: Uint32Array
  readonly maskHi: Uint32Array
  /** order[t * n + r]: the point at rank r of table t; sorted[t * n + r] its key. */
  readonly order: Int32Array
  readonly sorted: Uint32Array

  constructor(sigs: Uint32Array, params: LshParams) {
    checkParams(params)
    if (sigs.length % 2 !== 0) throw new TcpError('input', `signatures: expected an even number of words, got ${sigs.length}`)
    this.sigs = sigs
    this.params = params
    const n = (this.n = sigs.length / 2)
    const {k, L} = params
    const rng = new Rng(params.seed)
    this.samplers = Array.from({length: L}, () => BitSampler.forSignature(BitSampler.samplePositions(rng, SIGNATURE_BITS, k)))
    this.maskLo = new Uint32Array(L)
    this.maskHi = new Uint32Array(L)
    this.samplers.forEach((smp, t) => {
      for (const p of smp.positions) {
        if (p < 32) this.maskLo[t] = (this.maskLo[t]! | (1 << p)) >>> 0
        else this.maskHi[t] = (this.maskHi[t]! | (1 << (p - 32))) >>> 0
      }
    })
    const keys = new Uint32Array(n)
    this.order = new Int32Array(L * n)
    this.sorted = new Uint32Array(L * n)
    const count = new Int32Array((1 << k) + 1)
    for (let t = 0; t < L; t++) {
      const s = this.samplers[t]!
      const base = t * n
      count.fill(0)
      for (let i = 0; i < n; i++) {
        const key = s.keySig(sigs, i)
        keys[i] = key
        count[key + 1]!++
      }
      for (let v = 0; v < 1 << k; v++) count[v + 1]! += count[v]!
      for (let i = 0; i < n; i++) {
        const key = keys[i]!
        const r = count[key]!++
        this.order[base + r] = i
        this.sorted[base + r] = key
      }
    }
  }

  /**
   * Every pair at distance <= radius that shares a bucket in some table, each reported once: in the first table
   * where it collides (a pair collided in table u < t exactly when its XOR is zero on u's sampled bits, a mask test,
   * so no earlier table's keys are read). Each table's signatures are first copied in bucket order, so the scan of a
   * bucket reads memory sequentially.
   */
  allPairs(): AllPairsResult {
    const {n, order, sorted, sigs, maskLo, maskHi} = this
    const {L, radius} = this.params
    const out = new PairList()
    const ss = new Uint32Array(2 * n)
    let candidates = 0
    for (let t = 0; t < L; t++) {
      const base = t * n
      for (let r = 0; r < n; r++) {
        const i = order[base + r]!
        ss[2 * r] = sigs[2 * i]!
        ss[2 * r + 1] = sigs[2 * i + 1]!
      }
      let start = 0
      while (start < n) {
        const key = sorted[base + start]!
        let end = start + 1
        while (end < n && sorted[base + end] === key) end++
        candidates += ((end - start) * (end - start - 1)) / 2
        for (let a = start; a < end; a++) {
          const ilo = ss[2 * a]!
          const ihi = ss[2 * a + 1]!
          for (let b = a + 1; b < end; b++) {
            const xlo = ilo ^ ss[2 * b]!
            const xhi = ihi ^ ss[2 * b + 1]!
            if (popcount32(xlo) + popcount32(xhi) > radius) continue
            let seen = 0
            for (let u = 0; u < t; u++) seen |= +(((xlo & maskLo[u]!) | (xhi & maskHi[u]!)) === 0)
            if (seen) continue
            const i = order[base + a]!
            const j = order[base + b]!
            out.push(i < j ? i : j, i < j ? j : i)
          }
        }
        start = end
      }
    }
    return {pairs: out.toArray(), candidates}
  }

  /** First rank in table t whose key is >= key, in exactly ceil(log2(n + 1)) steps. */
  private lowerBound(t: number, key: number): number {
    const base = t * this.n
    let lo = 0
    let len = this.n
    while (len > 0) {
      const half = len >>> 1
      const go = +(this.sorted[base + lo + half]! < key)
      lo += go * (half + 1)
      len = go * (len - half - 1) + (1 - go) * half
    }
    return lo
  }

  /** Points within `radius` of query signature q (of `qsigs`) that share a bucket with it: variable work. */
  query(qsigs: Uint32Array, q: number): Int32Array {
    const found: number[] = []
    for (let t = 0; t < this.params.L; t++) {
      const key = this.samplers[t]!.keySig(qsigs, q)
      const base = t * this.n
      for (let r = this.lowerBound(t, key); r < this.n && this.sorted[base + r] === key; r++) {
        const j = this.order[base + r]!
        if (hamming64(qsigs, q, this.sigs, j) <= this.params.radius) found.push(j)
      }
    }
    return uniqueSorted(found)
  }

  /**
   * Constant-work query: examines exactly `budget` candidates (budget / L per table, rounded up), whatever the data:
   * in each table the window of ranks starting at the query's bucket (shifted to stay inside the table), each
   * candidate checked without a branch on its distance. Misses matches when a bucket is larger than its share of the
   * budget. The final de-duplication (a sort of at most `budget` indices) is not constant-work.
   */
  queryConstantWork(qsigs: Uint32Array, q: number, budget: number, scratch?: Int32Array): Int32Array {
    const L = this.params.L
    const per = Math.min(this.n, Math.ceil(budget / L))
    const out = scratch && scratch.length >= per * L ? scratch : new Int32Array(per * L)
    const cnt = this.examineFixed(qsigs, q, per, out)
    return uniqueSorted(Array.from(out.subarray(0, cnt)))
  }

  /** The constant-work core: per * L distance checks; returns how many matches were written to `out`. */
  examineFixed(qsigs: Uint32Array, q: number, per: number, out: Int32Array): number {
    const {n, order, sigs} = this
    const {L, radius} = this.params
    const qlo = qsigs[2 * q]!
    const qhi = qsigs[2 * q + 1]!
    let cnt = 0
    for (let t = 0; t < L; t++) {
      const key = this.samplers[t]!.keySig(qsigs, q)
      const lb = this.lowerBound(t, key)
      const start = Math.min(lb, n - per)
      const base = t * n
      for (let r = 0; r < per; r++) {
        const j = order[base + start + r]!
        const d = popcount32(qlo ^ sigs[2 * j]!) + popcount32(qhi ^ sigs[2 * j + 1]!)
        out[cnt] = j
        cnt += ((d - radius - 1) >>> 31) & 1 // 1 when d <= radius
      }
    }
    return cnt
  }
}

function uniqueSorted(xs: number[]): Int32Array {
  const a = Int32Array.from(xs).sort()
  let m = 0
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[m++] = a[i]!
  return a.slice(0, m)
}

/** All pairs at distance <= radius by comparing every pair: the reference for recall. */
export function bruteForcePairs(sigs: Uint32Array, radius: number, rows?: Int32Array): AllPairsResult {
  const n = sigs.length / 2
  const out = new PairList()
  const list = rows ?? Int32Array.from({length: n}, (_, i) => i)
  let candidates = 0
  for (let a = 0; a < list.length; a++) {
    const i = list[a]!
    const lo = sigs[2 * i]!
    const hi = sigs[2 * i + 1]!
    for (let j = i + 1; j < n; j++) {
      const d = popcount32(lo ^ sigs[2 * j]!) + popcount32(hi ^ sigs[2 * j + 1]!)
      if (d <= radius) out.push(i, j)
    }
    candidates += n - 1 - i
  }
  return {pairs: out.toArray(), candidates}
}

/** Fraction of the reference pairs that `found` contains (1 when the reference is empty), and how many it holds. */
export function recallOf(found: Int32Array, reference: Int32Array, n: number): {recall: number; truePairs: number; foundTrue: number} {
  const enc = (p: Int32Array) => {
    const a = new Float64Array(p.length / 2)
    for (let i = 0; i < a.length; i++) a[i] = p[2 * i]! * n + p[2 * i + 1]!
    return a.sort()
  }
  const f = enc(found)
  const r = enc(reference)
  let i = 0
  let hit = 0
  for (let j = 0; j < r.length; j++) {
    while (i < f.length && f[i]! < r[j]!) i++
    if (i < f.length && f[i] === r[j]) hit++
  }
  return {recall: r.length === 0 ? 1 : hit / r.length, truePairs: r.length, foundTrue: hit}
}
