/**
 * The detector registry's types. A detector is a small object (name, what its false-positive rate is and how it
 * was obtained, and a `run` over the engine's per-agent and fleet statistics); the engine (engine.ts) reads the
 * fleet once or twice and hands every detector the same context. New detector = one file + one entry in
 * detectors.ts, and the `DetectorName` union makes the compiler check the table.
 */
import type {AgentNull, ReferenceMode} from './calibrate.js'
import type {FleetSource} from './fleet.js'

export type DetectorName = 'drift' | 'fleet-shift' | 'coordinated-onset' | 'clones'
export const DETECTOR_NAMES: readonly DetectorName[] = ['drift', 'fleet-shift', 'coordinated-onset', 'clones']

export interface Reference {
  mode: ReferenceMode
  /** Where the reference came from, for the report (e.g. "fleet median over the first 60 observations"). */
  from: string
  /** Per-feature mean and sd ('fleet' and 'baseline'); empty for 'self' (each agent's own first window). */
  mean: Float64Array
  sd: Float64Array
}

export interface DetectContext {
  source: FleetSource
  n: number
  T: number
  F: number
  window: number
  refLen: number
  reference: Reference
  /** The false-positive rate allotted to each detector (the run's --fpr split equally, Bonferroni). */
  alpha: number
  /** Per agent: backward-CUSUM statistic, its onset index and its conservative p-value. */
  stat: Float64Array
  onset: Int32Array
  p: Float64Array
  agentNull: AgentNull
  /** Fleet-mean series of the standardised values, scaled by sqrt(n): T * F. */
  fleetSeries: Float64Array
  /** Each agent's block means minus the fleet's (n * vectorDim), or null when no detector needs them. */
  vectors: Float32Array | null
  /** Dimension of the block-mean vectors. */
  vectorDim: number
  /** Agent i's standardised series (T * F) in a buffer the caller must not keep. */
  series(i: number): Float64Array
  /** ISO time of observation t, or null. */
  timeOf(t: number): string | null
  seed: number
}

export interface FprStatement {
  /** The stated false-positive rate of this detector on an honest fleet (probability of any finding). */
  rate: number
  /** How it is obtained: analytic bound, simulation, Bonferroni, Benjamini-Hochberg. */
  how: string
}

export interface DriftAgent {
  agent: string
  statistic: number
  p: number
  onset: number
  onsetTime: string | null
  /** Per feature, the z of the mean from the onset on (signed; reference units). */
  z: Record<string, number>
}

export type Finding =
  | {detector: 'drift'; summary: string; agents: DriftAgent[]}
  | {
      detector: 'fleet-shift'
      summary: string
      feature: string
      z: number
      p: number
      onset: number
      onsetTime: string | null
      /** Fleet mean after minus before, in reference standard deviations. */
      shiftSd: number
      /** Agents whose own before/after change on the feature is largest in the shift's direction. */
      topContributors: Array<{agent: string; deltaSd: number}>
      individualsNamed: false
    }
  | {
      detector: 'coordinated-onset'
      summary: string
      from: number
      to: number
      fromTime: string | null
      toTime: string | null
      observed: number
      expected: number
      p: number
      members: string[]
    }
  | {detector: 'clones'; summary: string; members: string[]; maxDistance: number; radius: number; minCosine: number}

export interface DetectorOutcome {
  findings: Finding[]
  fpr: FprStatement
  /** Set when the detector could not run on this input, with the reason. */
  skipped?: string
  notes?: string[]
}

export interface Detector {
  name: DetectorName
  summary: string
  /** Whether the engine must compute the block-mean vectors for it. */
  needsVectors?: boolean
  run(ctx: DetectContext): DetectorOutcome
}
