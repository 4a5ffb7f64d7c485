/**
 * The exact integer rule that decides whether a window of n observations stays within a baseline, shared by
 * `tcp baseline check` and the zero-knowledge circuits (issue: prove), so the proof and the check always agree.
 *
 * In fixed-point units (types.ts): mu = fixed.mean, v = fixed.variance, k = kNum / kDen (a decimal given by the
 * user, at most 6 decimals). The mean test is the z-test on the window mean,
 *     |sum(x) - n*mu| <= k * sqrt(v) * sqrt(n)
 * which for integers is exactly |sum(x) - n*mu| <= delta, delta = floor(isqrt(kNum^2 * v * n) / kDen), so
 *     lower = n*mu - delta <= sum(x) <= n*mu + delta = upper.
 * The variance test bounds the window's population variance by vmax = v * varianceFactor (default 4: the window's
 * standard deviation may be at most twice the baseline's):
 *     n * sum(x^2) - sum(x)^2 <= n^2 * vmax.
 * Derivation of delta: for an integer d, |d| <= sqrt(X)/kDen  <=>  |d|*kDen <= isqrt(X)  <=>  |d| <= floor(isqrt(X)/kDen).
 */
import {TcpError} from '../errors.js'
import type {FeatureStats} from './types.js'

export const DEFAULT_K = '3'
export const DEFAULT_VARIANCE_FACTOR = 4

export interface Rational {
  num: bigint
  den: bigint
}

/** Parses k ("3", "2.5", "0.125"): a positive decimal with at most 6 decimals, up to 1000. */
export function parseK(k: string | number): Rational {
  const s = String(k).trim()
  const m = /^(\d{1,4})(?:\.(\d{1,6}))?$/.exec(s)
  if (!m) throw new TcpError('usage', `k: expected a positive decimal such as 3 or 2.5 (at most 6 decimals), got ${JSON.stringify(s)}`)
  const frac = m[2] ?? ''
  const den = 10n ** BigInt(frac.length)
  const num = BigInt(m[1]! + frac)
  if (num === 0n) throw new TcpError('usage', `k: must be greater than 0, got ${s}`)
  if (num > 1000n * den) throw new TcpError('usage', `k: at most 1000, got ${s}`)
  return {num, den}
}

/** floor(sqrt(x)) for x >= 0 (Newton's method on bigint). */
export function isqrt(x: bigint): bigint {
  if (x < 0n) throw new RangeError('isqrt of a negative number')
  if (x < 2n) return x
  let r = BigInt(Math.floor(Math.sqrt(Number(x))))
  // Correct the float estimate in both directions.
  while (r * r > x) r--
  while ((r + 1n) * (r + 1n) <= x) r++
  return r
}

export interface WindowBounds {
  n: number
  k: Rational
  /** Baseline mean and variance in fixed-point units. */
  mu: bigint
  variance: bigint
  delta: bigint
  /** Inclusive bounds on sum(x) of the n fixed-point observations. */
  sumLower: bigint
  sumUpper: bigint
  varianceFactor: number
  /** vmax = variance * varianceFactor; the test is n*sum(x^2) - sum(x)^2 <= n^2 * vmax. */
  vmax: bigint
}

export function windowBounds(
  feature: Pick<FeatureStats, 'fixed'>,
  n: number,
  k: Rational,
  varianceFactor: number = DEFAULT_VARIANCE_FACTOR,
): WindowBounds {
  if (!Number.isSafeInteger(n) || n < 1) throw new TcpError('input', `window: expected at least 1 observation, got ${n}`)
  if (!Number.isSafeInteger(varianceFactor) || varianceFactor < 1)
    throw new TcpError('usage', `variance factor: expected a positive integer, got ${varianceFactor}`)
  const mu = BigInt(feature.fixed.mean)
  const variance = BigInt(feature.fixed.variance)
  const N = BigInt(n)
  const delta = isqrt(k.num * k.num * variance * N) / k.den
  return {
    n,
    k,
    mu,
    variance,
    delta,
    sumLower: N * mu - delta,
    sumUpper: N * mu + delta,
    varianceFactor,
    vmax: variance * BigInt(varianceFactor),
  }
}

/** Maps an observation to its fixed-point integer, or null when it falls outside [0, 2^bits). */
export function toFixed(x: number, fixed: FeatureStats['fixed']): bigint | null {
  if (!Number.isFinite(x)) return null
  const v = Math.round((x - fixed.offset) * fixed.scale)
  if (!Number.isSafeInteger(v) || v < 0 || v >= 2 ** fixed.bits) return null
  return BigInt(v)
}

export interface WindowVerdict {
  n: number
  sum: bigint
  sumSquares: bigint
  bounds: WindowBounds
  meanOk: boolean
  varianceOk: boolean
  /** Observations that fell outside the representable range [0, 2^bits): the window cannot pass. */
  unrepresentable: number
  /** z = (sum - n*mu) / sqrt(v * n), for people; the verdict uses the integer rule, not this float. */
  z: number
  /** Window population variance / baseline variance, for people. */
  varianceRatio: number
}

export function judgeWindow(
  values: readonly number[],
  feature: Pick<FeatureStats, 'fixed'>,
  k: Rational,
  varianceFactor: number = DEFAULT_VARIANCE_FACTOR,
): WindowVerdict {
  const bounds = windowBounds(feature, values.length, k, varianceFactor)
  let sum = 0n
  let sumSquares = 0n
  let unrepresentable = 0
  for (const x of values) {
    const f = toFixed(x, feature.fixed)
    if (f === null) {
      unrepresentable++
      continue
    }
    sum += f
    sumSquares += f * f
  }
  const N = BigInt(values.length)
  const spread = N * sumSquares - sum * sum
  const meanOk = unrepresentable === 0 && sum >= bounds.sumLower && sum <= bounds.sumUpper
  const varianceOk = unrepresentable === 0 && spread <= N * N * bounds.vmax
  const v = Number(bounds.variance)
  const z = v > 0 ? Number(sum - N * bounds.mu) / Math.sqrt(v * values.length) : sum === N * bounds.mu ? 0 : Infinity
  const varianceRatio = v > 0 ? Number(spread) / Number(N * N) / v : spread === 0n ? 0 : Infinity
  return {n: values.length, sum, sumSquares, bounds, meanOk, varianceOk, unrepresentable, z, varianceRatio}
}
