/**
 * Tail probabilities the detectors state their false-positive rates with: the regularized incomplete gamma
 * functions (Numerical Recipes 2nd ed., section 6.2: series for x < a + 1, Lentz continued fraction otherwise),
 * giving the chi-square and Poisson tails, and the Benjamini-Hochberg step-up procedure (1995).
 * What they do NOT guarantee: more than about 1e-12 relative accuracy, or accuracy below 1e-300 (underflow to 0).
 */

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9). */
export function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x)
  x -= 1
  let a = c[0]!
  const t = x + 7.5
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i)
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a)
}

function gser(a: number, x: number): number {
  let sum = 1 / a
  let del = sum
  let ap = a
  for (let n = 0; n < 10_000; n++) {
    ap += 1
    del *= x / ap
    sum += del
    if (Math.abs(del) < Math.abs(sum) * 1e-15) break
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a))
}

function gcf(a: number, x: number): number {
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-15) break
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0
  return x < a + 1 ? gser(a, x) : 1 - gcf(a, x)
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), computed without cancellation in either tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1
  return x < a + 1 ? 1 - gser(a, x) : gcf(a, x)
}

/** P(X >= x) for X ~ chi-square with k degrees of freedom. */
export function chi2Sf(x: number, k: number): number {
  return gammaQ(k / 2, x / 2)
}

/** P(X >= c) for X ~ Poisson(lambda), c an integer (1 when c <= 0). */
export function poissonSf(c: number, lambda: number): number {
  if (c <= 0) return 1
  return gammaP(c, lambda)
}

/** Standard normal upper tail P(Z >= z) (via the chi-square with 1 degree of freedom). */
export function normalSf(z: number): number {
  return z >= 0 ? 0.5 * chi2Sf(z * z, 1) : 1 - 0.5 * chi2Sf(z * z, 1)
}

/**
 * Benjamini-Hochberg at level q: the indices whose p-values are rejected. Under the global null with independent
 * p-values it rejects anything with probability at most q (so it also bounds the family-wise rate of an honest
 * fleet); otherwise the expected fraction of false discoveries is at most q.
 */
export function benjaminiHochberg(p: Float64Array, q: number): Int32Array {
  const n = p.length
  const order = Int32Array.from({length: n}, (_, i) => i).sort((a, b) => p[a]! - p[b]!)
  let k = -1
  for (let r = n - 1; r >= 0; r--) {
    if (p[order[r]!]! <= (q * (r + 1)) / n) {
      k = r
      break
    }
  }
  return order.slice(0, k + 1).sort()
}

/** The q-quantile (0..1) of a sample, by sorting a copy (nearest rank). */
export function quantile(xs: Float64Array, q: number): number {
  const s = Float64Array.from(xs).sort()
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

export function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort()
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Median of the first len values of a (reordered in place), by quickselect: O(len) expected. */
export function medianInPlace(a: Float64Array, len = a.length): number {
  const select = (k: number): number => {
    let lo = 0
    let hi = len - 1
    while (lo < hi) {
      const pivot = a[(lo + hi) >> 1]!
      let i = lo
      let j = hi
      while (i <= j) {
        while (a[i]! < pivot) i++
        while (a[j]! > pivot) j--
        if (i <= j) {
          const t = a[i]!
          a[i] = a[j]!
          a[j] = t
          i++
          j--
        }
      }
      if (k <= j) hi = j
      else if (k >= i) lo = i
      else return a[k]!
    }
    return a[k]!
  }
  const m = len >> 1
  if (len % 2) return select(m)
  const hiV = select(m)
  let loV = -Infinity
  for (let i = 0; i < m; i++) if (a[i]! > loV) loV = a[i]!
  return (loV + hiV) / 2
}
