/**
 * Clusters of near-identical agents (clones, sybils run by one operator, replayed telemetry), found through the LSH
 * path of src/core/lsh: each agent's standardised series is cut into blocks, the block means (minus the fleet's,
 * so that what every agent shares, such as a fleet-wide load peak, does not make everyone alike) form a vector of
 * about 64 dimensions, SimHash turns it into 64 bits (dense Gaussian hyperplanes: the exact 1 - theta / pi law),
 * and the bit-sampling index finds the pairs within Hamming distance `radius` without comparing all pairs. Pairs are
 * joined into groups by union-find.
 *
 * Stated false-positive rate, an analytic bound: honest agents' vectors are independent and isotropic (Gaussian
 * block means), so a pair's angle has density proportional to sin^(d-2) theta and its Hamming distance is
 * Binomial(64, theta / pi) given the angle. The expected number of honest pairs within the radius is
 * C(n, 2) x p_r; by Markov's inequality that bounds the probability of any false group. The radius is the largest
 * of 0..MAX_RADIUS that keeps the bound at most alpha. What it does NOT cover: correlated features (the vectors are
 * then not isotropic) and honest agents that really are near-identical (two copies of one deterministic job).
 */
import {chooseParams, LshIndex} from '../lsh/bucket.js'
import {popcount32} from '../lsh/bits.js'
import {lnGamma} from './stats.js'
import type {Detector, Finding} from './types.js'

export const MAX_RADIUS = 5
export const BITS = 64

/** P(Hamming distance <= r) for two independent isotropic vectors in d dimensions, 64-bit SimHash. */
export function honestPairProbability(d: number, r: number): number {
  const steps = 20_000
  const logZ = 0.5 * Math.log(Math.PI) + lnGamma((d - 1) / 2) - lnGamma(d / 2)
  const lnC: number[] = []
  for (let j = 0; j <= r; j++) lnC.push(lnGamma(BITS + 1) - lnGamma(j + 1) - lnGamma(BITS - j + 1))
  let total = 0
  const h = Math.PI / steps
  for (let s = 0; s < steps; s++) {
    const th = (s + 0.5) * h
    const q = th / Math.PI
    let cdf = 0
    for (let j = 0; j <= r; j++) cdf += Math.exp(lnC[j]! + j * Math.log(q) + (BITS - j) * Math.log1p(-q))
    total += Math.exp((d - 2) * Math.log(Math.sin(th)) - logZ) * cdf * h
  }
  return total
}

/** Expected number of honest pairs within `r` among n agents (the Markov bound on a false group). */
export function falsePairBound(n: number, d: number, r: number): number {
  return ((n * (n - 1)) / 2) * honestPairProbability(d, r)
}

export function chooseRadius(n: number, d: number, alpha: number): number {
  for (let r = MAX_RADIUS; r >= 0; r--) if (falsePairBound(n, d, r) <= alpha) return r
  return -1
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]!]!
    x = parent[x]!
  }
  return x
}

export const clones: Detector = {
  name: 'clones',
  summary: 'clusters of near-identical agents: SimHash of block-mean vectors, bit-sampling LSH, union-find',
  needsSignatures: true,
  run(ctx) {
    const sigs = ctx.signatures
    const d = ctx.vectorDim
    if (!sigs || d < 2) return {findings: [], fpr: {rate: 0, how: 'not run'}, skipped: 'needs at least 2 vector dimensions'}
    const r = chooseRadius(ctx.n, d, ctx.alpha)
    if (r < 0) return {findings: [], fpr: {rate: 0, how: 'not run'}, skipped: `no Hamming radius keeps the false-pair bound under ${ctx.alpha} with ${d}-dimensional vectors and ${ctx.n} agents`}
    const bound = falsePairBound(ctx.n, d, r)
    const fpr = {rate: bound, how: `analytic bound: C(n, 2) x P(Hamming <= ${r} | independent isotropic ${d}-dimensional vectors), Markov's inequality`}
    const index = new LshIndex(sigs, chooseParams(ctx.n, r, ctx.seed, 0.99))
    const {pairs} = index.allPairs()
    const parent = Int32Array.from({length: ctx.n}, (_, i) => i)
    for (let k = 0; k < pairs.length; k += 2) {
      const a = find(parent, pairs[k]!)
      const b = find(parent, pairs[k + 1]!)
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
    }
    const groups = new Map<number, number[]>()
    const maxD = new Map<number, number>()
    for (let k = 0; k < pairs.length; k += 2) {
      const i = pairs[k]!
      const j = pairs[k + 1]!
      const root = find(parent, i)
      const dist = popcount32(sigs[2 * i]! ^ sigs[2 * j]!) + popcount32(sigs[2 * i + 1]! ^ sigs[2 * j + 1]!)
      maxD.set(root, Math.max(maxD.get(root) ?? 0, dist))
    }
    for (let i = 0; i < ctx.n; i++) {
      const root = find(parent, i)
      if (!maxD.has(root)) continue
      const g = groups.get(root)
      if (g) g.push(i)
      else groups.set(root, [i])
    }
    const findings: Finding[] = [...groups.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([root, g]) => ({
        detector: 'clones' as const,
        summary: `${g.length} agents with near-identical behaviour (64-bit SimHash within ${r} bits, pairs found through the LSH index)`,
        members: g.map((i) => ctx.source.name(i)),
        maxDistance: maxD.get(root)!,
        radius: r,
      }))
    return {findings, fpr}
  },
}
