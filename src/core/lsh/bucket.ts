/**
 * Bucket index over 64-bit signatures, in typed arrays only (no Map, no Set): L tables, each keyed by k bits
 * sampled from the signature (bit-sampling LSH for Hamming space, Indyk and Motwani 1998). Each table is a counting
 * sort of the n keys: `order` lists the points by key and `sorted` holds their keys, so a bucket is a run of equal
 * keys, found by binary search.
 *
 * A pair at Hamming distance h shares a table's key with probability C(64 - h, k) / C(64, k) (the k positions are
 * distinct), and is found by at least one of L tables with probability 1 - (1 - that)^L. `chooseParams` and
 * `collisionProbability` use the with-replacement approximation (1 - h/64)^k, which is larger: at radius 6 the
 * recall of pairs at exactly the radius is 0.960 at n = 1e6 (k = 19, L = 28), 0.984 at 1e4, where 0.99 is asked;
 * pairs at 4 bits or fewer are found with probability >= 0.999. Near-duplicates are pairs at distance <= radius;
 * every candidate is checked exactly, so the index never reports a pair beyond the radius: it can only miss some
 * (recall < 1), never invent one.
 *
 * `allPairsWithin` (all near-duplicate pairs, the clone detector's search) uses the same L tables of sampled bits
 * but builds them one at a time and drops each after its scan, so it holds O(n) memory instead of O(L * n), and sorts
 * each table by a seeded hash of the sampled bits (two passes of a radix sort) rather than by the k-bit key.
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

/** Probability that a pair at Hamming distance h collides in at least one of L tables of k bits (approximately: above). */
export function collisionProbability(h: number, k: number, L: number): number {
  return 1 - (1 - (1 - h / SIGNATURE_BITS) ** k) ** L
}

/**
 * k = round(log2 n) - 1 (a table's bucket holds about two points of uniform data), and L for `targetRecall` at
 * `radius`. One more bit halves the candidate pairs and adds about 10% more tables at radius 6; allPairsWithin's
 * cost per table does not depend on 2^k, and in CPU time at radius 6 k = round(log2 n) - 1 was the fastest of
 * -3 to +1 around it at 1e5 and 1e6 (k = round(log2 n) - 2, the earlier choice, was 15-35% slower).
 */
export function chooseParams(n: number, radius: number, seed: number, targetRecall = 0.99): LshParams {
  const k = Math.min(22, Math.max(8, Math.round(Math.log2(Math.max(2, n))) - 1))
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

interface Tables {
  /** The k sampled bit positions of each table. */
  positions: Uint16Array[]
  /** The same as 64-bit masks (lo and hi words). */
  maskLo: Uint32Array
  maskHi: Uint32Array
  /** Per table, the seed of the hash that orders allPairsWithin's buckets. */
  salt: Uint32Array
}

/** The L tables' sampled bits, drawn from the seed: LshIndex and allPairsWithin use the same tables. */
function sampleTables(params: LshParams): Tables {
  const {k, L} = params
  const rng = new Rng(params.seed)
  const positions = Array.from({length: L}, () => BitSampler.samplePositions(rng, SIGNATURE_BITS, k))
  const maskLo = new Uint32Array(L)
  const maskHi = new Uint32Array(L)
  positions.forEach((pos, t) => {
    for (const p of pos) {
      if (p < 32) maskLo[t] = (maskLo[t]! | (1 << p)) >>> 0
      else maskHi[t] = (maskHi[t]! | (1 << (p - 32))) >>> 0
    }
  })
  const salt = Uint32Array.from({length: L}, () => rng.u32())
  return {positions, maskLo, maskHi, salt}
}

/**
 * A 32-bit hash of a signature's sampled bits (murmur3's fmix32 steps): equal sampled bits, equal hash. It only
 * orders the buckets: two different bit patterns with one hash share a run of the sort, and their pairs are checked
 * and then dropped by the mask test, so the hash's quality changes the work, never the result.
 */
function bucketHash(lo: number, hi: number, salt: number): number {
  let h = Math.imul(hi ^ salt, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h ^ lo, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * Every pair at distance <= radius that shares a bucket (equal sampled bits) in some table, each reported once: in
 * the first table where it collides (a pair collided in table u < t exactly when its XOR is zero on u's sampled bits,
 * a mask test, so no earlier table is kept). Per table: the hash of each point's sampled bits, a two-pass LSD radix
 * sort of (hash, point, signature) by it, then a sequential scan of each run of equal hashes. Memory: 9 words per
 * point, whatever L; the pairs come out in a fixed order (tables, then hash, then point index). `tables` restricts the
 * scan to tables [from, to): the results of consecutive ranges, concatenated, are those of the whole range (the
 * first-table test needs only the earlier tables' masks), which is how near.ts splits the search over threads.
 */
export function allPairsWithin(sigs: Uint32Array, params: LshParams, tables: {from: number; to: number} = {from: 0, to: params.L}): AllPairsResult {
  checkParams(params)
  if (!(Number.isInteger(tables.from) && Number.isInteger(tables.to) && tables.from >= 0 && tables.from <= tables.to && tables.to <= params.L)) {
    throw new TcpError('input', `tables: expected a range within 0 to ${params.L}, got ${tables.from} to ${tables.to}`)
  }
  if (sigs.length % 2 !== 0) throw new TcpError('input', `signatures: expected an even number of words, got ${sigs.length}`)
  const n = sigs.length / 2
  const {radius} = params
  const {maskLo, maskHi, salt} = sampleTables(params)
  // Sort on bits = log2(n) + 1 of the hash: distinct bit patterns share a run with probability 2^-bits, about n / 4
  // extra candidate pairs per table, against the C(n, 2) / 2^k of the real buckets.
  const bits = Math.min(24, Math.max(2, Math.ceil(Math.log2(Math.max(2, n))) + 1))
  const b1 = bits >>> 1
  const low = (1 << b1) - 1
  const keys = new Uint32Array(n)
  const tmp = new Uint32Array(4 * n)
  const run = new Uint32Array(4 * n)
  const h1 = new Int32Array(1 << b1)
  const h2 = new Int32Array(1 << (bits - b1))
  const out = new PairList()
  let candidates = 0
  for (let t = tables.from; t < tables.to; t++) {
    const mLo = maskLo[t]!
    const mHi = maskHi[t]!
    const s = salt[t]!
    h1.fill(0)
    h2.fill(0)
    for (let i = 0; i < n; i++) {
      const key = bucketHash(sigs[2 * i]! & mLo, sigs[2 * i + 1]! & mHi, s) >>> (32 - bits)
      keys[i] = key
      h1[key & low]!++
      h2[key >>> b1]!++
    }
    exclusivePrefix(h1)
    exclusivePrefix(h2)
    for (let i = 0; i < n; i++) {
      const key = keys[i]!
      const r = 4 * h1[key & low]!++
      tmp[r] = key
      tmp[r + 1] = i
      tmp[r + 2] = sigs[2 * i]!
      tmp[r + 3] = sigs[2 * i + 1]!
    }
    for (let q = 0; q < 4 * n; q += 4) {
      const r = 4 * h2[tmp[q]! >>> b1]!++
      run[r] = tmp[q]!
      run[r + 1] = tmp[q + 1]!
      run[r + 2] = tmp[q + 2]!
      run[r + 3] = tmp[q + 3]!
    }
    let start = 0
    while (start < n) {
      const key = run[4 * start]!
      let end = start + 1
      while (end < n && run[4 * end] === key) end++
      candidates += ((end - start) * (end - start - 1)) / 2
      for (let a = start; a < end; a++) {
        const ilo = run[4 * a + 2]!
        const ihi = run[4 * a + 3]!
        for (let b = a + 1; b < end; b++) {
          const xlo = ilo ^ run[4 * b + 2]!
          const dlo = popcount32(xlo)
          if (dlo > radius) continue // most candidates end here, on one word
          const xhi = ihi ^ run[4 * b + 3]!
          if (dlo + popcount32(xhi) > radius) continue
          if (((xlo & mLo) | (xhi & mHi)) !== 0) continue // same hash, different sampled bits
          let seen = 0
          for (let u = 0; u < t; u++) seen |= +(((xlo & maskLo[u]!) | (xhi & maskHi[u]!)) === 0)
          if (seen) continue
          const i = run[4 * a + 1]!
          const j = run[4 * b + 1]!
          out.push(i < j ? i : j, i < j ? j : i)
        }
      }
      start = end
    }
  }
  return {pairs: out.toArray(), candidates}
}

function exclusivePrefix(h: Int32Array): void {
  let acc = 0
  for (let x = 0; x < h.length; x++) {
    const c = h[x]!
    h[x] = acc
    acc += c
  }
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
    const tables = sampleTables(params)
    this.samplers = tables.positions.map((pos) => BitSampler.forSignature(pos))
    this.maskLo = tables.maskLo
    this.maskHi = tables.maskHi
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

  /** Every pair at distance <= radius that shares a bucket in some table, each once: `allPairsWithin` on these tables. */
  allPairs(): AllPairsResult {
    return allPairsWithin(this.sigs, this.params)
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
