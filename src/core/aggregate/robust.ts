/**
 * Robust statistics of a node's children, which bound what any single child can do to its parent:
 *   median    (the median of the children's means: "median of means", each child being one block; Lugosi and
 *             Mendelson 2019): moves by at most one order statistic per corrupted child, whatever it reports;
 *   MAD       median absolute deviation from the median (scaled by 1.4826 to estimate a normal sd);
 *   trimmed   the mean after dropping floor(trim * k) children from each end.
 * Every value is computed from the children's numbers in a fixed order with IEEE-754 basic operations only, so
 * every verifier recomputes the same bits. What it does NOT guarantee: robustness once half the children (for the
 * median) or the trimmed fraction (for the trimmed mean) are corrupted.
 */
import {TcpError} from '../errors.js'

export const MAD_SCALE = 1.4826
export const DEFAULT_TRIM = 0.1

function sorted(xs: readonly number[]): number[] {
  for (const x of xs) if (!Number.isFinite(x)) throw new TcpError('input', `robust statistics: a value is not finite (${x})`)
  return [...xs].sort((a, b) => a - b)
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new TcpError('input', 'robust statistics: the median of no values')
  const s = sorted(xs)
  const h = s.length >> 1
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2
}

/** Median absolute deviation, scaled by 1.4826 (consistent for the normal sd). */
export function mad(xs: readonly number[], center = median(xs)): number {
  return MAD_SCALE * median(xs.map((x) => Math.abs(x - center)))
}

export function trimmedMean(xs: readonly number[], trim = DEFAULT_TRIM): number {
  if (!(trim >= 0 && trim < 0.5)) throw new TcpError('input', `trim: expected a fraction in [0, 0.5), got ${trim}`)
  const s = sorted(xs)
  if (s.length === 0) throw new TcpError('input', 'robust statistics: the trimmed mean of no values')
  const cut = Math.floor(trim * s.length)
  const kept = s.slice(cut, s.length - cut)
  let acc = 0
  for (const x of kept) acc += x
  return acc / kept.length
}

/** Median of means: the values split into `blocks` consecutive blocks, the median of the block means. */
export function medianOfMeans(xs: readonly number[], blocks: number): number {
  if (!Number.isSafeInteger(blocks) || blocks < 1 || blocks > xs.length) throw new TcpError('input', `blocks: expected 1..${xs.length}, got ${blocks}`)
  const means: number[] = []
  for (let b = 0; b < blocks; b++) {
    const lo = Math.floor((b * xs.length) / blocks)
    const hi = Math.floor(((b + 1) * xs.length) / blocks)
    let acc = 0
    for (let i = lo; i < hi; i++) acc += xs[i]!
    means.push(acc / (hi - lo))
  }
  return median(means)
}

/** Rounds to 12 significant digits so the JSON text of a float is the same wherever it is printed. */
export const r12 = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(12)))
