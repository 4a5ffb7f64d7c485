/**
 * `tcp bench`: every measurement of the topic in one report, and the seed's claims beside the figures, each marked
 * holds / does not hold / not measured. Nothing here asserts a time: it measures and says what it found.
 */
import {runAllPairs, type AllPairsReport} from './allpairs.js'
import {runCrypto, type CryptoReport} from './crypto.js'
import {runCt, type CtReport} from './ct.js'
import {measurePaths, type PathsReport, CRITICAL_BUDGET_NS, SIMHASH64_BUDGET_NS} from './paths.js'
import type {DataKind} from '../lsh/data.js'
import {TcpError} from '../errors.js'

export const SECTIONS = ['paths', 'lsh', 'crypto', 'ct'] as const
export type Section = (typeof SECTIONS)[number]

export interface BenchOptions {
  seed: number
  quick: boolean
  sections: Section[]
  /** All-pairs sizes (default 1e3, 1e4 quick; 1e3 to 1e6 full). */
  sizes?: number[]
  kinds?: DataKind[]
  onProgress?: (s: string) => void
}

export type ClaimStatus = 'holds' | 'does not hold' | 'not measured'

export interface Claim {
  claim: string
  status: ClaimStatus
  measured: string
}

export interface BenchReport {
  seed: number
  quick: boolean
  node: string
  paths?: PathsReport
  allPairs?: AllPairsReport
  crypto?: CryptoReport
  ct?: CtReport
  claims: Claim[]
}

export const SPEEDUP_CLAIM = 374.4
export const RECALL_TARGET = 0.95
export const EXPONENT_TARGET = 1.2

export function evaluateClaims(r: Pick<BenchReport, 'paths' | 'allPairs'>): Claim[] {
  const claims: Claim[] = []
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
  if (r.paths) {
    const crit = r.paths.paths.filter((p) => p.budgetNs === CRITICAL_BUDGET_NS)
    claims.push({
      claim: `critical paths under ${CRITICAL_BUDGET_NS} ns (descriptor decision, bit-sampling key, Hamming distance)`,
      status: crit.length === 3 && crit.every((p) => p.withinBudget) ? 'holds' : 'does not hold',
      measured: crit.map((p) => `${p.name}: ${fmt(p.nsMedian)} ns median, ${fmt(p.nsP99)} ns p99`).join('; '),
    })
    const sim = r.paths.paths.filter((p) => p.budgetNs === SIMHASH64_BUDGET_NS)
    for (const p of sim)
      claims.push({claim: `${p.name} within ${SIMHASH64_BUDGET_NS} ns`, status: p.withinBudget ? 'holds' : 'does not hold', measured: `${fmt(p.nsMedian)} ns median`})
  } else {
    claims.push({claim: `critical paths under ${CRITICAL_BUDGET_NS} ns`, status: 'not measured', measured: 'run with the paths section'})
  }
  const rows = r.allPairs?.rows.filter((x) => x.n === 100_000) ?? []
  if (rows.length >= 2) {
    const ok = rows.every((x) => x.speedup >= SPEEDUP_CLAIM && x.recall >= RECALL_TARGET)
    claims.push({
      claim: `all-pairs at n = 1e5 at least ${SPEEDUP_CLAIM}x faster than brute force with recall >= ${RECALL_TARGET} on both data sets`,
      status: ok ? 'holds' : 'does not hold',
      measured: rows.map((x) => `${x.kind}: ${fmt(x.speedup)}x${x.bruteEstimated ? ' (brute force estimated)' : ''}, recall ${x.recall.toFixed(4)}`).join('; '),
    })
  } else claims.push({claim: `${SPEEDUP_CLAIM}x at n = 1e5`, status: 'not measured', measured: 'needs the lsh section at n = 100000 (not in --quick)'})
  const growth = r.allPairs?.growth.filter((g) => g.exponent1e4to1e5 !== null) ?? []
  if (growth.length >= 2) {
    claims.push({
      claim: `O(n log n): LSH growth exponent from n = 1e4 to 1e5 at most ${EXPONENT_TARGET}`,
      status: growth.every((g) => g.exponent1e4to1e5! <= EXPONENT_TARGET) ? 'holds' : 'does not hold',
      measured: growth.map((g) => `${g.kind}: ${g.exponent1e4to1e5!.toFixed(2)} (all sizes ${g.exponentAll.toFixed(2)}; brute force ${g.bruteExponentAll.toFixed(2)})`).join('; '),
    })
  } else claims.push({claim: 'O(n log n)', status: 'not measured', measured: 'needs the lsh section at n = 1e4 and 1e5 (not in --quick)'})
  return claims
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  if (o.sections.length === 0) throw new TcpError('usage', 'sections: expected at least one of paths, lsh, crypto, ct')
  const q = o.quick
  const report: BenchReport = {seed: o.seed, quick: q, node: process.version, claims: []}
  const progress = o.onProgress ?? (() => {})
  if (o.sections.includes('paths'))
    report.paths = measurePaths(o.seed, {samples: q ? 31 : 201, sampleUs: q ? 200 : 1000, warmupMs: q ? 30 : 200, onProgress: progress})
  if (o.sections.includes('lsh'))
    report.allPairs = runAllPairs({
      seed: o.seed,
      sizes: o.sizes ?? (q ? [1000, 10_000] : [1000, 10_000, 100_000, 1_000_000]),
      kinds: o.kinds ?? ['uniform', 'fleet'],
      lshReps: q ? 3 : 5,
      onProgress: progress,
    })
  if (o.sections.includes('crypto'))
    report.crypto = await runCrypto({seed: o.seed, bytes: q ? 1 << 18 : 1 << 20, reps: q ? 5 : 15, signOps: q ? 100 : 500, onProgress: progress})
  if (o.sections.includes('ct')) report.ct = runCt({seed: o.seed, measurements: q ? 3000 : 20_000, reps: q ? 3 : 5, onProgress: progress})
  report.claims = evaluateClaims(report)
  return report
}
