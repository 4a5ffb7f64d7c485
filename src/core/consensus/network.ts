/**
 * The simulated network: seeded per-message latency from a named distribution, bounded by a maximum delay (the
 * known bound Delta of partial synchrony), independent message loss, and one partition of the agents into two
 * halves that starts and heals at given times. Messages across the cut are dropped, not queued: the protocol must
 * recover by itself after the heal (new views), as it would over a lossy transport without retransmission.
 */
import {TcpError} from '../errors.js'
import type {Rng} from '../rng.js'

export type Latency =
  | {dist: 'const'; ms: number}
  | {dist: 'uniform'; min: number; max: number}
  | {dist: 'normal'; mean: number; sd: number}
  | {dist: 'exp'; mean: number}

export interface Partition {
  startMs: number
  endMs: number
}

const num = (s: string | undefined, what: string, spec: string): number => {
  const v = s === undefined ? NaN : Number(s)
  if (!Number.isFinite(v) || v < 0) throw new TcpError('usage', `--latency: ${what} must be a number >= 0, got ${JSON.stringify(s ?? '')} in "${spec}"`)
  return v
}

/** Parses `const:MS`, `uniform:MIN:MAX`, `normal:MEAN:SD` or `exp:MEAN` (milliseconds). */
export function parseLatency(spec: string): Latency {
  const [d, a, b, ...rest] = spec.trim().split(':')
  const arity: Record<string, number> = {const: 1, exp: 1, uniform: 2, normal: 2}
  if (d === undefined || !(d in arity))
    throw new TcpError('usage', `--latency: expected const:MS, uniform:MIN:MAX, normal:MEAN:SD or exp:MEAN, got "${spec}"`)
  const given = [a, b].filter((x) => x !== undefined).length + rest.length
  if (given !== arity[d]) throw new TcpError('usage', `--latency: ${d} takes ${arity[d]} parameter(s), got ${given} in "${spec}"`)
  if (d === 'const') return {dist: 'const', ms: num(a, 'MS', spec)}
  if (d === 'exp') return {dist: 'exp', mean: num(a, 'MEAN', spec)}
  if (d === 'normal') return {dist: 'normal', mean: num(a, 'MEAN', spec), sd: num(b, 'SD', spec)}
  const min = num(a, 'MIN', spec)
  const max = num(b, 'MAX', spec)
  if (max < min) throw new TcpError('usage', `--latency: uniform MAX ${max} is below MIN ${min}`)
  return {dist: 'uniform', min, max}
}

export function formatLatency(l: Latency): string {
  if (l.dist === 'const') return `const:${l.ms}`
  if (l.dist === 'exp') return `exp:${l.mean}`
  if (l.dist === 'normal') return `normal:${l.mean}:${l.sd}`
  return `uniform:${l.min}:${l.max}`
}

/** Parses `START:END` in milliseconds of simulated time (END > START). */
export function parsePartition(spec: string): Partition {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(spec.trim())
  if (!m) throw new TcpError('usage', `--partition: expected START:END in milliseconds, got "${spec}"`)
  const startMs = Number(m[1])
  const endMs = Number(m[2])
  if (!(endMs > startMs)) throw new TcpError('usage', `--partition: END ${endMs} must be after START ${startMs}`)
  return {startMs, endMs}
}

/** Minimum one-way delay, so that causality is strict even for `const:0`. */
const MIN_DELAY_MS = 0.001

export class Network {
  constructor(
    private readonly rng: Rng,
    readonly latency: Latency,
    readonly maxDelayMs: number,
    readonly loss: number,
    readonly partition: Partition | null,
  ) {}

  /** One seeded one-way delay in ms, clamped to [MIN_DELAY_MS, maxDelayMs]. */
  delay(): number {
    const l = this.latency
    let d: number
    if (l.dist === 'const') d = l.ms
    else if (l.dist === 'uniform') d = l.min + (l.max - l.min) * this.rng.float()
    else if (l.dist === 'normal') d = this.rng.normal(l.mean, l.sd)
    else d = -l.mean * Math.log(1 - this.rng.float())
    return d < MIN_DELAY_MS ? MIN_DELAY_MS : d > this.maxDelayMs ? this.maxDelayMs : d
  }

  lost(): boolean {
    return this.loss > 0 && this.rng.float() < this.loss
  }

  cut(time: number): boolean {
    const p = this.partition
    return p !== null && time >= p.startMs && time < p.endMs
  }
}
