/**
 * Temporal coordination (THREATS.md vector 3): a group of agents times its deviation to the system's staleness rules.
 *   after-refresh  the baseline refreshes from each agent's last window; right after every refresh the group steps
 *                  up by a little, so each window looks like the one before (boiling frog);
 *   partition      during a partition checks are suspended (degraded mode); the group deviates strongly and returns
 *                  to normal before the partition heals;
 *   recovery       after the partition the baseline is rebuilt from what agents report during recovery; the group
 *                  shifts at recovery and the rebuilt baseline takes the shift for normal.
 * Undefended: the refreshing per-agent window test with those staleness rules. Defended: the signed log keeps every
 * observation (partition included), verified at recovery, and tcp detect's drift detectors judge the whole series
 * against the pinned signed baseline; a baseline is never rebuilt from data after a detected onset.
 */
import {applyShift, copyFleet, historyStats, honestFleet, pickAgents, zCritical, type Fleet} from '../fleet.js'
import {runDetect} from '../defences.js'
import type {AttackSpec, PathOutcome, TrialContext, Vector} from '../types.js'

const HISTORY = 120
const STEPS = 240
const WINDOW = 60
const FPR = 0.01
export const TEMPORAL = {fraction: 0.1, stepSd: 0.25, partitionSd: 1.5, recoverySd: 1}
const PARTITION: [number, number] = [60, 120]

type Name = 'after-refresh' | 'partition' | 'recovery'
interface World {
  f: Fleet
  members: Int32Array
  onset: number
  name: Name
}

const attacks = [
  {name: 'after-refresh', goal: `${TEMPORAL.fraction * 100}% of agents step up ${TEMPORAL.stepSd} sd right after each baseline refresh (${TEMPORAL.stepSd * 4} sd in all), unflagged`, claimed: true},
  {name: 'partition', goal: `the group deviates by ${TEMPORAL.partitionSd} sd while a partition suspends checks, and is back to normal when it heals, unflagged`, claimed: true},
  {name: 'recovery', goal: `the group shifts by ${TEMPORAL.recoverySd} sd when the partition heals, while the baseline is rebuilt, unflagged`, claimed: true},
] as const satisfies readonly AttackSpec[]

/** One checking window of the undefended path: [start, end) in monitored steps, checked or not, baseline source. */
interface Slot {
  start: number
  end: number
  checked: boolean
  /** Baseline from monitored steps [from, to); null = the agent's history. */
  base: [number, number] | null
}

/** The undefended staleness rules of each attack, as a schedule of windows. */
export function schedule(name: Name): Slot[] {
  const slots: Slot[] = []
  for (let s = 0; s < STEPS; s += WINDOW) {
    const inPartition = s >= PARTITION[0] && s < PARTITION[1]
    if (name === 'after-refresh') slots.push({start: s, end: s + WINDOW, checked: true, base: s === 0 ? null : [s - WINDOW, s]})
    // Only checked windows feed the baseline; during the partition nothing is checked.
    else if (name === 'partition') slots.push({start: s, end: s + WINDOW, checked: !inPartition, base: null})
    // After the partition the baseline is rebuilt from the first window of recovery, which is itself not checked.
    else slots.push({start: s, end: s + WINDOW, checked: !inPartition && s !== PARTITION[1], base: s > PARTITION[1] ? [PARTITION[1], PARTITION[1] + WINDOW] : null})
  }
  return slots
}

function meanSd(f: Fleet, a: number, from: number, to: number): {mean: number; sd: number} {
  const row = a * (f.history + f.steps) + f.history
  let mean = 0, m2 = 0
  for (let i = from; i < to; i++) {
    const v = f.x[row + i]!
    const d = v - mean
    mean += d / (i - from + 1)
    m2 += d * (v - mean)
  }
  return {mean, sd: Math.sqrt(m2 / (to - from - 1))}
}

/** First flagged monitored step (end of the window) under the schedule, or -1; and the baseline the agent ends with. */
export function refreshingCheck(f: Fleet, a: number, slots: readonly Slot[], fpr: number): {at: number; final: {mean: number; sd: number}} {
  const checked = slots.filter((s) => s.checked).length
  const z = zCritical(fpr / checked)
  const hist = historyStats(f, a)
  let at = -1
  let final = hist
  for (const s of slots) {
    const base = s.base === null ? hist : meanSd(f, a, s.base[0], s.base[1])
    const baseN = s.base === null ? f.history : s.base[1] - s.base[0]
    final = base
    if (!s.checked || at >= 0) continue
    const w = meanSd(f, a, s.start, s.end)
    // Two-sample standard error: the baseline's mean is estimated too.
    if (Math.abs(w.mean - base.mean) / (base.sd * Math.sqrt(1 / (s.end - s.start) + 1 / baseN)) > z) at = s.end
  }
  return {at, final}
}

export const temporal: Vector<World> = {
  name: 'temporal',
  title: 'Temporal coordination',
  threat: 'Attackers time their deviation to the staleness rules: right after each baseline refresh, while a partition suspends checks, or while the baseline is rebuilt during recovery.',
  undefendedPath: `per-agent window test (window ${WINDOW}, Bonferroni, FPR ${FPR}) with a baseline refreshed from the last window, no checks during a partition, and a baseline rebuilt from the first window of recovery`,
  defendedPath: `every observation kept in the signed log (partition included) and judged at recovery by tcp detect's drift detectors against the pinned signed baseline, at FPR ${FPR}`,
  statedFpr: FPR,
  timeUnit: 'observations after onset',
  attacks,
  trials: (quick) => (quick ? 4 : 10),
  world(ctx: TrialContext, attack: AttackSpec): World {
    const name = attack.name as Name
    const f = honestFleet(ctx.rng, ctx.agents, HISTORY, STEPS)
    const members = pickAgents(ctx.rng, ctx.agents, Math.round(TEMPORAL.fraction * ctx.agents))
    const shift =
      name === 'after-refresh'
        ? (s: number) => TEMPORAL.stepSd * (Math.floor(s / WINDOW) + 1)
        : name === 'partition'
          ? (s: number) => (s >= PARTITION[0] && s < PARTITION[1] ? TEMPORAL.partitionSd : 0)
          : (s: number) => (s >= PARTITION[1] ? TEMPORAL.recoverySd : 0)
    const attacked = copyFleet(f)
    applyShift(attacked, members, shift)
    return {f: attacked, members, onset: name === 'after-refresh' ? 0 : name === 'partition' ? PARTITION[0] : PARTITION[1], name}
  },
  undefended(w): PathOutcome {
    const slots = schedule(w.name)
    const mask = new Uint8Array(w.f.agents)
    for (const a of w.members) mask[a] = 1
    let detected = 0, fp = 0, dist = 0
    const ttd: number[] = []
    for (let a = 0; a < w.f.agents; a++) {
      const r = refreshingCheck(w.f, a, slots, FPR)
      const h = historyStats(w.f, a)
      dist += (r.final.mean - h.mean) / h.sd
      if (r.at < 0) continue
      if (mask[a]) {
        detected++
        ttd.push(Math.max(0, r.at - w.onset))
      } else fp++
    }
    ttd.sort((x, y) => x - y)
    const caught = detected * 2 > w.members.length
    return {success: !caught, detected, attackers: w.members.length, falsePositives: fp, honest: w.f.agents - w.members.length, timeToDetection: caught ? ttd[w.members.length >> 1] ?? null : null, distortionSd: dist / w.f.agents}
  },
  defended(w): PathOutcome {
    // The log is verified and detect runs when the partition heals (or continuously outside a partition).
    const visibleAt = w.name === 'partition' ? PARTITION[1] : 0
    const found = runDetect(w.f, FPR)
    const mask = new Uint8Array(w.f.agents)
    for (const a of w.members) mask[a] = 1
    let detected = 0, fp = 0, dist = 0
    const ttd: number[] = []
    for (let a = 0; a < w.f.agents; a++) {
      const at = found.flagged.get(a)
      if (at !== undefined && mask[a]) {
        detected++
        ttd.push(Math.max(at, visibleAt) - w.onset)
      } else if (at !== undefined) fp++
      // An attacker nobody flagged gets its baseline refreshed like any agent: its shift at the end is folded in.
      else if (mask[a]) {
        const h = historyStats(w.f, a)
        dist += (meanSd(w.f, a, STEPS - WINDOW, STEPS).mean - h.mean) / h.sd
      }
    }
    ttd.sort((x, y) => x - y)
    const caught = detected * 2 > w.members.length
    return {success: !caught, detected, attackers: w.members.length, falsePositives: fp, honest: w.f.agents - w.members.length, timeToDetection: caught ? ttd[w.members.length >> 1] ?? null : null, distortionSd: dist / w.f.agents}
  },
  bounds: [
    {metric: 'detectionRate', op: '>', value: 0.95, source: 'THREATS.md: attacks detected with probability above 0.95'},
    {metric: 'falsePositiveRate', op: '<=', value: FPR, source: 'the stated false-positive rate'},
    {metric: 'distortionSd', op: '<', value: 0.1, source: 'issue 11: the global baseline moves by less than 0.1 sd'},
    {metric: 'resistedFraction', op: '>=', value: 0.98, source: 'THREATS.md: at least 98% of red-team attacks resisted'},
  ],
  defenceCode: ['src/core/log (verify: every observation recorded and signed, partition included)', 'src/core/detect (per-agent drift, coordinated onset)'],
}
