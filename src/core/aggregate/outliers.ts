/**
 * The outlier test a parent applies to its children before merging them: each child is compared with its siblings
 * on robust z-scores, z = (value - median of the siblings' values) / max(MAD of them, floor), for
 *   mean-shift      the child's merged mean, feature by feature;
 *   robust-shift    the child's robust centre (what a parent's median of means uses), feature by feature;
 *   variance-ratio  the log of the child's sample variance (a ratio to the siblings' median on a log scale);
 *   count           the log of observations per leaf (inflated counts weigh more in a weighted mean).
 * A child is an outlier when |z| > threshold on any of them. The default threshold, 8, was calibrated on honest
 * seeded fleets (bench/aggregate.mjs --calibrate; docs/aggregate.md): the measured false-positive rate per child
 * was 0.0025 (5 of 2,000 honest children, 10 siblings each), where 6 gave 0.014. With fewer than MIN_SIBLINGS
 * children nothing is tested (the MAD of 3 values says nothing): a last, partial group may go untested.
 *
 * What it does NOT catch: a child whose numbers stay within the siblings' spread (a small shift, a mild variance
 * cut); those move the robust statistics by at most one order statistic each, which is what bounds them. Nor a
 * majority of corrupted siblings.
 */
import {TcpError} from '../errors.js'
import {mad, median, r12} from './robust.js'

export const DEFAULT_THRESHOLD = 8
export const MIN_SIBLINGS = 5
export type OutlierStatistic = 'mean-shift' | 'robust-shift' | 'variance-ratio' | 'count'

/** What the test reads from a child. */
export interface ChildSummary {
  id: string
  /** Agents under the child (1 for a baseline). */
  leaves: number
  /** Observations (same for every feature). */
  n: number
  features: Record<string, {mean: number; variance: number; center: number}>
}

export interface OutlierFinding {
  child: number
  id: string
  statistic: OutlierStatistic
  feature: string | null
  value: number
  siblingsMedian: number
  z: number
  threshold: number
}

export interface OutlierOptions {
  threshold?: number
  minSiblings?: number
}

function zScores(values: number[], floor: number): {z: number[]; med: number} {
  const med = median(values)
  const scale = Math.max(mad(values, med), floor)
  return {z: values.map((v) => (v - med) / scale), med}
}

/** Every finding among the children, in child order then statistic order. Empty when fewer than minSiblings. */
export function outlierTest(children: readonly ChildSummary[], opts: OutlierOptions = {}): OutlierFinding[] {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD
  const minSiblings = opts.minSiblings ?? MIN_SIBLINGS
  if (!(threshold > 0) || !Number.isFinite(threshold)) throw new TcpError('usage', `outlier threshold: expected a positive number, got ${threshold}`)
  if (children.length < minSiblings) return []
  const names = Object.keys(children[0]!.features).sort()
  const findings: OutlierFinding[] = []
  const add = (statistic: OutlierStatistic, feature: string | null, values: number[], floor: number) => {
    const {z, med} = zScores(values, floor)
    z.forEach((zi, i) => {
      if (Math.abs(zi) > threshold)
        findings.push({child: i, id: children[i]!.id, statistic, feature, value: r12(values[i]!), siblingsMedian: r12(med), z: r12(zi), threshold})
    })
  }
  for (const f of names) {
    const fs = children.map((c) => {
      const v = c.features[f]
      if (!v) throw new TcpError('input', `child ${c.id}: feature "${f}" is missing (its siblings have it)`)
      return v
    })
    const sdFloor = Math.max(1e-3 * Math.sqrt(median(fs.map((v) => v.variance))), 1e-12)
    add('mean-shift', f, fs.map((v) => v.mean), sdFloor)
    if (fs.some((v) => v.center !== v.mean)) add('robust-shift', f, fs.map((v) => v.center), sdFloor)
    // log(0) for a child with no spread at all: treat it as 300 orders of magnitude below, which any test flags.
    add('variance-ratio', f, fs.map((v) => (v.variance > 0 ? Math.log(v.variance) : -690)), 0.01)
  }
  add('count', null, children.map((c) => Math.log(Math.max(c.n, 1) / Math.max(c.leaves, 1))), 0.01)
  return findings.sort((a, b) => a.child - b.child)
}

/** Probability that none of `poisoned` corrupted nodes among `total` lies on `sampled` paths drawn without
 * replacement from `total` equally likely subtrees (hypergeometric): what --audit --sample prints. */
export function escapeProbability(total: number, poisoned: number, sampled: number): number {
  if (poisoned <= 0) return 1
  if (sampled >= total) return 0
  let p = 1
  for (let i = 0; i < sampled; i++) p *= (total - poisoned - i) / (total - i)
  return Math.max(p, 0)
}
