/**
 * Slow drift per agent: the backward CUSUM of each agent's standardised series (change.ts) against the reference,
 * with a per-agent p-value from the honest-fleet simulation (calibrate.ts), and the Benjamini-Hochberg procedure at
 * the detector's share of --fpr across the agents. On an honest fleet (independent agents) it names nobody with
 * probability at least 1 - alpha; with attackers, the expected fraction of honest agents among the named is at
 * most alpha. It finds a sustained shift a fixed-window z-test misses because it chooses the onset: every
 * observation since the change counts, not only the last window's.
 */
import {benjaminiHochberg} from './stats.js'
import type {Detector, DetectContext, DriftAgent} from './types.js'

function describe(ctx: DetectContext, i: number): DriftAgent {
  const {T, F} = ctx
  const z = ctx.series(i)
  const t0 = ctx.onset[i]!
  const out: Record<string, number> = {}
  for (let f = 0; f < F; f++) {
    let s = 0
    for (let t = t0; t < T; t++) s += z[t * F + f]!
    out[ctx.source.features[f]!] = Number((s / Math.sqrt(T - t0)).toFixed(2))
  }
  return {agent: ctx.source.name(i), statistic: Number(ctx.stat[i]!.toFixed(2)), p: Number(ctx.p[i]!.toPrecision(3)), onset: t0, onsetTime: ctx.timeOf(t0), z: out}
}

export const drift: Detector = {
  name: 'drift',
  summary: 'slow drift per agent: backward CUSUM of the standardised series, Benjamini-Hochberg across agents',
  run(ctx) {
    const named = benjaminiHochberg(ctx.p, ctx.alpha)
    const agents = Array.from(named, (i) => describe(ctx, i)).sort((a, b) => b.statistic - a.statistic)
    const fpr = {
      rate: ctx.alpha,
      how: `Benjamini-Hochberg at q = ${ctx.alpha} over ${ctx.n} agents; per-agent p-values = min(1, ${ctx.agentNull.c.toPrecision(3)} x s^2 x chi2 tail (${ctx.F} df)), the factor fitted on ${ctx.agentNull.sims.toLocaleString('en-US')} seeded honest series of ${ctx.T} observations`,
    }
    if (agents.length === 0) return {findings: [], fpr}
    return {
      fpr,
      findings: [{detector: 'drift', summary: `${agents.length} agent(s) drifted from their reference (false-discovery rate <= ${ctx.alpha})`, agents}],
    }
  },
}
