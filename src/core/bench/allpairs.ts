/**
 * All-pairs near-duplicate search, LSH index against brute force, on the same 64-bit SimHash signatures (hashing
 * is shared by both and reported apart). Brute force runs in full up to `bruteMaxN`; above it, it runs on a seeded
 * sample of rows (each row against every later point) and its time is extrapolated from the measured ns per pair,
 * and recall is measured on the pairs of the sampled rows: both are labelled estimated. Times are CPU time of the
 * process (see harness timeMs), so that a loaded machine's run queue does not stretch them.
 */
import {allPairsWithin, bruteForcePairs, chooseParams, recallOf, type AllPairsResult} from '../lsh/bucket.js'
import {FleetData, type DataKind} from '../lsh/data.js'
import {SimHasher} from '../lsh/simhash.js'
import {Rng} from '../rng.js'
import {growthExponent, median, timeMs} from './harness.js'

export interface AllPairsOptions {
  sizes: number[]
  kinds: DataKind[]
  seed: number
  dim?: number
  radius?: number
  /** Largest n for which brute force runs in full (default 1e5). */
  bruteMaxN?: number
  /** Rows sampled for the estimate above bruteMaxN (default 2,000). */
  sampleRows?: number
  /** Timed repetitions of the LSH search (median reported; default 3). */
  lshReps?: number
  onProgress?: (s: string) => void
}

export interface AllPairsRow {
  kind: DataKind
  n: number
  k: number
  L: number
  radius: number
  hashMs: number
  /** Index build + all-pairs search, median of lshReps runs. */
  lshMs: number
  lshCandidates: number
  lshPairs: number
  bruteMs: number
  bruteEstimated: boolean
  /** ns per pair of the brute force loop (measured). */
  bruteNsPerPair: number
  truePairs: number
  recall: number
  recallEstimated: boolean
  speedup: number
}

export interface AllPairsReport {
  seed: number
  dim: number
  radius: number
  rows: AllPairsRow[]
  /** Per data kind: the fitted growth exponent of the LSH time over all sizes, and from 1e4 to 1e5 when both ran. */
  growth: Array<{kind: DataKind; exponentAll: number; exponent1e4to1e5: number | null; bruteExponentAll: number}>
}

function signatures(data: FleetData, hasher: SimHasher): Uint32Array {
  const v = new Float64Array(data.dim)
  const sigs = new Uint32Array(2 * data.n)
  for (let i = 0; i < data.n; i++) {
    data.vector(i, v)
    hasher.hashInto(v, 0, sigs, i)
  }
  return sigs
}

/** Pairs of `pairs` whose first element is one of `rows`. */
function restrictToRows(pairs: Int32Array, rows: Int32Array, n: number): Int32Array {
  const mark = new Uint8Array(n)
  for (const r of rows) mark[r] = 1
  const out: number[] = []
  for (let p = 0; p < pairs.length; p += 2) if (mark[pairs[p]!]) out.push(pairs[p]!, pairs[p + 1]!)
  return Int32Array.from(out)
}

export function runAllPairs(o: AllPairsOptions): AllPairsReport {
  const dim = o.dim ?? 64
  const radius = o.radius ?? 3
  const bruteMaxN = o.bruteMaxN ?? 100_000
  const sampleRows = o.sampleRows ?? 2000
  const reps = o.lshReps ?? 3
  const progress = o.onProgress ?? (() => {})
  const rows: AllPairsRow[] = []
  // Warm-up so that the first timed size does not pay for the JIT.
  const warm = new SimHasher({dim, seed: o.seed}).hashAll(new FleetData('fleet', 2000, dim, (o.seed ^ 1) >>> 0).all())
  for (let r = 0; r < 3; r++) {
    allPairsWithin(warm, chooseParams(2000, radius, o.seed))
    bruteForcePairs(warm, radius)
  }
  for (const kind of o.kinds) {
    for (const n of o.sizes) {
      progress(`all-pairs ${kind} n=${n}: hashing`)
      const data = new FleetData(kind, n, dim, o.seed)
      const hasher = new SimHasher({dim, seed: o.seed})
      const h = timeMs(() => signatures(data, hasher))
      const sigs = h.value
      const params = chooseParams(n, radius, o.seed)
      progress(`all-pairs ${kind} n=${n}: LSH (k=${params.k}, L=${params.L})`)
      let lsh: AllPairsResult | undefined
      const times: number[] = []
      for (let r = 0; r < reps; r++) {
        const t = timeMs(() => allPairsWithin(sigs, params))
        times.push(t.cpuMs)
        lsh = t.value
      }
      const estimated = n > bruteMaxN
      progress(`all-pairs ${kind} n=${n}: brute force${estimated ? ` on ${sampleRows} sampled rows` : ''}`)
      let sample: Int32Array | undefined
      if (estimated) {
        const rng = new Rng((o.seed ^ n) >>> 0) // >>> 0: a seed of 2^31 or more would turn negative
        sample = Int32Array.from({length: sampleRows}, () => rng.int(n)).sort()
        sample = sample.filter((x, i) => i === 0 || x !== sample![i - 1])
      }
      const b = timeMs(() => bruteForcePairs(sigs, radius, sample))
      const nsPerPair = (b.cpuMs * 1e6) / Math.max(1, b.value.candidates)
      const totalPairs = (n * (n - 1)) / 2
      const bruteMs = estimated ? (nsPerPair * totalPairs) / 1e6 : b.cpuMs
      const found = estimated ? restrictToRows(lsh!.pairs, sample!, n) : lsh!.pairs
      const rc = recallOf(found, b.value.pairs, n)
      const lshMs = median(times)
      rows.push({
        kind, n, k: params.k, L: params.L, radius, hashMs: h.cpuMs, lshMs, lshCandidates: lsh!.candidates, lshPairs: lsh!.pairs.length / 2,
        bruteMs, bruteEstimated: estimated, bruteNsPerPair: nsPerPair, truePairs: rc.truePairs, recall: rc.recall,
        recallEstimated: estimated, speedup: bruteMs / lshMs,
      })
    }
  }
  const growth = o.kinds.map((kind) => {
    const rs = rows.filter((r) => r.kind === kind)
    const a = rs.find((r) => r.n === 10_000)
    const b = rs.find((r) => r.n === 100_000)
    return {
      kind,
      exponentAll: growthExponent(rs.map((r) => r.n), rs.map((r) => r.lshMs)),
      exponent1e4to1e5: a && b ? growthExponent([a.n, b.n], [a.lshMs, b.lshMs]) : null,
      bruteExponentAll: growthExponent(rs.map((r) => r.n), rs.map((r) => r.bruteMs)),
    }
  })
  return {seed: o.seed, dim, radius, rows, growth}
}
