/**
 * Calibration of the change statistics on honest fleets, by seeded simulation: honest agents are i.i.d. N(0, 1)
 * after standardisation, so the null distribution of a statistic depends only on (T, F, the reference mode and the
 * window), not on the data. Each distribution is simulated once per process (fixed seed, so the same input always
 * gets the same thresholds) and cached.
 *
 * Per-agent p-values: the maximum over onsets of a chi-square(F) process has a tail of the form
 * c * x^b * chi2Sf(x, F) (Siegmund's approximation for change-point likelihood ratios gives b = 1; measured here on
 * 300,000 simulated series, the ratio keeps growing beyond 1e-4, so b = 2 is used, which is conservative at every
 * level measured, 1e-2 to 1e-5). c is fitted on the simulation as the largest ratio of simulated tail to
 * x^2 * chi2Sf(x, F) at the 10%, 5%, 2%, 1% and 0.5% points, and p = min(1, c * x^2 * chi2Sf(x, F)); beyond the
 * simulated range this is an extrapolation, stated as such in docs/detect.md.
 */
import {Rng} from '../rng.js'
import {chi2MedianOverK, minSegment, shiftStatistic, tailStatistic, windowMoments} from './change.js'
import {chi2Sf, lnGamma, quantile} from './stats.js'

export type ReferenceMode = 'fleet' | 'self' | 'baseline'

export const CALIBRATION_SEED = 0x7c9d1e
export const AGENT_SIMULATIONS = 10_000
export const FLEET_SIMULATIONS = 10_000
/** Bound on the simulated values (sims x T x F): long series get fewer simulations, never fewer than MIN_SIMULATIONS. */
export const SIMULATION_BUDGET = 100_000_000
export const MIN_SIMULATIONS = 2_000

export function simulationsFor(max: number, T: number, F: number): number {
  return Math.max(MIN_SIMULATIONS, Math.min(max, Math.floor(SIMULATION_BUDGET / (T * F))))
}
/** Agents with a per-agent p-value at most this are candidates of the coordinated-onset scan. */
export const CANDIDATE_P = 0.05

export interface AgentNull {
  T: number
  F: number
  /** First onset the per-agent statistic considers (0, or the reference length in 'self' mode). */
  t0: number
  m: number
  /** The fitted c of p = c * x^2 * chi2Sf(x, F). */
  c: number
  /** Simulated statistics and their onsets. */
  stats: Float64Array
  onsets: Int32Array
  sims: number
}

export interface FleetNull {
  T: number
  F: number
  m: number
  /** Sorted simulated max |z|. */
  sorted: Float64Array
  sims: number
}

const agentCache = new Map<string, AgentNull>()
const fleetCache = new Map<string, FleetNull>()

/** Standardises in place with the mean and sd of the first refLen observations (the 'self' reference). */
export function selfStandardise(x: Float64Array, T: number, F: number, refLen: number): void {
  for (let f = 0; f < F; f++) {
    const [mean, v] = windowMoments(x, F, f, refLen)
    const sd = Math.sqrt(v) || 1e-12
    for (let t = 0; t < T; t++) x[t * F + f] = (x[t * F + f]! - mean) / sd
  }
}

export function agentStart(mode: ReferenceMode, refLen: number): number {
  return mode === 'self' ? refLen : 0
}

/**
 * Standard errors of the 'fleet' reference, which is estimated, not known: the median over n agents of their window
 * means (each N(0, 1/refLen)) and of their window variances (each chi-square(k)/k, k = refLen - 1), by the asymptotic
 * variance of a sample median, 1 / (4 n f(median)^2). The calibration draws one reference error per simulated
 * series from these, so that p-values hold for a reference that is itself noisy (a short window, a small fleet).
 */
export function fleetReferenceError(n: number, refLen: number): {meanSd: number; varRatioSd: number} {
  const k = Math.max(1, refLen - 1)
  const m = chi2MedianOverK(k)
  const x = k * m
  const f = k * Math.exp((k / 2 - 1) * Math.log(x) - x / 2 - (k / 2) * Math.LN2 - lnGamma(k / 2))
  return {meanSd: Math.sqrt(Math.PI / 2 / (n * refLen)), varRatioSd: 1 / (2 * Math.sqrt(n) * f * m)}
}

/** The null of the per-agent statistic; in 'fleet' mode pass the fleet size, whose reference error it includes. */
export function agentNull(T: number, F: number, mode: ReferenceMode, refLen: number, n = 0): AgentNull {
  const self = mode === 'self'
  const noisy = mode === 'fleet' && n > 0 ? fleetReferenceError(n, refLen) : null
  const key = `${T}/${F}/${self ? refLen : noisy ? `fleet/${refLen}/${n}` : 'known'}`
  const hit = agentCache.get(key)
  if (hit) return hit
  const rng = new Rng(CALIBRATION_SEED)
  // Reference errors come from their own stream: the honest series are the same draws as with a known reference.
  const refRng = new Rng(CALIBRATION_SEED ^ 0x2ef)
  const N = simulationsFor(AGENT_SIMULATIONS, T, F)
  const t0 = agentStart(mode, refLen)
  const m = minSegment(T)
  const z = new Float64Array(T * F)
  const S = new Float64Array(F)
  const out = new Float64Array(2)
  const stats = new Float64Array(N)
  const onsets = new Int32Array(N)
  for (let s = 0; s < N; s++) {
    for (let j = 0; j < z.length; j++) z[j] = rng.normal()
    if (self) selfStandardise(z, T, F, refLen)
    if (noisy)
      for (let f = 0; f < F; f++) {
        const shift = noisy.meanSd * refRng.normal()
        const scale = 1 / Math.sqrt(Math.max(0.1, 1 + noisy.varRatioSd * refRng.normal()))
        for (let t = 0; t < T; t++) z[t * F + f] = (z[t * F + f]! - shift) * scale
      }
    tailStatistic(z, T, F, t0, m, S, out)
    stats[s] = out[0]!
    onsets[s] = out[1]!
  }
  let c = 0
  for (const q of [0.1, 0.05, 0.02, 0.01, 0.005]) {
    const x = quantile(stats, 1 - q)
    let above = 0
    for (let s = 0; s < N; s++) above += +(stats[s]! >= x)
    c = Math.max(c, above / N / (x * x * chi2Sf(x, F)))
  }
  const r: AgentNull = {T, F, t0, m, c, stats, onsets, sims: N}
  agentCache.set(key, r)
  return r
}

/** Conservative per-agent p-value of a backward-CUSUM statistic s. */
export function agentP(nul: AgentNull, s: number): number {
  return Math.min(1, nul.c * s * s * chi2Sf(s, nul.F))
}

export function fleetNull(T: number, F: number): FleetNull {
  const key = `${T}/${F}`
  const hit = fleetCache.get(key)
  if (hit) return hit
  const rng = new Rng(CALIBRATION_SEED ^ 0x5eed)
  const N = simulationsFor(FLEET_SIMULATIONS, T, F)
  const m = minSegment(T)
  const x = new Float64Array(T * F)
  const d = new Float64Array(T)
  const stats = new Float64Array(N)
  for (let s = 0; s < N; s++) {
    for (let j = 0; j < x.length; j++) x[j] = rng.normal()
    stats[s] = shiftStatistic(x, T, F, m, d).stat
  }
  const r: FleetNull = {T, F, m, sorted: stats.sort(), sims: N}
  fleetCache.set(key, r)
  return r
}

/** Empirical p-value (count of simulated >= s, plus one, over sims plus one): never below 1 / (sims + 1). */
export function fleetP(nul: FleetNull, s: number): number {
  let lo = 0
  let hi = nul.sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (nul.sorted[mid]! < s) lo = mid + 1
    else hi = mid
  }
  return (nul.sorted.length - lo + 1) / (nul.sims + 1)
}
