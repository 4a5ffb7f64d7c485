/**
 * Consensus steps of `tcp demo`: a fleet of 50 agents votes to quarantine the agent whose window deviated. With a
 * 75% quorum and 20% of the fleet equivocating, the honest agents agree (real Ed25519 votes); with a 51% quorum the
 * strongest adversary (equivocation plus a partition) makes two honest agents decide differently; and the
 * architecture's claim "75% stops a 32% attacker" is run: safety holds, liveness does not.
 * Each step is ok when the outcome is the one the theory predicts, including the violations.
 */
import {join} from 'node:path'
import {writeFileAtomic} from '../io.js'
import {simulate, type SimOptions} from '../consensus/simulate.js'
import {sweep} from '../consensus/sweep.js'
import {renderSvg} from '../consensus/svg.js'
import type {DemoStep, DemoStepResult} from './index.js'

const SEED = 20261125

function step(name: string, o: Omit<SimOptions, 'agents' | 'seed' | 'rounds'>, expect: {violation: boolean; stall: boolean}): DemoStep {
  return {
    name,
    async run(): Promise<DemoStepResult> {
      const r = simulate({agents: 50, rounds: 20, seed: SEED, ...o})
      const out = r.outcome
      const what = out.safetyViolation
        ? `honest agents decided ${out.decidedValues.join(' and ')} (safety violated)`
        : out.stalled
          ? `no decision in ${r.config.rounds} views (stalled)`
          : `all ${out.honestAgents} honest agents decided ${out.decidedValues[0]} in ${out.roundsToDecide} view(s), p99 ${r.latencyMs?.p99} ms`
      return {
        step: name,
        ok: out.safetyViolation === expect.violation && out.stalled === expect.stall,
        summary: `q=${o.threshold}, ${r.config.byzantineCount}/50 Byzantine (${o.strategy}): ${what}; ${r.signatures.made} ${r.signatures.mode} signatures (seed ${SEED})`,
        details: {outcome: out, theory: r.theory},
      }
    },
  }
}

export const steps: DemoStep[] = [
  step('consensus: quarantine vote, 75% quorum, 20% equivocating', {byzantine: 0.2, threshold: 0.75, strategy: 'equivocate'}, {violation: false, stall: false}),
  step('consensus: 51% quorum against equivocation plus a partition', {byzantine: 0.2, threshold: 0.51, strategy: 'strongest'}, {violation: true, stall: false}),
  step('consensus: the claim "75% stops a 32% attacker" (withholding)', {byzantine: 0.32, threshold: 0.75, strategy: 'withhold'}, {violation: false, stall: true}),
  {
    name: 'consensus: sweep map (SVG)',
    async run(ctx): Promise<DemoStepResult> {
      const r = sweep({agents: 40, thresholds: [0.51, 0.67, 0.75, 0.9], fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5], runs: 1, seed: SEED, rounds: 20, strategies: ['strongest', 'withhold'], crypto: 'model'})
      const path = join(ctx.dir, 'consensus-sweep.svg')
      await writeFileAtomic(path, renderSvg(r), {force: true, what: 'SVG file'})
      ctx.artifacts.consensusSvg = path
      return {
        step: 'consensus: sweep map (SVG)',
        ok: r.agreement.safe === r.cells.length && r.agreement.live === r.cells.length,
        summary: `${r.cells.length} cells agree with theory on safety ${r.agreement.safe}, liveness ${r.agreement.live}; claim: ${r.claim.verdict}; ${path}`,
      }
    },
  },
]
