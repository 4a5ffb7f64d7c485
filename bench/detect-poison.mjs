#!/usr/bin/env node
// Reference poisoning of `tcp detect --reference fleet` (review of issue 12): a third of the fleet reports, during the
// reference window only (the first 60 observations), a constant value k sd above the fleet mean on every feature,
// then behaves honestly. The fleet median reference moves towards them and honest agents look shifted. Prints, per k
// and seed, the honest agents named by each detector, and the same fleet judged against a signed-baseline reference
// (the honest fleet's pooled mean and sd, as an earlier signed baseline would give).
// Usage: node bench/detect-poison.mjs [--seeds 3] [--json]   (run `npm run build` first)
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const core = (p) => import(join(root, 'dist', 'core', p))
const {values: opt} = parseArgs({options: {seeds: {type: 'string', default: '3'}, json: {type: 'boolean'}}})
const {detectFleet} = await core('detect/index.js')
const {ScenarioFleet, materialise} = await core('sample/scenarios.js')
const {MemoryFleet} = await core('detect/fleet.js')

const N = 1000, T = 120, REF = 60, ATTACKERS = 320
const rows = []
for (let seed = 1; seed <= Number(opt.seeds); seed++) {
  const honest = materialise(new ScenarioFleet({scenario: 'drift', agents: N, observations: T, seed, compromised: 0}))
  const F = honest.features.length
  const w = T * F
  const values = new Float64Array(N * w)
  const buf = new Float64Array(w)
  for (let i = 0; i < N; i++) (honest.fill(i, buf), values.set(buf, i * w))
  const mean = new Float64Array(F), sd = new Float64Array(F)
  for (let f = 0; f < F; f++) {
    let s = 0, q = 0
    for (let j = f; j < values.length; j += F) (s += values[j]), (q += values[j] * values[j])
    const cnt = values.length / F
    mean[f] = s / cnt
    sd[f] = Math.sqrt(q / cnt - mean[f] ** 2)
  }
  const baseline = {from: 'honest fleet pooled (stands for a signed baseline)', mean: Object.fromEntries(honest.features.map((n, f) => [n, mean[f]])), sd: Object.fromEntries(honest.features.map((n, f) => [n, sd[f]]))}
  for (const k of [0, 0.5, 1]) {
    const v = values.slice()
    for (let i = 0; i < ATTACKERS; i++) for (let t = 0; t < REF; t++) for (let f = 0; f < F; f++) v[i * w + t * F + f] = mean[f] + k * sd[f]
    const fleet = new MemoryFleet({agents: Array.from({length: N}, (_, i) => honest.name(i)), features: honest.features, observations: T, values: v, times: Array.from({length: T}, (_, t) => honest.time(t))})
    const attackers = new Set(Array.from({length: ATTACKERS}, (_, i) => honest.name(i)))
    for (const reference of ['fleet', baseline]) {
      const r = detectFleet(fleet, {reference})
      const byDetector = {}
      for (const fd of r.findings) {
        const named = fd.detector === 'drift' ? fd.agents.map((a) => a.agent) : fd.members ?? []
        const h = named.filter((a) => !attackers.has(a)).length
        byDetector[fd.detector] = (byDetector[fd.detector] ?? 0) + h
      }
      const drift = r.findings.find((fd) => fd.detector === 'drift')
      const driftNamed = drift ? drift.agents.length : 0
      rows.push({seed, k, reference: typeof reference === 'string' ? 'fleet' : 'baseline', honestNamed: byDetector, driftNamed, driftFdr: driftNamed ? (byDetector.drift ?? 0) / driftNamed : 0, perDetectorRate: r.fpr.perDetector})
    }
  }
}
if (opt.json) console.log(JSON.stringify(rows, null, 2))
else for (const r of rows) console.log(`seed ${r.seed} k ${r.k} reference ${r.reference.padEnd(8)}: honest agents named ${JSON.stringify(r.honestNamed)}; drift named ${r.driftNamed}, false-discovery ${r.driftFdr.toFixed(4)} (stated <= ${r.perDetectorRate})`)
