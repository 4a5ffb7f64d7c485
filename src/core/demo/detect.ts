/**
 * Detect step of `tcp demo`: a seeded fleet with a sleeper group written as JSONL, read back and searched by the
 * fleet detectors (the group must be found as one, with its onset), and the same fleet without attackers (must give
 * no finding). Writes the SVG timeline into the demo folder.
 */
import {join} from 'node:path'
import {writeFileAtomic} from '../io.js'
import {detectFleet, readFleet, renderSvg} from '../detect/index.js'
import {ScenarioFleet, scenarioJsonl, scoreAgainstTruth} from '../sample/scenarios.js'
import {MAX_LINES} from '../sample/telemetry.js'
import type {DemoContext, DemoStep, DemoStepResult} from './index.js'

async function detectStep(ctx: DemoContext): Promise<DemoStepResult> {
  const seed = 7
  const src = new ScenarioFleet({scenario: 'sleeper', agents: 400, observations: 120, seed})
  const path = join(ctx.dir, 'fleet-sleeper.jsonl')
  await writeFileAtomic(path, scenarioJsonl(src, MAX_LINES), {force: true, what: 'fleet telemetry'})
  const report = detectFleet((await readFleet(path)).fleet)
  const svg = join(ctx.dir, 'fleet-sleeper.svg')
  await writeFileAtomic(svg, renderSvg(report), {force: true, what: 'timeline'})
  const group = report.findings.find((f) => f.detector === 'coordinated-onset')
  const onset = src.truth.onset!
  const found = group && group.detector === 'coordinated-onset' ? scoreAgainstTruth(src.truth, group.members) : null
  const honest = detectFleet(new ScenarioFleet({scenario: 'sleeper', agents: 400, observations: 120, seed, compromised: 0}))
  const onsetOk = group && group.detector === 'coordinated-onset' && group.from <= onset + report.window && group.to >= onset - report.window
  const ok = !!found && found.recall >= 0.9 && !!onsetOk && honest.findings.length === 0
  return {
    step: 'detect',
    ok,
    summary: group && group.detector === 'coordinated-onset'
      ? `sleeper group of ${src.truth.attackers.length} in 400 agents: found as one group of ${group.members.length} (recall ${found!.recall.toFixed(2)}) turning between observations ${group.from} and ${group.to} (true onset ${onset}); ${report.findings.length} finding(s), timeline ${svg}; the same fleet without attackers: ${honest.findings.length} finding(s)`
      : `sleeper group NOT found (${report.findings.length} finding(s))`,
    details: {findings: report.findings.map((f) => f.summary), honestFindings: honest.findings.length},
  }
}

export const steps: DemoStep[] = [{name: 'detect: a sleeper group in a fleet of 400 agents, and an honest fleet', run: detectStep}]
