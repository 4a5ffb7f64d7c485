/**
 * Per-feature statistics with Welford's online algorithm (Welford 1962; Knuth TAOCP vol. 2, 4.2.2), which stays
 * accurate where the naive sum-of-squares formula cancels catastrophically. Variance is the sample variance
 * (n - 1 denominator).
 */
import {TcpError} from '../errors.js'
import type {FeatureStats, FixedPoint} from './types.js'

export class Welford {
  n = 0
  mean = 0
  m2 = 0
  min = Infinity
  max = -Infinity

  push(x: number): void {
    this.n++
    const d = x - this.mean
    this.mean += d / this.n
    this.m2 += d * (x - this.mean)
    if (x < this.min) this.min = x
    if (x > this.max) this.max = x
  }

  /** Adds another accumulator's observations (Chan, Golub and LeVeque 1979, the pairwise update). */
  merge(o: {n: number; mean: number; m2: number; min: number; max: number}): void {
    if (o.n === 0) return
    if (this.n === 0) {
      Object.assign(this, {n: o.n, mean: o.mean, m2: o.m2, min: o.min, max: o.max})
      return
    }
    const n = this.n + o.n
    const d = o.mean - this.mean
    this.mean += (d * o.n) / n
    this.m2 += o.m2 + (d * d * this.n * o.n) / n
    this.n = n
    if (o.min < this.min) this.min = o.min
    if (o.max > this.max) this.max = o.max
  }

  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : 0
  }
}

/**
 * The fixed-point form (see types.ts). offset = floor(min - 8 sd) so that values far below the baseline still map
 * to non-negative integers; decimals is the largest d <= 6 with (max + 8 sd - offset) * 10^d < 2^26, which keeps
 * values, and the variance in scale^2 units, exactly representable (variance < 2^52).
 */
export function fixedPointOf(w: Welford, name = 'feature'): FixedPoint {
  const sd = Math.sqrt(w.variance)
  const offset = Math.floor(w.min - 8 * sd)
  const span = w.max + 8 * sd - offset + 1
  let decimals = 6
  while (decimals > 0 && span * 10 ** decimals >= 2 ** 26) decimals--
  const scale = 10 ** decimals
  const fx = (x: number) => Math.round((x - offset) * scale)
  const fixed: FixedPoint = {
    scale,
    decimals,
    offset,
    bits: 32,
    mean: fx(w.mean),
    variance: Math.round(w.variance * scale * scale),
    min: fx(w.min),
    max: fx(w.max),
  }
  // Even with no decimals the range may not fit: the baseline's reader (and the proofs) need values below 2^32
  // and an exactly representable variance. Refuse here, naming the feature, rather than write a baseline that
  // tcp sign then refuses.
  if (!(fixed.max < 2 ** 32) || !Number.isSafeInteger(fixed.variance) || !Number.isSafeInteger(offset))
    throw new TcpError(
      'input',
      `feature "${name}": values from ${w.min} to ${w.max} (sd ${Number(Math.sqrt(w.variance).toPrecision(6))}) do not fit the 32-bit fixed-point form (needs max + 8 sd - (min - 8 sd) below 2^32 = 4294967296 and a variance below 2^53); rescale the feature (e.g. seconds instead of milliseconds)`,
    )
  return fixed
}

/** Rounds to 12 significant digits so that the JSON text is stable across platforms' last-bit differences. */
const r12 = (x: number) => Number(x.toPrecision(12))

export function featureStats(w: Welford, name?: string): FeatureStats {
  return {
    count: w.n,
    mean: r12(w.mean),
    variance: r12(w.variance),
    sd: r12(Math.sqrt(w.variance)),
    min: w.min,
    max: w.max,
    fixed: fixedPointOf(w, name),
  }
}
