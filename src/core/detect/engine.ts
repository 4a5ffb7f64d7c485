/**
 * The detection engine: two passes over a FleetSource, agent by agent, then every selected detector on the shared
 * statistics. Memory is O(n * F), plus n * d float32 block means for the clone detector (d about 64), plus the T * F series of one agent; time is O(n * T * F) for the statistics plus
 * the LSH search (near-linear in n for fleets without huge near-identical groups).
 *
 *  pass 1: per agent, the mean and variance of its reference window (the first min(window, T / 2) observations);
 *          then the reference: 'fleet' = per feature the median over agents of the window means and of the window
 *          variances (robust to a minority of attackers), 'self' = each agent's own window, 'baseline' = a signed
 *          baseline's mean and sd;
 *  pass 2: per agent, the standardised series, its backward-CUSUM statistic and onset, the fleet-mean series, and
 *          (for the clone detector) its block means; then each agent's block means minus the fleet's (the clone
 *          detector hashes them).
 *
 * What it does NOT guarantee: that a mixed-role fleet is judged fairly in 'fleet' mode (agents whose normal
 * behaviour differs from the fleet median look drifted from the first observation; use 'self' or one baseline per
 * role), or that dependent features keep the stated rates (every rate assumes independent, roughly Gaussian noise).
 */
import {TcpError} from '../errors.js'
import {agentNull, agentP, agentStart, type ReferenceMode} from './calibrate.js'
import {chi2MedianOverK, minSegment, tailStatistic, windowMoments} from './change.js'
import {DETECTORS} from './detectors.js'
import type {FleetSource} from './fleet.js'
import {median} from './stats.js'
import {DETECTOR_NAMES, type DetectContext, type DetectorName, type Finding, type FprStatement, type Reference} from './types.js'

export const DEFAULT_WINDOW = 60
export const DEFAULT_FPR = 0.01
/** Standardised values are clamped to this many sd (far beyond any honest value, still an extreme finding). */
export const Z_CLAMP = 50

export interface BaselineReference {
  /** Where it came from, e.g. "signed baseline fleet-2026 v3 (signer alice)". */
  from: string
  mean: Record<string, number>
  sd: Record<string, number>
}

export interface DetectOptions {
  window?: number
  /** The run's false-positive rate on an honest fleet, split equally across the selected detectors. */
  fpr?: number
  reference?: 'fleet' | 'self' | BaselineReference
  detectors?: readonly DetectorName[]
  /** Seed of the clone detector's SimHash hyperplanes and LSH tables (default 1). */
  seed?: number
  onProgress?: (line: string) => void
}

export interface DetectorReport extends FprStatement {
  findings: number
  skipped?: string
  notes?: string[]
}

export interface DetectReport {
  agents: number
  observations: number
  features: string[]
  window: number
  referenceWindow: number
  reference: {mode: ReferenceMode; from: string}
  fpr: {run: number; perDetector: number}
  detectors: Partial<Record<DetectorName, DetectorReport>>
  findings: Finding[]
  /** Agents named by a finding (drift, coordinated-onset members, clone members); fleet-shift names nobody. */
  flaggedAgents: string[]
  /** Per feature, the fleet-mean series in reference standard deviations (for the timeline). */
  fleetMean: Record<string, number[]>
  times: {first: string | null; last: string | null}
  timingsMs: Record<string, number>
}

function checkOptions(src: FleetSource, o: DetectOptions): {window: number; fpr: number; detectors: DetectorName[]} {
  const window = o.window ?? DEFAULT_WINDOW
  const fpr = o.fpr ?? DEFAULT_FPR
  if (!Number.isSafeInteger(window) || window < 2) throw new TcpError('usage', `window: expected an integer of at least 2 observations, got ${window}`)
  if (!(fpr > 0 && fpr < 0.5)) throw new TcpError('usage', `fpr: expected a number between 0 and 0.5, got ${fpr}`)
  const detectors = [...(o.detectors ?? DETECTOR_NAMES)]
  for (const d of detectors) if (!(d in DETECTORS)) throw new TcpError('usage', `detector: expected one of ${DETECTOR_NAMES.join(', ')}, got ${d}`)
  if (detectors.length === 0) throw new TcpError('usage', 'detectors: at least one')
  if (src.agents < 2) throw new TcpError('input', `agents: expected at least 2, got ${src.agents}`)
  if (src.observations < 8) throw new TcpError('input', `observations: expected at least 8 per agent, got ${src.observations}`)
  return {window, fpr, detectors}
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Runs the selected detectors over a fleet. In-process entry point for the CLI and for red-team harnesses. */
export function detectFleet(src: FleetSource, opts: DetectOptions = {}): DetectReport {
  const {window, fpr, detectors} = checkOptions(src, opts)
  const n = src.agents
  const T = src.observations
  const F = src.features.length
  const refLen = Math.max(2, Math.min(window, Math.floor(T / 2)))
  const log = opts.onProgress ?? (() => {})
  const seed = opts.seed ?? 1
  const timings: Record<string, number> = {}
  let clock = performance.now()
  const lap = (name: string) => {
    const now = performance.now()
    timings[name] = Math.round(now - clock)
    clock = now
  }

  // Block layout of the clone vectors: about 64 dimensions.
  const B = Math.min(T, Math.max(1, Math.floor(64 / F)))
  const d = B * F
  const blockStart = Int32Array.from({length: B + 1}, (_, b) => Math.floor((b * T) / B))

  const ref = opts.reference ?? 'fleet'
  const mode: ReferenceMode = typeof ref === 'string' ? ref : 'baseline'
  if (mode !== 'fleet' && mode !== 'self' && mode !== 'baseline') throw new TcpError('usage', `reference: expected fleet, self or a baseline, got ${String(ref)}`)
  const refMean = new Float64Array(n * F)
  const refVar = new Float64Array(n * F)
  const buf = new Float64Array(T * F)

  // A baseline gives the reference: pass 1 is then not needed.
  if (mode !== 'baseline') log(`pass 1: reference windows of ${n.toLocaleString('en-US')} agents`)
  for (let i = 0; i < n && mode !== 'baseline'; i++) {
    src.fill(i, buf)
    for (let f = 0; f < F; f++) {
      const [m, v] = windowMoments(buf, F, f, refLen)
      refMean[i * F + f] = m
      refVar[i * F + f] = v
    }
  }
  lap('pass1')

  const reference: Reference = {mode, from: '', mean: new Float64Array(F), sd: new Float64Array(F)}
  if (mode === 'fleet') {
    const col = new Float64Array(n)
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < n; i++) col[i] = refMean[i * F + f]!
      reference.mean[f] = median(col)
      for (let i = 0; i < n; i++) col[i] = refVar[i * F + f]!
      reference.sd[f] = Math.sqrt(median(col) / chi2MedianOverK(refLen - 1)) || 1e-12
    }
    reference.from = `fleet median over each agent's first ${refLen} observations`
  } else if (mode === 'baseline') {
    const b = ref as BaselineReference
    src.features.forEach((name, f) => {
      const m = b.mean[name]
      const s = b.sd[name]
      if (typeof m !== 'number' || typeof s !== 'number' || !Number.isFinite(m) || !(s > 0))
        throw new TcpError('input', `baseline: no usable mean and sd for feature "${name}" of the telemetry`)
      reference.mean[f] = m
      reference.sd[f] = s
    })
    reference.from = b.from
  } else reference.from = `each agent's own first ${refLen} observations`


  const series = (i: number, out: Float64Array): Float64Array => {
    src.fill(i, out)
    for (let f = 0; f < F; f++) {
      const mu = mode === 'self' ? refMean[i * F + f]! : reference.mean[f]!
      const sd = mode === 'self' ? Math.sqrt(refVar[i * F + f]!) || 1e-12 : reference.sd[f]!
      // Clamped at +-Z_CLAMP sd: a value of 1e308 (or a constant feature's zero sd) cannot overflow the sums into
      // Infinity or NaN, which compare false with every threshold and would blind the fleet detectors.
      for (let t = 0; t < T; t++) {
        const v = (out[t * F + f]! - mu) / sd
        out[t * F + f] = v > Z_CLAMP ? Z_CLAMP : v < -Z_CLAMP ? -Z_CLAMP : v === v ? v : Z_CLAMP
      }
    }
    return out
  }

  const wantVectors = detectors.some((k) => DETECTORS[k].needsVectors) && d >= 2
  const nul = agentNull(T, F, mode, refLen, n)
  lap('calibration')
  const stat = new Float64Array(n)
  const onset = new Int32Array(n)
  const p = new Float64Array(n)
  const sum = new Float64Array(T * F)
  const S = new Float64Array(F)
  const out2 = new Float64Array(2)
  // Block means of the clamped standardised series (n * d); centred by the fleet's and hashed after pass 2. Held in a
  // SharedArrayBuffer so nearVectors' worker threads read them without a copy.
  const blocks = wantVectors ? new Float32Array(new SharedArrayBuffer(4 * n * d)) : null
  const fleetBlock = new Float64Array(d)
  const t0 = agentStart(mode, refLen)
  const m = minSegment(T)
  log(`pass 2: statistics${blocks ? ' and block means' : ''}`)
  for (let i = 0; i < n; i++) {
    const z = series(i, buf)
    tailStatistic(z, T, F, t0, m, S, out2)
    stat[i] = out2[0]!
    onset[i] = out2[1]!
    const pi = agentP(nul, out2[0]!)
    p[i] = pi >= 0 ? pi : 0 // fail closed: a p-value that is not a number names the agent
    for (let j = 0; j < T * F; j++) sum[j]! += z[j]!
    if (blocks) {
      for (let b = 0; b < B; b++) {
        const len = blockStart[b + 1]! - blockStart[b]!
        for (let f = 0; f < F; f++) {
          let s = 0
          for (let t = blockStart[b]!; t < blockStart[b + 1]!; t++) s += z[t * F + f]!
          blocks[i * d + b * F + f] = s / len
          fleetBlock[b * F + f]! += s / len / n
        }
      }
    }
  }
  if (blocks) for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) blocks[i * d + j]! -= fleetBlock[j]!
  const fleetSeries = sum.map((s) => s / Math.sqrt(n))
  lap('pass2')

  const alpha = fpr / detectors.length
  const scratch = new Float64Array(T * F)
  const ctx: DetectContext = {
    source: src,
    n,
    T,
    F,
    window,
    refLen,
    reference,
    alpha,
    stat,
    onset,
    p,
    agentNull: nul,
    fleetSeries,
    vectors: blocks,
    vectorDim: d,
    series: (i) => series(i, scratch),
    timeOf: (t) => iso(src.time(t)),
    seed,
  }
  const findings: Finding[] = []
  const reports: Partial<Record<DetectorName, DetectorReport>> = {}
  for (const name of detectors) {
    log(`detector ${name}`)
    const r = DETECTORS[name].run(ctx)
    findings.push(...r.findings)
    reports[name] = {...r.fpr, findings: r.findings.length, ...(r.skipped ? {skipped: r.skipped} : {}), ...(r.notes ? {notes: r.notes} : {})}
    lap(name)
  }
  const flagged = new Set<string>()
  for (const f of findings) {
    if (f.detector === 'drift') for (const a of f.agents) flagged.add(a.agent)
    else if (f.detector === 'coordinated-onset' || f.detector === 'clones') for (const a of f.members) flagged.add(a)
  }
  const fleetMean: Record<string, number[]> = {}
  src.features.forEach((name, f) => {
    fleetMean[name] = Array.from({length: T}, (_, t) => Number((sum[t * F + f]! / n).toFixed(5)))
  })
  return {
    agents: n,
    observations: T,
    features: [...src.features],
    window,
    referenceWindow: refLen,
    reference: {mode, from: reference.from},
    fpr: {run: fpr, perDetector: alpha},
    detectors: reports,
    findings,
    flaggedAgents: [...flagged].sort(),
    fleetMean,
    times: {first: iso(src.time(0)), last: iso(src.time(T - 1))},
    timingsMs: timings,
  }
}
