/**
 * Sub-threshold Byzantine (THREATS.md vector 2): many agents each shift a little, or a sleeper group turns together
 * by an amount no per-agent test sees (in one step, or ramping linearly so that no instant looks like an onset); and
 * a 32% group against the 75% quorum.
 *
 * Undefended: per-agent window z-tests against each agent's own baseline (Bonferroni over the windows, FPR 0.01 per
 * agent), and a simple-majority vote. Defended: tcp detect's fleet detectors over the same telemetry, and the 75%
 * quorum with certificates.
 */
import {applyShift, copyFleet, honestFleet, perAgentWindowTest, pickAgents, type Fleet} from '../fleet.js'
import {fleetDistortion, runDetect} from '../defences.js'
import {DEFENDED_QUORUM, UNDEFENDED_QUORUM, quorumOutcome, quorumRun} from './consensus.js'
import type {AttackSpec, PathOutcome, TrialContext, Vector} from '../types.js'

const HISTORY = 120
const STEPS = 240
const ONSET = 120
const WINDOW = 60
const FPR = 0.01
export const FLEET_SHIFT = {fraction: 0.32, sd: 0.1}
export const SLEEPER = {fraction: 0.1, sd: 0.35}

type World =
  | {kind: 'fleet'; honest: Fleet; attacked: Fleet; members: Int32Array; onset: number; twinAlarm: boolean}
  | {kind: 'quorum'}

const attacks = [
  {name: 'fleet-shift', goal: `${FLEET_SHIFT.fraction * 100}% of agents each shift ${FLEET_SHIFT.sd} sd from the middle of the period, unflagged`, claimed: true},
  {name: 'sleeper-group', goal: `a sleeper group of ${SLEEPER.fraction * 100}% turns together by ${SLEEPER.sd} sd at one instant, unflagged`, claimed: true},
  {name: 'sleeper-ramp', goal: `the sleeper group of ${SLEEPER.fraction * 100}% ramps linearly from 0 to ${SLEEPER.sd} sd over the monitored period instead of stepping, unflagged`, claimed: true},
  {name: 'sleeper-unnamed', goal: 'the same sleeper group keeps its members unnamed (at most half of them flagged)', claimed: false},
  {name: 'quorum-equivocate', goal: 'a 32% group of equivocating leaders (plus a partition of the honest agents) makes two honest agents decide differently', claimed: true},
  {name: 'quorum-withhold', goal: 'a 32% group stays silent so that the 75% quorum never decides (liveness)', claimed: false},
] as const satisfies readonly AttackSpec[]

function memberMask(agents: number, members: Int32Array): Uint8Array {
  const m = new Uint8Array(agents)
  for (const a of members) m[a] = 1
  return m
}

/** Per-agent tests only: the fleet sees nothing that no single agent trips. */
export function perAgentOutcome(w: Extract<World, {kind: 'fleet'}>, mode: 'event' | 'members'): PathOutcome {
  const f = w.attacked
  const mask = memberMask(f.agents, w.members)
  let detected = 0, fp = 0
  const ttd: number[] = []
  for (let a = 0; a < f.agents; a++) {
    const at = perAgentWindowTest(f, a, WINDOW, FPR)
    if (at < 0) continue
    if (mask[a]) {
      detected++
      if (at > w.onset) ttd.push(at - w.onset)
    } else fp++
  }
  const caught = detected * 2 > w.members.length
  ttd.sort((x, y) => x - y)
  const event = mode === 'event'
  return {
    success: !caught,
    detected: event ? (caught ? 1 : 0) : detected,
    attackers: event ? 1 : w.members.length,
    falsePositives: fp,
    honest: f.agents - w.members.length,
    timeToDetection: caught ? ttd[(w.members.length >> 1)] ?? null : null,
    // Undetected, the shift is folded into the fleet's next baseline.
    distortionSd: caught ? 0 : fleetDistortion(f, w.onset),
  }
}

/**
 * tcp detect on the attacked fleet. 'event': the attack is one event to detect, by the fleet-shift alarm or by
 * naming most of the group; false positives are fleet-shift alarms on the honest twin (the same fleet without the
 * attack). 'members': the group's members to name, false positives the honest agents named.
 */
export function detectOutcome(w: Extract<World, {kind: 'fleet'}>, mode: 'event' | 'members'): PathOutcome {
  const found = runDetect(w.attacked, FPR)
  const mask = memberMask(w.attacked.agents, w.members)
  if (mode === 'event') {
    let named = 0
    let namedAt = -1
    const times: number[] = []
    for (const [a, at] of found.flagged) if (mask[a]) (named++, times.push(at))
    times.sort((x, y) => x - y)
    if (named * 2 > w.members.length) namedAt = times[w.members.length >> 1]!
    const at = [found.fleetShiftAt ?? -1, namedAt].filter((x) => x >= 0).sort((x, y) => x - y)[0] ?? null
    return {
      success: at === null,
      detected: at === null ? 0 : 1,
      attackers: 1,
      falsePositives: w.twinAlarm ? 1 : 0,
      honest: 1,
      timeToDetection: at === null ? null : Math.max(0, at - w.onset),
      distortionSd: at === null ? fleetDistortion(w.attacked, w.onset) : 0,
    }
  }
  let detected = 0, fp = 0
  const ttd: number[] = []
  for (const [a, at] of found.flagged) {
    if (mask[a]) {
      detected++
      ttd.push(Math.max(0, at - w.onset))
    } else fp++
  }
  ttd.sort((x, y) => x - y)
  const caught = detected * 2 > w.members.length
  return {
    success: !caught,
    detected,
    attackers: w.members.length,
    falsePositives: fp,
    honest: w.attacked.agents - w.members.length,
    timeToDetection: caught ? ttd[w.members.length >> 1] ?? null : null,
    distortionSd: caught ? 0 : fleetDistortion(w.attacked, w.onset),
  }
}

export const subThreshold: Vector<World> = {
  name: 'sub-threshold',
  title: 'Sub-threshold Byzantine',
  threat: 'About 32% of agents each shift by an amount no per-agent test sees, or a sleeper group turns together one day; and a 32% group against the 75% quorum, which it cannot fool (f < 2q - 1) but can stall (f > 1 - q).',
  undefendedPath: `per-agent window z-tests (window ${WINDOW}, Bonferroni, FPR ${FPR} per agent) against each agent's baseline; simple-majority vote (q = ${UNDEFENDED_QUORUM})`,
  defendedPath: `tcp detect's fleet detectors (fleet shift, coordinated onset) at FPR ${FPR}; the ${DEFENDED_QUORUM} quorum with certificates`,
  statedFpr: FPR,
  timeUnit: 'observations after onset',
  attacks,
  trials: (quick) => (quick ? 4 : 10),
  world(ctx: TrialContext, attack: AttackSpec): World {
    if (attack.name.startsWith('quorum-')) return {kind: 'quorum'}
    const honest = honestFleet(ctx.rng, ctx.agents, HISTORY, STEPS)
    const attacked = copyFleet(honest)
    const spec = attack.name === 'fleet-shift' ? FLEET_SHIFT : SLEEPER
    const members = pickAgents(ctx.rng, ctx.agents, Math.round(spec.fraction * ctx.agents))
    const ramp = attack.name === 'sleeper-ramp'
    applyShift(attacked, members, ramp ? (s) => (spec.sd * (s + 1)) / STEPS : (s) => (s >= ONSET ? spec.sd : 0))
    // The false alarms of the fleet-level detectors are measured on the honest twin (the same fleet without the
    // attack). Done here, with the world, so that the defended path's time is the defence's cost on one fleet.
    const twinAlarm = attack.name === 'sleeper-unnamed' ? false : runDetect(honest, FPR).fleetShiftAt !== null
    return {kind: 'fleet', honest, attacked, members, onset: ramp ? 0 : ONSET, twinAlarm}
  },
  undefended(w, attack, ctx) {
    if (w.kind === 'quorum') return quorumOutcome(quorumRun(ctx, UNDEFENDED_QUORUM, attack.name === 'quorum-withhold' ? 'withhold' : 'strongest'), attack.name === 'quorum-withhold' ? 'stall' : 'conflict')
    return perAgentOutcome(w, attack.name === 'sleeper-unnamed' ? 'members' : 'event')
  },
  defended(w, attack, ctx) {
    if (w.kind === 'quorum') return quorumOutcome(quorumRun(ctx, DEFENDED_QUORUM, attack.name === 'quorum-withhold' ? 'withhold' : 'strongest'), attack.name === 'quorum-withhold' ? 'stall' : 'conflict')
    return detectOutcome(w, attack.name === 'sleeper-unnamed' ? 'members' : 'event')
  },
  bounds: [
    {metric: 'detectionRate', op: '>', value: 0.95, source: 'THREATS.md: poisoning (here: coordinated sub-threshold shifts) detected with probability above 0.95'},
    {metric: 'falsePositiveRate', op: '<=', value: FPR, source: 'the stated false-positive rate'},
    {metric: 'resistedFraction', op: '>=', value: 0.98, source: 'THREATS.md: at least 98% of red-team attacks resisted'},
  ],
  defenceCode: ['src/core/detect (fleet shift, coordinated onset)', 'src/core/consensus/simulate.ts simulate (q = 0.75, certificates)'],
}
