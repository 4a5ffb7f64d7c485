/**
 * Coordinated onset: the onsets of many agents' changes clustered in time. Candidates are agents with a per-agent
 * p-value at most CANDIDATE_P (far below the naming threshold, so a sub-threshold group still counts); their onsets
 * are counted in bins of about window / 6 observations, and each bin and each pair of adjacent bins is compared
 * with the count an honest fleet gives (n x the simulated probability that an honest agent is a candidate with its
 * onset in that span: Poisson tail). Bonferroni over all spans gives the stated rate (a union bound, so the real
 * rate is lower). Significant spans that touch are merged into one group, and its edge bins
 * without an excess of their own are trimmed.
 */
import {agentP, CANDIDATE_P} from './calibrate.js'
import {poissonSf} from './stats.js'
import type {Detector, Finding} from './types.js'

export function binWidth(window: number, T: number): number {
  return Math.max(2, Math.min(Math.floor(T / 4), Math.round(window / 6)))
}

export const coordinated: Detector = {
  name: 'coordinated-onset',
  summary: 'coordinated onset: change points of many agents clustered in one time window',
  run(ctx) {
    const {T, n} = ctx
    const b = binWidth(ctx.window, T)
    const B = Math.ceil(T / b)
    const nul = ctx.agentNull
    const simCount = new Float64Array(B)
    for (let s = 0; s < nul.sims; s++) if (agentP(nul, nul.stats[s]!) <= CANDIDATE_P) simCount[Math.floor(nul.onsets[s]! / b)]!++
    const count = new Int32Array(B)
    for (let i = 0; i < n; i++) if (ctx.p[i]! <= CANDIDATE_P) count[Math.floor(ctx.onset[i]! / b)]!++
    const spans = 2 * B - 1
    const fpr = {rate: ctx.alpha, how: `Poisson tail per span against ${nul.sims.toLocaleString('en-US')} simulated honest agents, Bonferroni over ${spans} spans of 1 or 2 bins of ${b} observations (a union bound)`}
    const sig = new Uint8Array(B)
    const pOf = (from: number, len: number) => {
      let c = 0
      let sc = 0
      for (let k = from; k < from + len; k++) (c += count[k]!), (sc += simCount[k]!)
      const lambda = (n * (sc + 0.5)) / nul.sims
      return {c, lambda, p: Math.min(1, spans * poissonSf(c, lambda))}
    }
    for (let k = 0; k < B; k++) {
      if (pOf(k, 1).p <= ctx.alpha) sig[k] = 1
      if (k + 1 < B && pOf(k, 2).p <= ctx.alpha) sig[k] = sig[k + 1] = 1
    }
    const findings: Finding[] = []
    for (let k = 0; k < B; k++) {
      if (!sig[k] || (k > 0 && sig[k - 1])) continue
      let e = k
      while (e + 1 < B && sig[e + 1]) e++
      // A significant pair marks both bins; trim edge bins that show no excess of their own (uncorrected 5%).
      const excess = (j: number) => poissonSf(count[j]!, (n * (simCount[j]! + 0.5)) / nul.sims) <= 0.05
      let s0 = k
      while (s0 < e && !excess(s0)) s0++
      while (e > s0 && !excess(e)) e--
      const from = s0 * b
      const to = Math.min(T - 1, (e + 1) * b - 1)
      let best = 1
      for (let j = s0; j <= e; j++) best = Math.min(best, pOf(j, 1).p, j < e ? pOf(j, 2).p : 1)
      const all = pOf(s0, e - s0 + 1)
      const members: number[] = []
      for (let i = 0; i < n; i++) if (ctx.p[i]! <= CANDIDATE_P && ctx.onset[i]! >= from && ctx.onset[i]! <= to) members.push(i)
      members.sort((x, y) => ctx.p[x]! - ctx.p[y]!)
      findings.push({
        detector: 'coordinated-onset',
        summary: `${all.c} agents changed between observations ${from} and ${to} where an honest fleet gives about ${all.lambda.toFixed(1)} (p = ${best.toPrecision(2)})`,
        from,
        to,
        fromTime: ctx.timeOf(from),
        toTime: ctx.timeOf(to),
        observed: all.c,
        expected: Number(all.lambda.toFixed(2)),
        p: Number(best.toPrecision(3)),
        members: members.map((i) => ctx.source.name(i)),
      })
    }
    return {findings, fpr}
  },
}
