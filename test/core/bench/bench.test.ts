// The measurement harness and the leak detector: statistics on known inputs, the claims evaluator on synthetic
// reports, and the dudect-style detector on its controls. No test asserts a time.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {Rng} from '../../../src/core/rng.js'
import {
  defaultTargets, evaluateClaims, growthExponent, leakyCompare, measureOps, median, quantile, runCt, sinkValue, type CtTarget,
} from '../../../src/core/bench/index.js'
import type {AllPairsReport, AllPairsRow} from '../../../src/core/bench/allpairs.js'
import type {PathsReport} from '../../../src/core/bench/paths.js'

describe('bench harness', () => {
  it('median, quantile and the growth exponent on known data', () => {
    assert.equal(median([5, 1, 3]), 3)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99), 10)
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5)
    assert.ok(Math.abs(growthExponent([1e3, 1e4, 1e5], [1, 100, 10000]) - 2) < 1e-9)
    assert.ok(Math.abs(growthExponent([1e3, 1e4], [3, 30]) - 1) < 1e-9)
    assert.ok(Number.isNaN(growthExponent([1], [1])))
  })

  it('measureOps runs the batch, feeds the sink and reports ordered statistics', () => {
    let calls = 0
    const before = sinkValue()
    const s = measureOps('count', (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc += i
      calls += n
      return acc | 1
    }, {samples: 5, sampleUs: 50, warmupMs: 5})
    assert.ok(calls >= 5 * s.itersPerSample)
    assert.ok(s.nsMin <= s.nsMedian && s.nsMedian <= s.nsP99 && s.nsMin > 0)
    assert.notEqual(sinkValue(), before)
    assert.throws(() => measureOps('x', () => 0, {samples: 2}), /samples: expected at least 3, got 2/)
  })
})

function row(kind: 'uniform' | 'fleet', n: number, lshMs: number, speedup: number, recall: number): AllPairsRow {
  return {kind, n, k: 17, L: 8, radius: 3, hashMs: 1, lshMs, lshCandidates: 1, lshPairs: 1, bruteMs: lshMs * speedup, bruteEstimated: false,
    bruteNsPerPair: 1, truePairs: 10, recall, recallEstimated: false, speedup}
}

describe('claims', () => {
  const paths = (ns: number): PathsReport => ({seed: 1, nsPerMultiplyAdd: 1, paths: ['a', 'b', 'c'].map((name) => ({
    name, nsMedian: ns, nsP99: ns, nsMin: ns, samples: 3, itersPerSample: 1, budgetNs: 100, withinBudget: ns <= 100,
  }))})
  const pairs = (speedup: number, recall: number, e: number): AllPairsReport => ({seed: 1, dim: 64, radius: 3,
    rows: [row('uniform', 1e5, 10, speedup, recall), row('fleet', 1e5, 10, speedup, recall)],
    growth: [{kind: 'uniform', exponentAll: e, exponent1e4to1e5: e, bruteExponentAll: 2}, {kind: 'fleet', exponentAll: e, exponent1e4to1e5: e, bruteExponentAll: 2}]})

  it('each claim holds, fails or is not measured according to the figures', () => {
    const ok = evaluateClaims({paths: paths(40), allPairs: pairs(500, 0.99, 1.1)})
    assert.deepEqual(ok.map((c) => c.status), ['holds', 'holds', 'holds'])
    const bad = evaluateClaims({paths: paths(140), allPairs: pairs(300, 0.99, 1.3)})
    assert.deepEqual(bad.map((c) => c.status), ['does not hold', 'does not hold', 'does not hold'])
    assert.equal(evaluateClaims({allPairs: pairs(500, 0.9, 1)})[1]!.status, 'does not hold') // fast but recall too low
    assert.deepEqual(evaluateClaims({}).map((c) => c.status), ['not measured', 'not measured', 'not measured'])
  })
})

describe('leak detector', () => {
  it('catches the leaky control, clears the null control and calls itself valid', () => {
    const targets = defaultTargets(17, 256).filter((t) => t.role !== 'target')
    const r = runCt({seed: 17, measurements: 1500, reps: 3, targets})
    const leaky = r.results.find((x) => x.role === 'leaky-control')!
    const nul = r.results.find((x) => x.role === 'null-control')!
    assert.ok(leaky.leak, `leaky control max |t| ${leaky.reps.map((x) => x.maxAbsT.toFixed(1))}`)
    assert.ok(!nul.leak, `null control max |t| ${nul.reps.map((x) => x.maxAbsT.toFixed(1))}`)
    assert.equal(r.detector, 'valid', r.detectorReason)
    assert.equal(r.verdict, 'no-leak-found', JSON.stringify(r.results.map((x) => x.reps.map((y) => y.maxAbsT))))
  })

  it('reports a leaking target, and calls itself inconclusive when its leaky control shows nothing', () => {
    const [leaky, nul] = defaultTargets(18, 256) as [CtTarget, CtTarget]
    const leakyTarget: CtTarget = {...leaky, name: 'an early-exit compare posing as a target', role: 'target'}
    const r = runCt({seed: 18, measurements: 1500, reps: 2, targets: [leaky, nul, leakyTarget]})
    assert.equal(r.verdict, 'leak')
    assert.deepEqual(r.leaking, ['an early-exit compare posing as a target'])
    const blind: CtTarget = {...nul, name: 'a control that does not leak', role: 'leaky-control'}
    const r2 = runCt({seed: 18, measurements: 800, reps: 2, targets: [blind, nul]})
    assert.equal(r2.detector, 'inconclusive')
    assert.equal(r2.verdict, 'inconclusive')
    assert.match(r2.detectorReason!, /leaky control was not detected/)
  })

  it('the early-exit compare is what it claims', () => {
    const rng = new Rng(1)
    const a = rng.bytes(16)
    const b = a.slice()
    assert.equal(leakyCompare(a, 0, b, 0, 16), 1)
    b[15]! ^= 1
    assert.equal(leakyCompare(a, 0, b, 0, 16), 0)
  })
})
