/**
 * A fleet's telemetry as the detectors read it: n agents, each with T observations of F numeric features, aligned by
 * observation index (observation t of every agent is taken as simultaneous). A source is read agent by agent through
 * `fill`, so a detector never needs the whole fleet in memory at once: a MemoryFleet holds arrays (what files load
 * into, and what a red-team harness builds), a generated source can recompute an agent on demand.
 */
import {TcpError} from '../errors.js'

export interface FleetSource {
  /** Number of agents n. */
  readonly agents: number
  /** Observations per agent T. */
  readonly observations: number
  readonly features: readonly string[]
  /** The id of agent i. */
  name(i: number): string
  /** Writes agent i's series into out[t * F + f] (T * F values). */
  fill(i: number, out: Float64Array): void
  /** Epoch milliseconds of observation index t, or null when the source has no clock. */
  time(t: number): number | null
}

export interface FleetArrays {
  agents: readonly string[]
  features: readonly string[]
  /** Observations per agent T. */
  observations: number
  /** n * T * F values, agent-major: values[(i * T + t) * F + f]. */
  values: Float64Array | Float32Array
  /** T epoch milliseconds (optional). */
  times?: Float64Array | readonly number[] | null
}

export const MAX_FEATURES = 256

/** A fleet held in one typed array (agent-major). */
export class MemoryFleet implements FleetSource {
  readonly agents: number
  readonly observations: number
  readonly features: readonly string[]
  private readonly ids: readonly string[]
  private readonly values: Float64Array | Float32Array
  private readonly times: Float64Array | null

  constructor(a: FleetArrays) {
    const n = a.agents.length
    const F = a.features.length
    const T = a.observations
    if (n < 2) throw new TcpError('input', `agents: expected at least 2, got ${n}`)
    if (F < 1 || F > MAX_FEATURES) throw new TcpError('input', `features: expected 1 to ${MAX_FEATURES}, got ${F}`)
    if (!Number.isSafeInteger(T) || T < 8) throw new TcpError('input', `observations: expected at least 8 per agent, got ${T}`)
    if (a.values.length !== n * T * F) throw new TcpError('input', `values: expected ${n} x ${T} x ${F} = ${n * T * F}, got ${a.values.length}`)
    if (new Set(a.agents).size !== n) throw new TcpError('input', 'agents: ids must be distinct')
    for (let i = 0; i < a.values.length; i++)
      if (!Number.isFinite(a.values[i]!)) throw new TcpError('input', `values[${i}]: expected a finite number, got ${a.values[i]}`)
    if (a.times && a.times.length !== T) throw new TcpError('input', `times: expected ${T}, got ${a.times.length}`)
    this.agents = n
    this.observations = T
    this.features = [...a.features]
    this.ids = a.agents
    this.values = a.values
    this.times = a.times ? Float64Array.from(a.times) : null
  }

  name(i: number): string {
    return this.ids[i]!
  }

  fill(i: number, out: Float64Array): void {
    const w = this.observations * this.features.length
    const base = i * w
    for (let j = 0; j < w; j++) out[j] = this.values[base + j]!
  }

  time(t: number): number | null {
    return this.times ? this.times[t]! : null
  }
}

/** For a red-team harness: a fleet from arrays in memory (no files). */
export function fleetFromArrays(a: FleetArrays): MemoryFleet {
  return new MemoryFleet(a)
}
