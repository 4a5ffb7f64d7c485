import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {
  Welford,
  checkWindow,
  createBaseline,
  baselineDigest,
  baselineBytes,
  isqrt,
  judgeWindow,
  parseBaseline,
  parseK,
  parseObservations,
  toFixed,
  windowBounds,
} from '../../../src/core/baseline/index.js'
import {generateSample} from '../../../src/core/sample/telemetry.js'
import {Rng} from '../../../src/core/rng.js'
import {TcpError} from '../../../src/core/errors.js'

const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()

describe('observations', () => {
  it('JSONL and CSV give the same records', () => {
    const j = parseObservations(`{"agent":"a","time":"${t(0)}","x":1.5,"y":2}\n{"agent":"a","time":"${t(1)}","x":-3,"y":4e2}\n`)
    const c = parseObservations(`time,agent,x,y\n${t(0)},a,1.5,2\n"${t(1)}",a,-3,4e2\n`)
    assert.deepEqual(j, c)
    assert.deepEqual(j.features, ['x', 'y'])
  })

  it('malformed lines are reported with their line number, never skipped', () => {
    const cases: Array<[string, RegExp]> = [
      [`{"time":"${t(0)}","x":1}\n{"time":"${t(1)}","x":"2"}\n`, /obs:2: feature "x" must be a finite number/],
      [`{"time":"${t(0)}","x":1}\n\n{"time":"nope","x":2}\n`, /obs:3: "time"/],
      [`{"time":"${t(0)}","x":1}\n{"time":"${t(1)}","x":1,"y":2}\n`, /obs:2: unexpected feature "y"/],
      [`{"time":"${t(0)}","x":1,"y":1}\n{"time":"${t(1)}","x":1}\n`, /obs:2: missing feature "y"/],
      [`{"time":"${t(0)}","x":1}\n{bad json\n`, /obs:2: not valid JSON/],
      // A pretty-printed JSON document (a signed envelope, a baseline) given where observations go (review 2).
      [`{\n  "payloadType": "x"\n}\n`, /obs:1: not valid JSON: observations are one JSON object per line, and this line opens a multi-line JSON document/],
      [`time,x\n${t(0)},1\n${t(1)},1,2\n`, /obs:3: expected 2 fields, got 3/],
      [`time,x\n${t(0)},abc\n`, /obs:2: feature "x" must be a number/],
      [`time,x\n${t(0)},0x10\n`, /obs:2: feature "x" must be a number/],
      [`x,y\n1,2\n`, /obs:1: header has no "time" column/],
    ]
    for (const [text, re] of cases) assert.throws(() => parseObservations(text, 'obs'), (e: TcpError) => e.code === 'input' && re.test(e.message), re.source)
  })
})

describe('statistics', () => {
  it('Welford stays accurate where the naive formula cancels (values near 1e9)', () => {
    const w = new Welford()
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]
    for (const x of xs) w.push(x)
    assert.equal(w.mean, 1e9 + 10)
    assert.equal(w.variance, 30) // exact: deviations -6,-3,3,6 -> 90/3
  })

  it('matches a two-pass computation on seeded random data', () => {
    const r = new Rng(5)
    const xs = Array.from({length: 5000}, () => r.normal(50, 3))
    const w = new Welford()
    xs.forEach((x) => w.push(x))
    const mean = xs.reduce((a, b) => a + b) / xs.length
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)
    assert.ok(Math.abs(w.mean - mean) < 1e-9)
    assert.ok(Math.abs(w.variance - v) / v < 1e-9)
  })

  it('fixed-point forms are exact integers within 32 bits, and the baseline mean maps to fixed.mean', () => {
    const s = generateSample({agents: 2, observations: 200, compromised: 0, seed: 1})
    const b = createBaseline(parseObservations(s.text), {subject: 's'})
    for (const f of Object.values(b.features)) {
      assert.ok(Number.isSafeInteger(f.fixed.mean) && Number.isSafeInteger(f.fixed.variance))
      assert.equal(f.fixed.scale, 10 ** f.fixed.decimals)
      assert.equal(toFixed(f.min, f.fixed), BigInt(f.fixed.min))
      assert.ok(Math.abs(Number(toFixed(f.mean, f.fixed)) - f.fixed.mean) <= 1)
      assert.ok(f.fixed.max < 2 ** 32)
    }
  })
})

describe('canonical baseline', () => {
  it('canonical bytes and digest do not depend on key order; parse accepts its own output', () => {
    const s = generateSample({agents: 1, observations: 20, compromised: 0, seed: 2})
    const b = createBaseline(parseObservations(s.text), {subject: 's', created: '2026-01-01T00:00:00.000Z'})
    const shuffled = Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(b))).reverse())
    assert.deepEqual(baselineBytes(parseBaseline(shuffled)), baselineBytes(b))
    assert.deepEqual(baselineDigest(parseBaseline(JSON.parse(JSON.stringify(b)))), baselineDigest(b))
    assert.throws(() => parseBaseline({...b, extra: 1}), /unknown field/)
    assert.throws(() => parseBaseline({...b, version: 2}), /must name a previous/)
    assert.throws(() => parseBaseline({...b, schema: 'x'}), /schema/)
  })
})

describe('the window rule (shared with the proofs)', () => {
  it('isqrt is the exact floor square root', () => {
    const r = new Rng(3)
    for (let i = 0; i < 2000; i++) {
      const x = BigInt(r.u32()) * BigInt(r.u32()) * BigInt(r.u32())
      const s = isqrt(x)
      assert.ok(s * s <= x && (s + 1n) * (s + 1n) > x)
    }
  })

  it('parseK accepts decimals and refuses junk', () => {
    assert.deepEqual(parseK('2.5'), {num: 25n, den: 10n})
    for (const bad of ['0', '-1', 'abc', '1e3', '2.1234567', '1001']) assert.throws(() => parseK(bad), TcpError, bad)
  })

  it('integer bounds agree with the float z-test away from the boundary, and are exact at it', () => {
    const fixed = {scale: 100, decimals: 2, offset: 0, bits: 32, mean: 5000, variance: 400, min: 0, max: 10000}
    const k = parseK('3')
    const b = windowBounds({fixed}, 16, k)
    // delta = floor(sqrt(9 * 400 * 16)) = 240: sums 80000 +- 240.
    assert.equal(b.delta, 240n)
    assert.equal(b.sumLower, 79760n)
    assert.equal(b.sumUpper, 80240n)
    const at = (sum: number) => judgeWindow([...Array(15).fill(50), (sum - 15 * 5000) / 100], {fixed}, k)
    assert.equal(at(80240).meanOk, true)
    assert.equal(at(80241).meanOk, false)
    assert.equal(at(79760).meanOk, true)
    assert.equal(at(79759).meanOk, false)
  })

  it('variance bound: n*sum(x^2) - sum(x)^2 <= n^2 * 4 * variance', () => {
    const fixed = {scale: 1, decimals: 0, offset: 0, bits: 32, mean: 100, variance: 25, min: 0, max: 200}
    const k = parseK('1000')
    // Population variance 100 = 4 * 25: on the bound. 101: over.
    assert.equal(judgeWindow([90, 110], {fixed}, k).varianceOk, true)
    assert.equal(judgeWindow([89, 111], {fixed}, k).varianceOk, false)
  })

  it('values outside the fixed-point range make the window fail', () => {
    const fixed = {scale: 1, decimals: 0, offset: 10, bits: 8, mean: 5, variance: 4, min: 0, max: 10}
    assert.equal(judgeWindow([9], {fixed}, parseK('3')).unrepresentable, 1)
    assert.equal(judgeWindow([10 + 256], {fixed}, parseK('3')).unrepresentable, 1)
  })

  it('on sample data, the drifting agent is flagged and the healthy ones are not', () => {
    const s = generateSample({agents: 6, observations: 120, compromised: 1, seed: 2026})
    const all = parseObservations(s.text)
    const early = {features: all.features, rows: all.rows.filter((_, i) => i < 60 * 6)}
    const b = createBaseline(early, {subject: 'fleet'})
    const bad = s.compromisedAgents[0]!
    const late = (agent: string) => ({features: all.features, rows: all.rows.filter((r, i) => i >= 60 * 6 && r.agent === agent)})
    const r = checkWindow(b, late(bad), '3')
    assert.ok(r.deviating.includes('risk_bias') || r.deviating.includes('tool_risk_accuracy'), JSON.stringify(r.features))
    for (const a of s.agents.filter((x) => x !== bad)) assert.deepEqual(checkWindow(b, late(a), '3').deviating, [], a)
  })
})
