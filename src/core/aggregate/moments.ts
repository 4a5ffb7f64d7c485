/**
 * Exact moments of fixed-point observations and their merge by the parallel algorithm of Chan, Golub and LeVeque
 * ("Updating formulae and a pairwise algorithm for computing sample variances", 1979), with the between-group term.
 *
 * An observation x is quantised once, at the agent, to q = round(x * 10^decimals) (an integer). A group of n such
 * integers is summarised by three integers:
 *   n,  sum = sum(q),  m2n = n * M2 = n * sum(q^2) - sum^2,   where M2 = sum((q - mean)^2).
 * Chan's merge M2 = M2a + M2b + delta^2 * na * nb / n (delta = mean_b - mean_a) is, multiplied by n,
 *   m2n = (n * (nb * m2n_a + na * m2n_b) + (na * sum_b - nb * sum_a)^2) / (na * nb)
 * and the division is exact (the result equals n * sum(q^2) - sum^2 of the union), which mergeMoments checks, so
 * every verifier recomputes the same bytes in any merge order. Dropping the between-group term (the prototype's
 * bug) breaks that equality; the tests compare with one pass over all observations.
 *
 * What it does NOT guarantee: anything about x beyond its quantisation (values are rounded to 10^-decimals once).
 */
import {TcpError} from '../errors.js'

export interface Moments {
  n: bigint
  sum: bigint
  /** n * M2 (n times the sum of squared deviations), in (10^-decimals)^2 units. */
  m2n: bigint
}

export const EMPTY: Moments = Object.freeze({n: 0n, sum: 0n, m2n: 0n})
export const MAX_DECIMALS = 9

export function assertDecimals(d: number, what = 'decimals'): number {
  if (!Number.isSafeInteger(d) || d < 0 || d > MAX_DECIMALS) throw new TcpError('input', `${what}: expected an integer 0..${MAX_DECIMALS}, got ${JSON.stringify(d)}`)
  return d
}

/** round(x * 10^decimals) as a bigint; an x that is not finite or too large for an exact integer is an error. */
export function quantize(x: number, decimals: number, what = 'value'): bigint {
  const v = Math.round(x * 10 ** decimals)
  if (!Number.isFinite(x) || !Number.isSafeInteger(v)) throw new TcpError('input', `${what}: ${x} cannot be quantised to ${decimals} decimals exactly`)
  return BigInt(v)
}

/** One pass over quantised values: the reference every merge must equal. */
export function momentsOfQuantized(qs: Iterable<bigint>): Moments {
  let n = 0n
  let sum = 0n
  let sq = 0n
  for (const q of qs) {
    n++
    sum += q
    sq += q * q
  }
  return {n, sum, m2n: n * sq - sum * sum}
}

export function momentsOf(values: readonly number[], decimals: number): Moments {
  return momentsOfQuantized(values.map((x) => quantize(x, decimals)))
}

/** Chan et al.'s pairwise merge in exact integers (see the file comment). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0n) return b
  if (b.n === 0n) return a
  const n = a.n + b.n
  const d = a.n * b.sum - b.n * a.sum
  const num = n * (b.n * a.m2n + a.n * b.m2n) + d * d
  const den = a.n * b.n
  if (num % den !== 0n) throw new TcpError('input', 'moments: the merge is not exact: a child reports moments no set of integers can have')
  return {n, sum: a.sum + b.sum, m2n: num / den}
}

export function mergeAll(list: Iterable<Moments>): Moments {
  let acc = EMPTY
  for (const m of list) acc = mergeMoments(acc, m)
  return acc
}

/**
 * Moments some integers can have: n >= 0, m2n >= 0, m2n = 0 when n <= 1 and sum = 0 when n = 0. (Not sufficient
 * for existence; mergeMoments catches the remaining impossible ones when they meet.)
 */
export function checkMoments(m: Moments, what: string): Moments {
  if (m.n < 0n) throw new TcpError('input', `${what}.n: must not be negative, got ${m.n}`)
  if (m.m2n < 0n) throw new TcpError('input', `${what}.m2n: must not be negative, got ${m.m2n}`)
  if (m.n <= 1n && m.m2n !== 0n) throw new TcpError('input', `${what}.m2n: must be 0 for n = ${m.n}, got ${m.m2n}`)
  if (m.n === 0n && m.sum !== 0n) throw new TcpError('input', `${what}.sum: must be 0 for n = 0, got ${m.sum}`)
  // m2n = n * sum(q^2) - sum^2 for integers q, so m2n + sum^2 is a multiple of n (then every merge is exact).
  if (m.n > 0n && (m.m2n + m.sum * m.sum) % m.n !== 0n) throw new TcpError('input', `${what}: no ${m.n} integers have these moments (m2n + sum^2 is not a multiple of n)`)
  return m
}

/**
 * Moments of n integers with (about) this mean and sample variance: how a red-team harness forges a child that
 * still merges exactly. Not a statistic of real data.
 */
export function momentsFrom(n: number, mean: number, variance: number, decimals: number): Moments {
  const N = BigInt(n)
  const sum = quantize(mean * n, decimals, 'mean * n')
  if (n < 2) return checkMoments({n: N, sum: n === 0 ? 0n : sum, m2n: 0n}, 'moments')
  const target = BigInt(Math.round(variance * n * (n - 1) * 10 ** (2 * decimals)))
  const sq = (target + sum * sum + N / 2n) / N
  const m2n = N * sq - sum * sum
  return {n: N, sum, m2n: m2n < 0n ? 0n : m2n}
}

/** Mean in observation units (a float, for people and for the robust statistics). */
export function meanOf(m: Moments, decimals: number): number {
  return m.n === 0n ? 0 : ratio(m.sum, m.n) / 10 ** decimals
}

/** Sample variance (n - 1 denominator) in observation units squared. */
export function varianceOf(m: Moments, decimals: number): number {
  if (m.n < 2n) return 0
  return ratio(m.m2n, m.n * (m.n - 1n)) / 10 ** (2 * decimals)
}

/** a / b as a float to within one unit in the last place, for integers of any size (Number(a) / Number(b) overflows). Deterministic. */
export function ratio(a: bigint, b: bigint): number {
  if (b === 0n) throw new RangeError('ratio: division by zero')
  const neg = a < 0n !== b < 0n
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  // Scale so that the quotient has at least 64 significant bits, then divide in integers.
  const shift = Math.max(0, 64 - (x.toString(2).length - y.toString(2).length))
  const q = (x << BigInt(shift)) / y
  const r = Number(q) / 2 ** shift
  return neg ? -r : r
}

export interface EncodedMoments {
  n: string
  sum: string
  m2n: string
}

const INT_RE = /^(0|-?[1-9][0-9]{0,77})$/

export function encodeMoments(m: Moments): EncodedMoments {
  return {n: m.n.toString(), sum: m.sum.toString(), m2n: m.m2n.toString()}
}

export function decodeMoments(o: unknown, what: string): Moments {
  const e = o as Record<string, unknown>
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new TcpError('input', `${what}: expected an object`)
  for (const k of Object.keys(e)) if (!['n', 'sum', 'm2n'].includes(k)) throw new TcpError('input', `${what}: unknown field "${k}"`)
  const get = (k: string): bigint => {
    const v = e[k]
    if (typeof v !== 'string' || !INT_RE.test(v)) throw new TcpError('input', `${what}.${k}: expected a decimal integer string, got ${JSON.stringify(v)}`)
    return BigInt(v)
  }
  return checkMoments({n: get('n'), sum: get('sum'), m2n: get('m2n')}, what)
}
