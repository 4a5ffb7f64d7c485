/**
 * The two change statistics every detector is built on, shared by the data path and the calibration simulations so
 * that a threshold is always computed for exactly the statistic it is applied to.
 *
 * Per agent (standardised series z, reference mean 0 and sd 1): the backward CUSUM. For each possible onset t, the
 * sum S_f(t) of z from t to the end is the cumulative sum read backwards; sum_f S_f(t)^2 / (T - t) is the
 * generalised likelihood ratio (x2) for "from t on, the mean moved by an unknown vector", chi-square with F degrees
 * of freedom at a fixed t. Its maximum over t, and the t that attains it (the onset), are what the detectors read.
 *
 * Fleet (the fleet-mean series, scaled by sqrt(n) so that an honest fleet has unit variance): per feature, the
 * two-sample z of "mean after t minus mean before t", with the noise scale taken as the larger of the theoretical 1
 * and a robust estimate from the series' own first differences (so that noise common to all agents, which the
 * theory ignores, widens the scale rather than raising false alarms).
 */
import {medianInPlace} from './stats.js'

/** Shortest tail a per-agent onset may have: a few observations, so one outlier cannot make a change. */
export function minSegment(T: number): number {
  return Math.max(3, Math.ceil(T / 40))
}

/**
 * Max over t in [t0, T - m] of sum_f S_f(t)^2 / (T - t). Writes [statistic, onset] into out. O(T * F).
 */
export function tailStatistic(z: Float64Array, T: number, F: number, t0: number, m: number, S: Float64Array, out: Float64Array): void {
  S.fill(0, 0, F)
  let best = -1
  let at = T - m
  for (let t = T - 1; t >= t0; t--) {
    let q = 0
    const row = t * F
    for (let f = 0; f < F; f++) {
      const s = (S[f]! += z[row + f]!)
      q += s * s
    }
    if (t <= T - m) {
      const v = q / (T - t)
      if (v > best) {
        best = v
        at = t
      }
    }
  }
  out[0] = best
  out[1] = at
}

/** Robust noise scale of a series from its first differences (MAD / 0.6745 / sqrt 2), at least `floor`. */
export function diffScale(x: Float64Array, T: number, F: number, f: number, floor: number, d: Float64Array): number {
  for (let t = 1; t < T; t++) d[t - 1] = x[t * F + f]! - x[(t - 1) * F + f]!
  const med = medianInPlace(d, T - 1)
  for (let t = 0; t < T - 1; t++) d[t] = Math.abs(d[t]! - med)
  return Math.max(floor, medianInPlace(d, T - 1) / 0.6744897501960817 / Math.SQRT2)
}

export interface ShiftResult {
  /** max |z| over onsets and features. */
  stat: number
  onset: number
  feature: number
  /** Signed z at the maximum. */
  z: number
  /** Mean after minus mean before at the maximum, in the series' units. */
  delta: number
}

/** Fleet change point: max over features f and t in [m, T - m] of |z_f(t)|. x is T * F, unit-variance scale. */
export function shiftStatistic(x: Float64Array, T: number, F: number, m: number, d: Float64Array): ShiftResult {
  let stat = -1
  let onset = m
  let feature = 0
  let zAt = 0
  let deltaAt = 0
  for (let f = 0; f < F; f++) {
    const s = diffScale(x, T, F, f, 1, d)
    let total = 0
    for (let t = 0; t < T; t++) total += x[t * F + f]!
    let before = 0
    for (let t = 1; t <= T - m; t++) {
      before += x[(t - 1) * F + f]!
      if (t < m) continue
      const delta = (total - before) / (T - t) - before / t
      const z = delta / (s * Math.sqrt(1 / t + 1 / (T - t)))
      if (Math.abs(z) > stat) {
        stat = Math.abs(z)
        onset = t
        feature = f
        zAt = z
        deltaAt = delta
      }
    }
  }
  return {stat, onset, feature, z: zAt, delta: deltaAt}
}

/** Mean and sample variance of x[t * F + f] for t in [0, len). */
export function windowMoments(x: Float64Array, F: number, f: number, len: number): [number, number] {
  let s = 0
  for (let t = 0; t < len; t++) s += x[t * F + f]!
  const mean = s / len
  let v = 0
  for (let t = 0; t < len; t++) {
    const d = x[t * F + f]! - mean
    v += d * d
  }
  return [mean, len > 1 ? v / (len - 1) : 0]
}

/** Median of chi-square(k) / k (Wilson-Hilferty), to turn a median of sample variances into a variance. */
export function chi2MedianOverK(k: number): number {
  const a = 2 / (9 * k)
  return (1 - a) ** 3
}
