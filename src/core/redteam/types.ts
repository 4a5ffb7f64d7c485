/**
 * The red-team harness's vocabulary. A vector is data plus hooks (a seeded world, an undefended path, a defended
 * path, bounds) handed to one engine (engine.ts); the table of vectors (index.ts) is keyed by the closed union
 * below, so a new vector is one file plus one line and the compiler finds what was missed.
 */
import type {Rng} from '../rng.js'

export const VECTORS = ['tree-poisoning', 'sub-threshold', 'temporal', 'clock-forgery'] as const
export type VectorName = (typeof VECTORS)[number]

/** One way of carrying out a vector's attack. */
export interface AttackSpec {
  name: string
  /** What the attacker wants; `success` in a PathOutcome means this goal was reached unflagged. */
  goal: string
  /**
   * Whether tcp claims to stop it. An attack the theory says cannot be stopped (a 32% group stalling a 75% quorum)
   * is run and reported, but left out of the bounds and of the resisted fraction, and the report says so.
   */
  claimed: boolean
}

export interface TrialContext {
  /** Seeded for this vector, attack and trial alone (engine.ts derives it from the run's seed). */
  rng: Rng
  seed: number
  agents: number
  quick: boolean
  trial: number
}

/** What one path (undefended or defended) made of one attacked world. */
export interface PathOutcome {
  /**
   * The attacker reached its goal: for a detection defence, a distortion or a forged entry that nothing flagged;
   * for a prevention (a quorum), the outcome itself (a conflicting decision).
   */
  success: boolean
  /** Attacker-controlled units (agents, aggregators, forged entries) flagged, out of `attackers`. */
  detected: number
  attackers: number
  /** Honest units flagged in the same world, out of `honest`. */
  falsePositives: number
  honest: number
  /** Steps (observations, or entries) from the attack's onset to the first flag; null: never flagged or no time axis. */
  timeToDetection: number | null
  /** How far the global (fleet) baseline moved, in standard deviations of the honest fleet; null: no baseline. */
  distortionSd: number | null
}

export type Metric = 'attackSuccess' | 'detectionRate' | 'falsePositiveRate' | 'distortionSd' | 'resistedFraction'

/** A bar from /work/shared/THREATS.md (or the issue) on the defended path's summary of claimed attacks. */
export interface Bound {
  metric: Metric
  op: '>' | '>=' | '<' | '<='
  value: number
  /** Where the bar comes from. */
  source: string
}

export interface Vector<W = unknown> {
  name: VectorName
  title: string
  /** The attacker's exploitation path, one paragraph. */
  threat: string
  undefendedPath: string
  defendedPath: string
  /** The false-positive rate the defended path's detectors are run at (stated, then measured on the honest units). */
  statedFpr: number
  /** The unit of time of `timeToDetection`. */
  timeUnit: string
  attacks: readonly AttackSpec[]
  /** Trials per attack (quick mode uses fewer and smaller worlds). */
  trials(quick: boolean): number
  /** The seeded fleet with the attack applied. Both paths read it; neither may change it. */
  world(ctx: TrialContext, attack: AttackSpec): W | Promise<W>
  undefended(world: W, attack: AttackSpec, ctx: TrialContext): PathOutcome | Promise<PathOutcome>
  defended(world: W, attack: AttackSpec, ctx: TrialContext): PathOutcome | Promise<PathOutcome>
  /** Releases what world() made outside memory (temporary files); called after both paths, even when one threw. */
  dispose?(world: W): void | Promise<void>
  bounds: readonly Bound[]
  /** Where each defence comes from (module and function), so a reader can check the harness runs real code. */
  defenceCode: readonly string[]
}
