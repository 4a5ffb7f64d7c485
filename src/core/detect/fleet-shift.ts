/**
 * Fleet shift: the mean of the whole fleet moves when many agents each move a little. The fleet-mean series of the
 * standardised values has noise 1 / sqrt(n) per observation, so a shift of d standard deviations in a fraction p of
 * the agents gives a change-point z of about p * d * sqrt(n) * sqrt(T) / 2: power grows with sqrt(n) even when no
 * single agent can be named. The threshold is the (1 - alpha) point of the same statistic on simulated honest
 * fleets (calibrate.ts), so the stated rate is a simulation estimate with its sampling error (10,000 runs).
 */
import {fleetNull, fleetP} from './calibrate.js'
import {shiftStatistic} from './change.js'
import type {Detector} from './types.js'

export const TOP_CONTRIBUTORS = 10

export const fleetShift: Detector = {
  name: 'fleet-shift',
  summary: 'fleet shift: change point of the fleet-mean series, per feature',
  run(ctx) {
    const {T, F, n} = ctx
    const nul = fleetNull(T, F)
    const r = shiftStatistic(ctx.fleetSeries, T, F, nul.m, new Float64Array(T))
    const p = fleetP(nul, r.stat)
    const fpr = {rate: ctx.alpha, how: `threshold at the ${1 - ctx.alpha} point of the statistic on ${nul.sims.toLocaleString('en-US')} seeded simulated honest fleets (max over ${F} features and onsets, Bonferroni built in)`}
    if (p > ctx.alpha) return {findings: [], fpr}
    const sign = Math.sign(r.z) || 1
    const contrib = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const z = ctx.series(i)
      let before = 0
      let after = 0
      for (let t = 0; t < T; t++) {
        if (t < r.onset) before += z[t * F + r.feature]!
        else after += z[t * F + r.feature]!
      }
      contrib[i] = sign * (after / (T - r.onset) - before / r.onset)
    }
    const top = Int32Array.from({length: n}, (_, i) => i)
      .sort((a, b) => contrib[b]! - contrib[a]!)
      .slice(0, TOP_CONTRIBUTORS)
    const feature = ctx.source.features[r.feature]!
    const shiftSd = r.delta / Math.sqrt(n)
    return {
      fpr,
      notes: ['individual agents cannot be named from a fleet shift: each contributor\'s own change is within its noise; the list is where to look first'],
      findings: [
        {
          detector: 'fleet-shift',
          summary: `fleet mean of ${feature} moved by ${shiftSd.toFixed(3)} sd from observation ${r.onset} (z = ${r.z.toFixed(2)}, p = ${p.toPrecision(2)})`,
          feature,
          z: Number(r.z.toFixed(2)),
          p: Number(p.toPrecision(3)),
          onset: r.onset,
          onsetTime: ctx.timeOf(r.onset),
          shiftSd: Number(shiftSd.toFixed(4)),
          topContributors: Array.from(top, (i) => ({agent: ctx.source.name(i), deltaSd: Number(contrib[i]!.toFixed(3))})),
          individualsNamed: false,
        },
      ],
    }
  },
}
