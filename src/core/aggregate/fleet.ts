/**
 * Seeded synthetic fleets for tests, benchmarks and red-team harnesses: agents whose observations are normal with
 * an agent-specific mean and spread, summarised as exact moments without keeping the observations.
 * Not a model of any real workload.
 */
import {Rng} from '../rng.js'
import {momentsFrom, momentsOfQuantized, meanOf, quantize, varianceOf, type Moments} from './moments.js'
import {syntheticChild} from './tree.js'
import type {ChildInput} from './node.js'

export interface FleetOptions {
  agents: number
  observations?: number
  features?: Record<string, {mean: number; sd: number; agentSd?: number}>
  decimals?: number
}

export const DEFAULT_FEATURES = {latency: {mean: 120, sd: 15, agentSd: 5}, calls: {mean: 40, sd: 6, agentSd: 2}}

export function agentId(i: number): string {
  return `agent-${String(i).padStart(7, '0')}`
}

/** Observations of one agent, quantised: what baseline create --per-agent would record. */
export function agentObservations(rng: Rng, o: FleetOptions): Record<string, number[]> {
  const out: Record<string, number[]> = {}
  for (const [f, p] of Object.entries(o.features ?? DEFAULT_FEATURES)) {
    const mu = p.mean + (p.agentSd ?? 0) * rng.normal()
    const sd = p.sd * Math.exp(0.1 * rng.normal())
    out[f] = Array.from({length: o.observations ?? 20}, () => Number((mu + sd * rng.normal()).toFixed(o.decimals ?? 3)))
  }
  return out
}

/** Agents as children (sorted by id), each with exact moments of its observations. */
export function honestAgents(seed: number, o: FleetOptions): ChildInput[] {
  const rng = new Rng(seed)
  const d = o.decimals ?? 3
  const out: ChildInput[] = []
  for (let i = 0; i < o.agents; i++) {
    const obs = agentObservations(rng, o)
    const fs: Record<string, Moments> = {}
    for (const [f, xs] of Object.entries(obs)) fs[f] = momentsOfQuantized(xs.map((x) => quantize(x, d)))
    out.push(syntheticChild(agentId(i), d, fs))
  }
  return out
}

export type Poison = 'low-variance' | 'shift' | 'inflate-count'

/**
 * The child an adversary controlling this aggregator would report instead: its own digest and statistics, signed
 * by its own trusted key (the harness signs or not). low-variance divides the variance by `factor` (default 10);
 * shift moves the mean and the robust centre by `factor` (default 3) of the feature's sd; inflate-count multiplies
 * the observations by `factor` (default 10) keeping mean and variance.
 */
export function poisonChild(c: ChildInput, kind: Poison, decimals: number, factor?: number): ChildInput {
  const fs: Record<string, {moments: Moments; center: number}> = {}
  for (const [f, v] of Object.entries(c.features)) {
    const n = Number(v.moments.n)
    const mean = meanOf(v.moments, decimals)
    const variance = varianceOf(v.moments, decimals)
    if (kind === 'low-variance') fs[f] = {moments: momentsFrom(n, mean, variance / (factor ?? 10), decimals), center: v.center}
    else if (kind === 'shift') {
      const s = (factor ?? 3) * Math.sqrt(variance)
      fs[f] = {moments: momentsFrom(n, mean + s, variance, decimals), center: v.center + s}
    } else fs[f] = {moments: momentsFrom(n * (factor ?? 10), mean, variance, decimals), center: v.center}
  }
  const p = syntheticChild(`${c.id}~${kind}`, decimals, fs, c.leaves)
  return {...p, id: c.id, first: c.first, last: c.last}
}
