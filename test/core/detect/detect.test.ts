// The fleet detectors at the sizes issue 12 names, on seeded scenarios generated in process (no files), plus the
// honest-fleet false-positive rate over 20 seeds and the inputs an attacker would use to blind the detectors.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {detectFleet, fleetFromArrays, type DetectReport, type Finding} from '../../../src/core/detect/index.js'
import {agentNull, agentP} from '../../../src/core/detect/calibrate.js'
import {chooseCosine, falsePairBound, honestCosineProbability} from '../../../src/core/detect/clones.js'
import {Rng} from '../../../src/core/rng.js'
import {materialise, ScenarioFleet, scoreAgainstTruth, type ScenarioOptions} from '../../../src/core/sample/scenarios.js'

function run(o: ScenarioOptions, opts = {}): {report: DetectReport; truth: ScenarioFleet['truth']} {
  const src = new ScenarioFleet(o)
  return {report: detectFleet(materialise(src), opts), truth: src.truth}
}
const only = <K extends Finding['detector']>(r: DetectReport, k: K) => r.findings.filter((f): f is Extract<Finding, {detector: K}> => f.detector === k)

describe('tcp detect: detectors at the issue sizes', () => {
  it('fleet shift: 1,000 x 120, 32% shifting one feature by 0.1 sd from the middle: found, onset within one window, nobody named', () => {
    const {report, truth} = run({scenario: 'sub-threshold', agents: 1000, observations: 120, seed: 7})
    assert.equal(truth.attackers.length, 320)
    const [shift, ...rest] = only(report, 'fleet-shift')
    assert.ok(shift, JSON.stringify(report.findings.map((f) => f.summary)))
    assert.equal(rest.length, 0)
    assert.equal(shift.feature, 'tool_risk_accuracy')
    assert.ok(shift.z < 0, 'accuracy went down')
    assert.ok(Math.abs(shift.onset - truth.onset!) <= report.window, `onset ${shift.onset} vs ${truth.onset}`)
    // Individuals cannot be named at this size: the drift detector names (almost) nobody.
    const named = only(report, 'drift').flatMap((f) => f.agents.map((a) => a.agent))
    assert.ok(named.length <= 3, `named ${named.length}`)
  })

  it('the same fleet without the attack has no fleet shift (the finding comes from the shift, not the size)', () => {
    const {report} = run({scenario: 'sub-threshold', agents: 1000, observations: 120, seed: 7, compromised: 0})
    assert.equal(only(report, 'fleet-shift').length, 0)
  })

  it('individuals: 1,000 x 240, 10% drifting 0.5 sd from the middle: >= 0.95 named, <= 0.01 of honest agents flagged', () => {
    const {report, truth} = run({scenario: 'drift', agents: 1000, observations: 240, seed: 11})
    const named = only(report, 'drift').flatMap((f) => f.agents.map((a) => a.agent))
    const s = scoreAgainstTruth(truth, named)
    assert.ok(s.recall >= 0.95, `recall ${s.recall}`)
    assert.ok(s.honestFlaggedRate <= 0.01, `honest flagged ${s.honestFlaggedRate}`)
    // Onsets are estimated near the true one for most named attackers.
    const near = only(report, 'drift')[0]!.agents.filter((a) => Math.abs(a.onset - truth.onset!) <= report.window).length
    assert.ok(near >= 0.9 * named.length)
  })

  it('a window z-test over the last 60 observations, at the per-agent level the drift detector used, names fewer', () => {
    // What baseline check does per agent: |z| of the last window's mean against the reference, per feature. Issue 12
    // expected it to miss most of these drifters; with the reference known it catches about 70% (docs/detect.md
    // says so): the backward CUSUM names more because every observation since the onset counts.
    const src = new ScenarioFleet({scenario: 'drift', agents: 1000, observations: 240, seed: 11})
    const fleet = materialise(src)
    const r = detectFleet(fleet, {detectors: ['drift']})
    const named = r.findings.flatMap((f) => (f.detector === 'drift' ? f.agents : []))
    const cusum = scoreAgainstTruth(src.truth, named.map((a) => a.agent)).recall
    const pmax = Math.max(...named.map((a) => a.p))
    const zcrit = 3.89 // two-sided, 1e-4 / 4 features: at or below the largest p the drift detector accepted
    assert.ok(pmax >= 1e-4 / 10, `drift accepted p up to ${pmax}`)
    const buf = new Float64Array(240 * 4)
    const att = new Set(src.truth.attackers)
    const model = [[0.94, 0.02], [0, 0.03]] as const
    let caught = 0
    for (let i = 0; i < 1000; i++) {
      if (!att.has(fleet.name(i))) continue
      fleet.fill(i, buf)
      const z = model.map(([mu, sd], f) => {
        let s = 0
        for (let t = 180; t < 240; t++) s += buf[t * 4 + f]!
        return Math.abs((s / 60 - mu) / (sd / Math.sqrt(60)))
      })
      if (z.some((v) => v > zcrit)) caught++
    }
    assert.ok(caught / att.size < 0.9 && caught / att.size < cusum - 0.05, `window z-test ${caught / att.size}, backward CUSUM ${cusum}`)
  })

  it('sleeper group: 5% turning by 1 sd at one instant: one coordinated group holding them, onset within one window', () => {
    const {report, truth} = run({scenario: 'sleeper', agents: 1000, observations: 120, seed: 5})
    const groups = only(report, 'coordinated-onset')
    assert.equal(groups.length, 1, JSON.stringify(groups.map((g) => g.summary)))
    const g = groups[0]!
    const s = scoreAgainstTruth(truth, g.members)
    assert.ok(s.recall >= 0.9, `recall ${s.recall}`)
    // Honest agents whose own chance change falls in the window are members too: about `expected` of them.
    const honestMembers = g.members.length - s.recall * truth.attackers.length
    assert.ok(honestMembers <= g.expected + 4 * Math.sqrt(g.expected) + 1, `${honestMembers} honest members, ${g.expected} expected`)
    assert.ok(truth.onset! >= g.from - report.window && truth.onset! <= g.to, `window ${g.from}..${g.to} vs onset ${truth.onset}`)
    assert.ok(g.to - g.from < report.window, 'the window is narrower than one reference window')
  })

  it('clones: a group of 20 among 10,000 agents found whole through the LSH index, nothing else', () => {
    const {report, truth} = run({scenario: 'clones', agents: 10_000, observations: 60, seed: 3}, {detectors: ['clones']})
    const groups = only(report, 'clones')
    assert.equal(groups.length, 1, JSON.stringify(groups.map((g) => g.members.length)))
    assert.deepEqual([...groups[0]!.members].sort(), [...truth.attackers].sort())
    // Through the index, not all pairs: far fewer candidates than the 49,995,000 pairs.
    const note = report.detectors.clones!.notes!.join(' ')
    const cand = Number(/([\d,]+) candidate pairs/.exec(note)![1]!.replace(/,/g, ''))
    assert.ok(cand < 49_995_000 / 100, note)
    assert.ok(report.detectors.clones!.rate <= report.fpr.perDetector)
  })

  it('clone members that add more noise than the radius allows are not grouped (the stated limit)', () => {
    // Two independent honest fleets glued together have no clones; a real copy with heavy noise is just an agent.
    const {report} = run({scenario: 'clones', agents: 2000, observations: 60, seed: 4, compromised: 0}, {detectors: ['clones']})
    assert.equal(only(report, 'clones').length, 0)
  })
})

describe('tcp detect: stated false-positive rates on honest fleets', () => {
  it('20 seeds of honest 1,000 x 120 fleets: at most 1 run with any finding at --fpr 0.01 (expected 0.2)', () => {
    let runs = 0
    let flagged = 0
    for (let seed = 100; seed < 120; seed++) {
      const {report} = run({scenario: 'drift', agents: 1000, observations: 120, seed, compromised: 0})
      if (report.findings.length) runs++
      flagged += report.flaggedAgents.length
    }
    assert.ok(runs <= 1, `${runs} of 20 honest runs had findings`)
    assert.ok(flagged / 20_000 <= 0.01)
  })

  it('per-agent p-values are conservative on honest data (rounded and clamped as files are)', () => {
    const src = new ScenarioFleet({scenario: 'drift', agents: 4000, observations: 120, seed: 9, compromised: 0})
    const r = detectFleet(materialise(src), {detectors: ['drift'], fpr: 0.4})
    // With q = 0.4 BH still names nobody on an honest fleet with probability >= 0.6; and the p-values themselves:
    const nul = agentNull(120, 4, 'fleet', 60)
    const sims = Array.from(nul.stats, (s) => agentP(nul, s))
    for (const x of [0.05, 0.01, 0.002]) {
      const rate = sims.filter((p) => p <= x).length / sims.length
      assert.ok(rate <= x * 1.05, `P(p <= ${x}) = ${rate}`)
    }
    assert.ok(r.flaggedAgents.length <= 4)
  })
})

describe('tcp detect: the clone bound', () => {
  it('P(cosine >= c) of independent isotropic vectors agrees with simulation (d = 4, 8)', () => {
    const rng = new Rng(21)
    for (const [d, c] of [[4, 0.9], [8, 0.8]] as const) {
      let hit = 0
      const N = 200_000
      const a = new Float64Array(d)
      const b = new Float64Array(d)
      for (let k = 0; k < N; k++) {
        let ab = 0
        let aa = 0
        let bb = 0
        for (let j = 0; j < d; j++) {
          a[j] = rng.normal()
          b[j] = rng.normal()
          ab += a[j]! * b[j]!
          aa += a[j]! * a[j]!
          bb += b[j]! * b[j]!
        }
        if (ab / Math.sqrt(aa * bb) >= c) hit++
      }
      const p = honestCosineProbability(d, c)
      const se = Math.sqrt((p * (1 - p)) / N)
      assert.ok(Math.abs(hit / N - p) < 4 * se, `d ${d} c ${c}: simulated ${hit / N}, formula ${p}`)
    }
    // The threshold tightens as the fleet grows, and a 4-dimensional vector cannot separate clones at 1e6 agents.
    assert.equal(chooseCosine(1e6, 64, 0.0025), 0.9)
    assert.equal(chooseCosine(1e6, 4, 0.0025), null)
    assert.ok(falsePairBound(1e6, 64, 0.9) < 1e-9)
  })
})

describe('tcp detect: inputs an attacker controls', () => {
  const honest = (n: number, T: number, seed: number) => materialise(new ScenarioFleet({scenario: 'drift', agents: n, observations: T, seed, compromised: 0}))

  it('an agent reporting 1e308 cannot blind the fleet: it is named, and the other detectors still work', () => {
    const src = new ScenarioFleet({scenario: 'sleeper', agents: 500, observations: 120, seed: 8})
    const f = materialise(src)
    const agents = Array.from({length: 500}, (_, i) => f.name(i))
    const values = new Float64Array(500 * 120 * 4)
    const buf = new Float64Array(480)
    for (let i = 0; i < 500; i++) (f.fill(i, buf), values.set(buf, i * 480))
    values.fill(1e308, 0, 4) // agent 0, observation 0
    values.fill(-1e308, 480 * 7 + 100, 480 * 7 + 104)
    const r = detectFleet(fleetFromArrays({agents, features: f.features, observations: 120, values}))
    assert.ok(r.flaggedAgents.includes(agents[0]!) && r.flaggedAgents.includes(agents[7]!))
    assert.ok(only(r, 'coordinated-onset').length === 1)
    assert.ok(Object.values(r.fleetMean).every((s) => s.every(Number.isFinite)))
    assert.ok(only(r, 'clones').length === 0, 'extreme values do not make everyone a clone')
  })

  it('a constant feature (sd 0) neither crashes nor floods the report', () => {
    const f = honest(200, 60, 12)
    const agents = Array.from({length: 200}, (_, i) => f.name(i))
    const values = new Float64Array(200 * 60 * 4)
    const buf = new Float64Array(240)
    for (let i = 0; i < 200; i++) {
      f.fill(i, buf)
      for (let t = 0; t < 60; t++) buf[t * 4 + 2] = 5
      values.set(buf, i * 240)
    }
    const r = detectFleet(fleetFromArrays({agents, features: f.features, observations: 60, values}))
    assert.equal(r.findings.length, 0, JSON.stringify(r.findings.map((x) => x.summary)))
  })

  it('bad arrays and options are input or usage errors naming the field', () => {
    const f = (o: object) => () => fleetFromArrays({agents: ['a', 'b'], features: ['x'], observations: 8, values: new Float64Array(16), ...o})
    assert.throws(f({values: new Float64Array(15)}), /values: expected 2 x 8 x 1 = 16, got 15/)
    assert.throws(f({agents: ['a', 'a']}), /distinct/)
    assert.throws(f({values: new Float64Array(16).fill(NaN)}), /finite/)
    assert.throws(f({observations: 4, values: new Float64Array(8)}), /at least 8/)
    const ok = f({})()
    assert.throws(() => detectFleet(ok, {fpr: 0.7}), /fpr/)
    assert.throws(() => detectFleet(ok, {window: 1}), /window/)
    assert.throws(() => detectFleet(ok, {detectors: ['nope' as 'drift']}), /detector/)
    assert.throws(() => detectFleet(ok, {reference: {from: 'b', mean: {}, sd: {}}}), /feature "x"/)
  })

  it('a baseline reference is used as given: a baseline that disagrees with the fleet flags it', () => {
    const f = honest(300, 60, 13)
    const good = {from: 'test', mean: {tool_risk_accuracy: 0.94, risk_bias: 0, call_rate: 12, latency_ms: 240}, sd: {tool_risk_accuracy: 0.02, risk_bias: 0.03, call_rate: 2.5, latency_ms: 35}}
    assert.equal(detectFleet(f, {reference: good, detectors: ['drift']}).findings.length, 0)
    const shifted = {...good, mean: {...good.mean, risk_bias: 0.03}}
    const r = detectFleet(f, {reference: shifted, detectors: ['drift']})
    assert.ok(r.flaggedAgents.length > 250)
    assert.equal(r.reference.mode, 'baseline')
  })
})
