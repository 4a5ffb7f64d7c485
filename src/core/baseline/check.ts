/**
 * Checking a window of observations against a baseline, feature by feature, with the integer rule of bounds.ts
 * (the same rule the zero-knowledge circuits prove). A feature deviates when its window mean is beyond k sigma of
 * the baseline mean (z-test on the mean of n observations), when its spread exceeds the variance bound, or when an
 * observation cannot be represented in the baseline's fixed-point range.
 */
import {TcpError} from '../errors.js'
import {DEFAULT_VARIANCE_FACTOR, judgeWindow, parseK} from './bounds.js'
import type {ObservationSet} from './observations.js'
import type {Baseline} from './types.js'

export interface FeatureVerdict {
  feature: string
  n: number
  mean: number
  baselineMean: number
  z: number
  varianceRatio: number
  deviates: boolean
  reasons: string[]
}

export interface WindowReport {
  subject: string
  k: string
  varianceFactor: number
  observations: number
  features: FeatureVerdict[]
  deviating: string[]
}

export function checkWindow(baseline: Baseline, obs: ObservationSet, kText: string, varianceFactor = DEFAULT_VARIANCE_FACTOR): WindowReport {
  const k = parseK(kText)
  if (obs.rows.length === 0) throw new TcpError('input', 'window: no observations')
  const missing = Object.keys(baseline.features).filter((f) => !obs.features.includes(f))
  if (missing.length) throw new TcpError('input', `window: feature "${missing[0]}" of the baseline is missing from the window`)
  const features: FeatureVerdict[] = []
  for (const [name, stats] of Object.entries(baseline.features)) {
    const values = obs.rows.map((r) => r.values[name]!)
    const v = judgeWindow(values, stats, k, varianceFactor)
    const reasons: string[] = []
    if (v.unrepresentable) reasons.push(`${v.unrepresentable} observation(s) outside the baseline's fixed-point range`)
    if (!v.meanOk && !v.unrepresentable) reasons.push(`mean ${v.z > 0 ? 'above' : 'below'} ${kText} sigma (z = ${v.z.toFixed(2)})`)
    if (!v.varianceOk && !v.unrepresentable) reasons.push(`variance ${v.varianceRatio.toFixed(2)}x the baseline's (limit ${varianceFactor}x)`)
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    features.push({feature: name, n: v.n, mean: Number(mean.toPrecision(12)), baselineMean: stats.mean, z: Number(v.z.toFixed(4)), varianceRatio: Number(v.varianceRatio.toFixed(4)), deviates: reasons.length > 0, reasons})
  }
  return {subject: baseline.subject, k: kText, varianceFactor, observations: obs.rows.length, features, deviating: features.filter((f) => f.deviates).map((f) => f.feature)}
}
