/**
 * The consensus half of the sub-threshold vector: a 32% Byzantine group against the fleet's quarantine vote, in the
 * seeded consensus simulator (src/core/consensus/simulate.ts). Undefended: a simple majority (q = 0.51); defended:
 * the 75% quorum with certificates tcp uses. The theory (THREATS.md): safe while f < 2q - 1, live only while
 * f <= 1 - q, so at f = 0.32 and q = 0.75 safety holds and liveness is lost; the report says so rather than count
 * the stall as resisted.
 */
import {simulate, type SimResult, type Strategy} from '../../consensus/simulate.js'
import type {PathOutcome, TrialContext} from '../types.js'

export const BYZANTINE = 0.32
export const UNDEFENDED_QUORUM = 0.51
export const DEFENDED_QUORUM = 0.75
/** Consensus runs at most this many agents: the fractions, not the count, decide the outcome (and 1e4 costs 0.7 s a run). */
export const MAX_CONSENSUS_AGENTS = 2000

export function quorumRun(ctx: TrialContext, threshold: number, strategy: Strategy): SimResult {
  return simulate({agents: Math.min(ctx.agents, MAX_CONSENSUS_AGENTS), byzantine: BYZANTINE, threshold, strategy, rounds: 20, seed: ctx.seed, crypto: 'model'})
}

/**
 * `goal` 'conflict': two honest agents decide differently (a forged decision); 'stall': no decision. A quorum is a
 * prevention, not a detector: the outcome counts no attackers to detect (detection rates come from the other attacks).
 */
export function quorumOutcome(r: SimResult, goal: 'conflict' | 'stall'): PathOutcome {
  const reached = goal === 'conflict' ? r.outcome.safetyViolation : r.outcome.stalled
  return {
    success: reached,
    detected: 0,
    attackers: 0,
    falsePositives: 0,
    honest: 0,
    timeToDetection: null,
    distortionSd: null,
  }
}
