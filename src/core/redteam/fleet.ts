/**
 * Seeded synthetic fleets for the red-team vectors: per-agent observation series of one feature, a history period
 * (what the agent's signed baseline was built from) followed by a monitored period in which attacks happen.
 * Agents differ (mean about N(100, 10), sd from 4 to 6), so a fleet-wide threshold on raw values cannot work and
 * every test has to standardise against the agent's own baseline, as tcp's baselines do.
 *
 * What it does NOT model: correlated features, diurnal cycles, heavy tails. Detection rates on real telemetry can
 * be lower; the false-positive rates here are those of Gaussian noise.
 */
import type {Rng} from '../rng.js'

export interface Fleet {
  agents: number
  /** Observations per agent in the history period (baselines are built from these). */
  history: number
  /** Observations per agent after the history (the monitored period; attack onsets are counted from its start). */
  steps: number
  /** Row-major, agents x (history + steps). */
  x: Float64Array
  trueMean: Float64Array
  trueSd: Float64Array
}

export function honestFleet(rng: Rng, agents: number, history: number, steps: number): Fleet {
  const t = history + steps
  const x = new Float64Array(agents * t)
  const trueMean = new Float64Array(agents)
  const trueSd = new Float64Array(agents)
  for (let a = 0; a < agents; a++) {
    const mu = rng.normal(100, 10)
    const sd = 4 + 2 * rng.float()
    trueMean[a] = mu
    trueSd[a] = sd
    const row = a * t
    for (let i = 0; i < t; i++) x[row + i] = rng.normal(mu, sd)
  }
  return {agents, history, steps, x, trueMean, trueSd}
}

export function copyFleet(f: Fleet): Fleet {
  return {...f, x: f.x.slice()}
}

/** `count` distinct agents, chosen by the generator (partial Fisher-Yates). */
export function pickAgents(rng: Rng, agents: number, count: number): Int32Array {
  const idx = new Int32Array(agents)
  for (let i = 0; i < agents; i++) idx[i] = i
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(agents - i)
    const tmp = idx[i]!
    idx[i] = idx[j]!
    idx[j] = tmp
  }
  return idx.slice(0, count).sort()
}

/** Adds `shift(step)` true standard deviations to each member's monitored observations (step 0 = start of the monitored period). */
export function applyShift(f: Fleet, members: ArrayLike<number>, shift: (step: number, member: number) => number): void {
  const t = f.history + f.steps
  for (let m = 0; m < members.length; m++) {
    const a = members[m]!
    const row = a * t + f.history
    for (let s = 0; s < f.steps; s++) {
      const d = shift(s, a)
      if (d !== 0) f.x[row + s]! += d * f.trueSd[a]!
    }
  }
}

/** Mean and sd of one agent's history: the baseline it was enrolled with. */
export function historyStats(f: Fleet, a: number): {mean: number; sd: number} {
  const t = f.history + f.steps
  const row = a * t
  let mean = 0, m2 = 0
  for (let i = 0; i < f.history; i++) {
    const v = f.x[row + i]!
    const d = v - mean
    mean += d / (i + 1)
    m2 += d * (v - mean)
  }
  return {mean, sd: Math.sqrt(m2 / (f.history - 1))}
}

/**
 * Two-sided normal critical value for tail probability p (Acklam's rational approximation of the inverse normal
 * CDF, relative error under 1.15e-9): zCritical(0.01) = 2.5758.
 */
export function zCritical(p: number): number {
  return -inverseNormal(p / 2)
}

export function inverseNormal(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const lo = 0.02425
  if (p <= 0 || p >= 1) throw new RangeError(`inverseNormal: p must be in (0, 1), got ${p}`)
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  }
  if (p > 1 - lo) return -inverseNormal(1 - p)
  const q = p - 0.5
  const r = q * q
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
}

/**
 * The undefended per-agent check: non-overlapping windows of `window` monitored observations, each a z-test of its
 * mean against the agent's history baseline (two-sample standard error), Bonferroni-corrected so that an honest agent is flagged with
 * probability at most `fpr` over the whole monitored period. Returns the first flagged step (end of the window,
 * counted from the start of the monitored period) or -1.
 */
export function perAgentWindowTest(f: Fleet, a: number, window: number, fpr: number, base = historyStats(f, a)): number {
  const windows = Math.floor(f.steps / window)
  const z = zCritical(fpr / windows)
  const t = f.history + f.steps
  const row = a * t + f.history
  // The baseline's mean is itself estimated from f.history observations: both variances count (two-sample z).
  const se = base.sd * Math.sqrt(1 / window + 1 / f.history)
  for (let w = 0; w < windows; w++) {
    let s = 0
    for (let i = 0; i < window; i++) s += f.x[row + w * window + i]!
    if (Math.abs(s / window - base.mean) / se > z) return (w + 1) * window
  }
  return -1
}
