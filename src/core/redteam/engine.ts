/**
 * The one engine every red-team vector runs on: for each attack of a vector, `trials` seeded worlds; each world is
 * judged by the undefended path and by the defended path; the outcomes are summed into rates and checked against
 * the vector's bounds. The report is a pure function of (seed, agents, quick): timings live beside it, never in it,
 * so the same seed gives the same report bytes.
 *
 * What it does NOT guarantee: that an adaptive attacker who knows the detectors' thresholds cannot do better than
 * the attacks listed here; the figures hold for these attacks on these synthetic fleets.
 */
import {performance} from 'node:perf_hooks'
import {sha3_256} from '../crypto/hash.js'
import {utf8} from '../bytes.js'
import {TcpError} from '../errors.js'
import {Rng} from '../rng.js'
import {VECTORS, type AttackSpec, type Bound, type Metric, type PathOutcome, type Vector, type VectorName} from './types.js'

export const REPORT_TYPE = 'tcp.redteam.report/v1'
/** THREATS.md: "at least 98% of red-team attacks resisted". */
export const RESISTED_GOAL = 0.98
/** The undefended path must show the attack working in at least this fraction of trials, or the harness proves nothing. */
export const HARNESS_MIN_SUCCESS = 0.5
export const MIN_AGENTS = 200
/** A fleet holds agents x 360 observations as float64 (about 288 MB at 1e5): larger runs would exhaust memory. */
export const MAX_AGENTS = 100_000

export interface RunOptions {
  vectors: readonly VectorName[]
  agents: number
  seed: number
  quick: boolean
  onProgress?: (line: string) => void
}

export interface PathSummary {
  trials: number
  attackSuccess: number
  detectionRate: number
  falsePositiveRate: number
  /** The counts behind falsePositiveRate: honest units flagged, out of honest units judged. */
  falsePositives: number
  honestUnits: number
  /** Median and largest time to detection over the trials that were flagged; null when none was. */
  timeToDetection: {median: number; max: number; flagged: number} | null
  /** Mean distortion of the global baseline (sd); null when the vector has no baseline. */
  distortionSd: number | null
  resisted: number
}

export interface AttackReport {
  name: string
  goal: string
  claimed: boolean
  undefended: PathSummary
  defended: PathSummary
}

export interface Check {
  name: string
  path: 'undefended' | 'defended'
  metric: Metric
  op: Bound['op']
  bound: number
  value: number | null
  ok: boolean
  source: string
}

export interface VectorReport {
  name: VectorName
  title: string
  threat: string
  undefendedPath: string
  defendedPath: string
  defenceCode: readonly string[]
  statedFpr: number
  timeUnit: string
  attacks: AttackReport[]
  /** Over the claimed attacks only. */
  undefended: PathSummary
  defended: PathSummary
  checks: Check[]
  verdict: 'holds' | 'misses'
}

export interface RedteamReport {
  type: typeof REPORT_TYPE
  seed: number
  agents: number
  quick: boolean
  vectors: VectorReport[]
  resisted: {attacks: number; resisted: number; fraction: number; goal: number; ok: boolean}
  /** Attacks run but not claimed (the theory says they cannot be stopped), each with what happened. */
  unclaimed: Array<{vector: VectorName; attack: string; goal: string; undefendedSuccess: number; defendedSuccess: number}>
  verdict: 'holds' | 'misses'
}

export interface RedteamRun {
  report: RedteamReport
  /** Wall-clock figures, kept out of the report so that the report's bytes depend on the seed alone. */
  timings: {
    totalMs: number
    /** Wall time of each vector, world generation included. */
    vectorsMs: Partial<Record<VectorName, number>>
    /** Wall time spent in each path over all trials (world generation excluded): the defence's overhead. */
    paths: Partial<Record<VectorName, {undefendedMs: number; defendedMs: number; ratio: number}>>
  }
}

/** A u32 seed for one (vector, attack, trial), from the run's seed: independent streams, reproducible one by one. */
export function trialSeed(seed: number, vector: string, attack: string, trial: number): number {
  const h = sha3_256(utf8(`tcp.redteam/v1\0${seed}\0${vector}\0${attack}\0${trial}`))
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0
}

const round = (x: number, digits = 6): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export function summarise(outcomes: readonly PathOutcome[]): PathSummary {
  let success = 0, detected = 0, attackers = 0, fp = 0, honest = 0, dSum = 0, dN = 0
  const ttd: number[] = []
  for (const o of outcomes) {
    if (o.success) success++
    detected += o.detected
    attackers += o.attackers
    fp += o.falsePositives
    honest += o.honest
    if (o.timeToDetection !== null) ttd.push(o.timeToDetection)
    if (o.distortionSd !== null) {
      dSum += Math.abs(o.distortionSd)
      dN++
    }
  }
  ttd.sort((a, b) => a - b)
  const n = outcomes.length
  return {
    trials: n,
    attackSuccess: n ? round(success / n) : 0,
    detectionRate: attackers ? round(detected / attackers) : 0,
    falsePositiveRate: honest ? round(fp / honest) : 0,
    falsePositives: fp,
    honestUnits: honest,
    timeToDetection: ttd.length ? {median: round(ttd[(ttd.length - 1) >> 1]!, 3), max: round(ttd[ttd.length - 1]!, 3), flagged: ttd.length} : null,
    distortionSd: dN ? round(dSum / dN, 4) : null,
    resisted: n - success,
  }
}

function compare(v: number, op: Bound['op'], b: number): boolean {
  return op === '>' ? v > b : op === '>=' ? v >= b : op === '<' ? v < b : v <= b
}

function metricOf(s: PathSummary, m: Metric): number | null {
  if (m === 'resistedFraction') return s.trials ? round(s.resisted / s.trials) : null
  return s[m]
}

/** P(X >= k) for X ~ Binomial(n, p): how surprising k false positives are if the stated rate p holds. */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1
  if (p <= 0) return 0
  if (p >= 1) return 1
  // Sum the lower terms in log space and take the complement (n is at most a few hundred thousand here).
  let logTerm = n * Math.log1p(-p) // P(X = 0)
  let below = 0
  for (let i = 0; i < k; i++) {
    below += Math.exp(logTerm)
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p)
  }
  return Math.max(0, 1 - below)
}

/** A measured false-positive rate misses its stated bound only when it is significantly above it (binomial p < this). */
export const FPR_SIGNIFICANCE = 0.001

export function checkBounds(v: Pick<Vector, 'bounds'>, undefended: PathSummary, defended: PathSummary): Check[] {
  const checks: Check[] = v.bounds.map((b) => {
    const value = metricOf(defended, b.metric)
    if (b.metric === 'falsePositiveRate' && b.op === '<=' && b.value > 0) {
      // A rate measured on a few hundred honest units is noisy: judge whether it is consistent with the stated one.
      const p = binomialTail(defended.falsePositives, defended.honestUnits, b.value)
      return {name: `defended falsePositiveRate consistent with <= ${b.value} (${defended.falsePositives}/${defended.honestUnits}, binomial p = ${p.toPrecision(3)} >= ${FPR_SIGNIFICANCE})`, path: 'defended', metric: b.metric, op: b.op, bound: b.value, value, ok: p >= FPR_SIGNIFICANCE, source: b.source}
    }
    return {name: `defended ${b.metric} ${b.op} ${b.value}`, path: 'defended', metric: b.metric, op: b.op, bound: b.value, value, ok: value !== null && compare(value, b.op, b.value), source: b.source}
  })
  checks.push({
    name: `undefended attackSuccess >= ${HARNESS_MIN_SUCCESS}`,
    path: 'undefended',
    metric: 'attackSuccess',
    op: '>=',
    bound: HARNESS_MIN_SUCCESS,
    value: undefended.attackSuccess,
    ok: undefended.attackSuccess >= HARNESS_MIN_SUCCESS,
    source: 'issue 13: the undefended run must show the attack working, otherwise the harness proves nothing',
  })
  return checks
}

async function runVector(v: Vector, o: RunOptions, clock: {undefendedMs: number; defendedMs: number}): Promise<VectorReport> {
  const attacks: AttackReport[] = []
  const claimedU: PathOutcome[] = []
  const claimedD: PathOutcome[] = []
  const trials = v.trials(o.quick)
  for (const attack of v.attacks) {
    const us: PathOutcome[] = []
    const ds: PathOutcome[] = []
    for (let t = 0; t < trials; t++) {
      const seed = trialSeed(o.seed, v.name, attack.name, t)
      const mk = () => ({rng: new Rng(seed), seed, agents: o.agents, quick: o.quick, trial: t})
      const world = await v.world(mk(), attack)
      try {
        // Each path gets its own generator from the same seed: neither path's draws change the other's.
        let t = performance.now()
        us.push(checkOutcome(await v.undefended(world, attack, mk()), v.name, attack, 'undefended'))
        clock.undefendedMs += performance.now() - t
        t = performance.now()
        ds.push(checkOutcome(await v.defended(world, attack, mk()), v.name, attack, 'defended'))
        clock.defendedMs += performance.now() - t
      } finally {
        await v.dispose?.(world)
      }
    }
    if (attack.claimed) {
      claimedU.push(...us)
      claimedD.push(...ds)
    }
    attacks.push({name: attack.name, goal: attack.goal, claimed: attack.claimed, undefended: summarise(us), defended: summarise(ds)})
    o.onProgress?.(`${v.name}: ${attack.name} (${trials} trial(s))`)
  }
  const undefended = summarise(claimedU)
  const defended = summarise(claimedD)
  const checks = checkBounds(v, undefended, defended)
  // Each claimed attack must work without the defence on its own: an attack that fails anyway would otherwise be
  // counted as resisted by the defence, and averaged away in the vector's total by the attacks that do work.
  for (const a of attacks)
    if (a.claimed)
      checks.push({
        name: `${a.name}: undefended attackSuccess >= ${HARNESS_MIN_SUCCESS}`,
        path: 'undefended',
        metric: 'attackSuccess',
        op: '>=',
        bound: HARNESS_MIN_SUCCESS,
        value: a.undefended.attackSuccess,
        ok: a.undefended.attackSuccess >= HARNESS_MIN_SUCCESS,
        source: 'issue 13: each attack\'s undefended run must show it working, otherwise its "resisted" trials prove nothing',
      })
  return {
    name: v.name,
    title: v.title,
    threat: v.threat,
    undefendedPath: v.undefendedPath,
    defendedPath: v.defendedPath,
    defenceCode: v.defenceCode,
    statedFpr: v.statedFpr,
    timeUnit: v.timeUnit,
    attacks,
    undefended,
    defended,
    checks,
    verdict: checks.every((c) => c.ok) ? 'holds' : 'misses',
  }
}

function checkOutcome(p: PathOutcome, vector: string, a: AttackSpec, path: string): PathOutcome {
  const bad = p.detected < 0 || p.detected > p.attackers || p.falsePositives < 0 || p.falsePositives > p.honest
  if (bad) throw new TcpError('internal', `redteam ${vector}/${a.name} ${path}: counts out of range (${JSON.stringify(p)})`)
  return p
}

export function parseVectors(s: string): VectorName[] {
  if (s === 'all') return [...VECTORS]
  const out: VectorName[] = []
  for (const part of s.split(',').map((x) => x.trim())) {
    if (!(VECTORS as readonly string[]).includes(part))
      throw new TcpError('usage', `--vector: expected all or one of ${VECTORS.join(', ')}, got "${part}"`)
    if (!out.includes(part as VectorName)) out.push(part as VectorName)
  }
  if (!out.length) throw new TcpError('usage', '--vector: expected at least one vector')
  return out
}

export async function runRedteam(o: RunOptions, table: Record<VectorName, Vector<any>>): Promise<RedteamRun> {
  if (!Number.isSafeInteger(o.agents) || o.agents < MIN_AGENTS || o.agents > MAX_AGENTS)
    throw new TcpError('usage', `--agents: expected an integer from ${MIN_AGENTS} to ${MAX_AGENTS}, got ${o.agents}`)
  const t0 = performance.now()
  const timings: RedteamRun['timings'] = {totalMs: 0, vectorsMs: {}, paths: {}}
  const vectors: VectorReport[] = []
  for (const name of VECTORS) {
    if (!o.vectors.includes(name)) continue
    const t = performance.now()
    const clock = {undefendedMs: 0, defendedMs: 0}
    vectors.push(await runVector(table[name], o, clock))
    timings.vectorsMs[name] = Math.round(performance.now() - t)
    timings.paths[name] = {undefendedMs: Math.round(clock.undefendedMs), defendedMs: Math.round(clock.defendedMs), ratio: Number((clock.defendedMs / Math.max(clock.undefendedMs, 1e-3)).toFixed(2))}
  }
  let attacks = 0, resisted = 0
  const unclaimed: RedteamReport['unclaimed'] = []
  for (const v of vectors) {
    attacks += v.defended.trials
    resisted += v.defended.resisted
    for (const a of v.attacks)
      if (!a.claimed) unclaimed.push({vector: v.name, attack: a.name, goal: a.goal, undefendedSuccess: a.undefended.attackSuccess, defendedSuccess: a.defended.attackSuccess})
  }
  const fraction = attacks ? round(resisted / attacks) : 0
  const ok = attacks > 0 && fraction >= RESISTED_GOAL
  timings.totalMs = Math.round(performance.now() - t0)
  return {
    report: {
      type: REPORT_TYPE,
      seed: o.seed,
      agents: o.agents,
      quick: o.quick,
      vectors,
      resisted: {attacks, resisted, fraction, goal: RESISTED_GOAL, ok},
      unclaimed,
      verdict: ok && vectors.every((v) => v.verdict === 'holds') ? 'holds' : 'misses',
    },
    timings,
  }
}
