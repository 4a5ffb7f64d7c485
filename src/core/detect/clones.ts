/**
 * Clusters of near-identical agents (clones, sybils run by one operator, replayed telemetry), found through the LSH
 * path of src/core/lsh: each agent's standardised series is cut into blocks, the block means (minus the fleet's,
 * so that what every agent shares, such as a fleet-wide load peak, does not make everyone alike) form a vector of
 * about 64 dimensions, SimHash turns it into 64 bits (sparse +-1 hyperplanes, 8 nonzeros each at d = 64), and the
 * bit-sampling index proposes the pairs within Hamming distance RADIUS without comparing all pairs. Each proposed
 * pair is then confirmed on the vectors themselves: cosine at least `minCosine` (hashing, search and confirmation
 * are `nearVectors` of src/core/lsh/near.ts). Confirmed pairs are joined into groups by union-find.
 *
 * Why the confirmation: 64-bit signatures alone are too short for large fleets. Two independent random vectors land
 * within Hamming distance 3 with probability about 1e-11 (mostly at wide angles, through the binomial's tail), so
 * among the 5e11 pairs of a million agents some would, by chance alone.
 *
 * Stated false-positive rate, an analytic bound: honest agents' vectors are independent and isotropic (Gaussian
 * block means), so the angle of a pair has density proportional to sin^(d-2) theta; the expected number of honest
 * pairs with cosine >= c is C(n, 2) x P(theta <= acos c), which by Markov's inequality bounds the probability of any
 * false group. minCosine is the smallest of COSINES that keeps the bound at most alpha. What it does NOT cover:
 * correlated features (the vectors are then not isotropic) and honest agents that really are near-identical (two
 * copies of one deterministic job): those are reported, as they should be looked at.
 */
import {hamming64} from '../lsh/bits.js'
import {nearVectors} from '../lsh/near.js'
import {lnGamma} from './stats.js'
import type {Detector, Finding} from './types.js'

/** Hamming radius of the LSH proposal step. */
export const RADIUS = 6
export const COSINES = [0.9, 0.95, 0.98, 0.99, 0.995, 0.999] as const

/** P(cos >= c) for two independent isotropic vectors in d >= 2 dimensions (numerical integration over the angle). */
export function honestCosineProbability(d: number, c: number): number {
  const steps = 20_000
  const top = Math.acos(Math.min(1, Math.max(-1, c)))
  const logZ = 0.5 * Math.log(Math.PI) + lnGamma((d - 1) / 2) - lnGamma(d / 2)
  const h = top / steps
  let total = 0
  for (let s = 0; s < steps; s++) total += Math.exp((d - 2) * Math.log(Math.sin((s + 0.5) * h)) - logZ) * h
  return total
}

/** Expected number of honest pairs with cosine >= c among n agents (the Markov bound on a false group). */
export function falsePairBound(n: number, d: number, c: number): number {
  return ((n * (n - 1)) / 2) * honestCosineProbability(d, c)
}

/** The smallest cosine threshold whose false-pair bound is at most alpha, or null. */
export function chooseCosine(n: number, d: number, alpha: number): number | null {
  for (const c of COSINES) if (falsePairBound(n, d, c) <= alpha) return c
  return null
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
  summary: 'clusters of near-identical agents: SimHash of block-mean vectors, bit-sampling LSH, confirmed by cosine, union-find',
  needsVectors: true,
  run(ctx) {
    const vecs = ctx.vectors
    const d = ctx.vectorDim
    if (!vecs || d < 2) return {findings: [], fpr: {rate: 0, how: 'not run'}, skipped: 'needs at least 2 vector dimensions'}
    const c = chooseCosine(ctx.n, d, ctx.alpha)
    if (c === null) return {findings: [], fpr: {rate: 0, how: 'not run'}, skipped: `no cosine threshold up to ${COSINES[COSINES.length - 1]} keeps the false-pair bound under ${ctx.alpha} with ${d}-dimensional vectors and ${ctx.n} agents`}
    const bound = falsePairBound(ctx.n, d, c)
    const fpr = {rate: bound, how: `analytic bound: C(n, 2) x P(cosine >= ${c} | independent isotropic ${d}-dimensional vectors), Markov's inequality`}
    const near = nearVectors(vecs, d, {seed: ctx.seed, radius: RADIUS, minCosine: c, targetRecall: 0.99})
    const {pairs, signatures: sigs, params} = near
    const allPairs = (ctx.n * (ctx.n - 1)) / 2
    const parent = Int32Array.from({length: ctx.n}, (_, i) => i)
    for (let k = 0; k < pairs.length; k += 2) {
      const a = find(parent, pairs[k]!)
      const b = find(parent, pairs[k + 1]!)
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
    }
    const notes = [
      `LSH (k = ${params.k}, L = ${params.L}, radius ${RADIUS}; SimHash ${near.projection}, ${near.nnz} nonzeros per hyperplane): ${near.candidates.toLocaleString('en-US')} candidate pairs checked of ${allPairs.toLocaleString('en-US')}; ${near.withinRadius} within the radius, ${pairs.length / 2} confirmed at cosine >= ${c}`,
    ]
    const groups = new Map<number, number[]>()
    const maxD = new Map<number, number>()
    for (let k = 0; k < pairs.length; k += 2) {
      const i = pairs[k]!
      const j = pairs[k + 1]!
      const root = find(parent, i)
      const dist = hamming64(sigs, i, sigs, j)
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
        summary: `${g.length} agents with near-identical behaviour (cosine >= ${c} between block-mean vectors, pairs proposed by the LSH index within ${RADIUS} bits)`,
        members: g.map((i) => ctx.source.name(i)),
        maxDistance: maxD.get(root)!,
        radius: RADIUS,
        minCosine: c,
      }))
    return {findings, fpr, notes}
  },
}
