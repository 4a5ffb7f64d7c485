#!/usr/bin/env node
// Detection quality of `tcp detect` (issue 12), in process on seeded fleets (no files):
//  1. each attack scenario at the size issue 12 names, over --seeds seeds: what each detector found, recall over the
//     attackers and the rate of honest agents named, the onset error;
//  2. honest fleets (1,000 agents x 120 observations, no attacker) over --honest-runs seeds at --fpr 0.04 (0.01 per
//     detector): how often each detector reported anything, against its stated rate.
// Usage: node bench/detect-quality.mjs [--seeds 3] [--honest-runs 200] [--json]   (run `npm run build` first)
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const core = (p) => import(join(root, 'dist', 'core', p))
const {values: opt} = parseArgs({options: {seeds: {type: 'string', default: '3'}, 'honest-runs': {type: 'string', default: '200'}, json: {type: 'boolean'}}})
const {detectFleet} = await core('detect/index.js')
const {ScenarioFleet, materialise, scoreAgainstTruth} = await core('sample/scenarios.js')

const CASES = [
  {scenario: 'sub-threshold', agents: 1000, observations: 120, look: 'fleet-shift'},
  {scenario: 'drift', agents: 1000, observations: 240, look: 'drift'},
  {scenario: 'sleeper', agents: 1000, observations: 120, look: 'coordinated-onset'},
  {scenario: 'coordinated', agents: 1000, observations: 120, look: 'coordinated-onset'},
  {scenario: 'clones', agents: 10000, observations: 60, look: 'clones'},
]
const seeds = Number(opt.seeds)
const rows = []
for (const c of CASES) {
  for (let s = 1; s <= seeds; s++) {
    const src = new ScenarioFleet({scenario: c.scenario, agents: c.agents, observations: c.observations, seed: s})
    const r = detectFleet(materialise(src))
    const mine = r.findings.filter((f) => f.detector === c.look)
    const named = mine.flatMap((f) => (f.detector === 'drift' ? f.agents.map((a) => a.agent) : f.members ?? []))
    const score = scoreAgainstTruth(src.truth, named)
    const onset = mine[0]?.onset ?? mine[0]?.from ?? mine[0]?.agents?.[0]?.onset ?? null
    rows.push({scenario: c.scenario, agents: c.agents, observations: c.observations, seed: s, detector: c.look, found: mine.length, recall: c.look === 'fleet-shift' ? null : score.recall,
      honestNamedRate: score.honestFlaggedRate, onset, trueOnset: src.truth.onset, all: r.findings.map((f) => f.detector)})
    console.error(`${c.scenario} seed ${s}: ${mine.length} ${c.look} finding(s), recall ${score.recall.toFixed(3)}, honest named ${score.honestFlaggedRate.toFixed(4)}, onset ${onset} (true ${src.truth.onset})`)
  }
}
const runs = Number(opt['honest-runs'])
const hits = {drift: 0, 'fleet-shift': 0, 'coordinated-onset': 0, clones: 0}
let named = 0
for (let s = 0; s < runs; s++) {
  const r = detectFleet(materialise(new ScenarioFleet({scenario: 'drift', agents: 1000, observations: 120, seed: 10_000 + s, compromised: 0})), {fpr: 0.04})
  for (const d of new Set(r.findings.map((f) => f.detector))) hits[d]++
  named += r.flaggedAgents.length
}
const result = {cases: rows, honest: {runs, perDetectorFpr: 0.01, runsWithFinding: hits, honestAgentsNamedRate: named / (runs * 1000)}}
if (opt.json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`attack scenarios (${seeds} seeds each; default --window 60, --fpr 0.01)`)
  for (const r of rows) console.log(`  ${r.scenario.padEnd(13)} ${r.agents} x ${r.observations} seed ${r.seed}: ${r.detector} ${r.found ? 'found' : 'NOT found'}${r.recall === null ? '' : `, recall ${r.recall.toFixed(3)}`}, honest named ${r.honestNamedRate.toFixed(4)}, onset ${r.onset} (true ${r.trueOnset}); all: ${r.all.join(', ') || 'none'}`)
  console.log(`honest fleets, 1,000 x 120, ${runs} seeds at 0.01 per detector: runs with a finding ${JSON.stringify(hits)}; honest agents named ${(named / (runs * 1000)).toFixed(5)}`)
}
