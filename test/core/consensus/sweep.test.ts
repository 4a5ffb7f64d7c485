import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {parseList, parseRange, parseStrategies, renderTable, sweep} from '../../../src/core/consensus/sweep.js'
import {renderSvg} from '../../../src/core/consensus/svg.js'
import {parseLatency, parsePartition} from '../../../src/core/consensus/network.js'
import {isTcpError} from '../../../src/core/errors.js'

const usage = (re: RegExp) => (e: unknown) => isTcpError(e) && e.code === 'usage' && re.test(e.message)

describe('consensus sweep', () => {
  it('agrees with the theory on a small grid and judges the 75%-vs-32% claim: safe, not live', () => {
    const r = sweep({agents: 40, thresholds: [0.51, 0.75], fractions: [0, 0.2, 0.3, 0.5], runs: 2, seed: 3, rounds: 20, strategies: ['strongest', 'withhold'], crypto: 'model'})
    assert.equal(r.cells.length, 8)
    const cell = (q: number, f: number) => r.cells.find((c) => c.threshold === q && c.byzantine === f)!
    assert.equal(cell(0.51, 0.2).safe, false)
    assert.equal(cell(0.75, 0.2).safe && cell(0.75, 0.2).live, true)
    assert.equal(cell(0.75, 0.3).live, false)
    assert.equal(cell(0.75, 0.3).safe, true)
    assert.equal(r.agreement.safe, 8)
    assert.equal(r.agreement.live, 8)
    assert.equal(r.claim.safe, true)
    assert.equal(r.claim.live, false)
    assert.match(r.claim.verdict, /safety holds .* liveness does not hold/)
    assert.match(renderTable(r), /0\.75 +\. +\. +s +#/)
    const svg = renderSvg(r)
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    assert.equal((svg.match(/<\/title><\/rect>/g) ?? []).length, 8, 'one cell per (q, f)')
    assert.match(svg, /safe iff f &lt; 2q - 1/)
    assert.match(svg, /liveness FAILS/)
    assert.ok(svg.trim().endsWith('</svg>'))
  })

  it('same seed, same cells', () => {
    const o = {agents: 20, thresholds: [0.67], fractions: [0.1, 0.4], runs: 2, seed: 9, rounds: 10, strategies: ['equivocate'] as const, crypto: 'model' as const}
    assert.deepEqual(sweep({...o, strategies: [...o.strategies]}).cells, sweep({...o, strategies: [...o.strategies]}).cells)
  })

  it('parses lists and ranges, and rejects bad ones', () => {
    assert.deepEqual(parseRange('byzantine', '0:0.6:0.05').length, 13)
    assert.deepEqual(parseRange('byzantine', '0:0.2:0.1'), [0, 0.1, 0.2])
    assert.deepEqual(parseRange('byzantine', '0.1,0.3'), [0.1, 0.3])
    assert.deepEqual(parseList('threshold', '0.51,0.75'), [0.51, 0.75])
    assert.throws(() => parseRange('byzantine', '0:1:0'), usage(/--byzantine/))
    assert.throws(() => parseRange('byzantine', '0.2,1.5'), usage(/--byzantine/))
    assert.throws(() => parseList('threshold', '0.5,x'), usage(/--threshold/))
    assert.throws(() => parseStrategies('strongest,nope'), usage(/nope/))
    assert.deepEqual(parseLatency('uniform:5:10'), {dist: 'uniform', min: 5, max: 10})
    assert.throws(() => parseLatency('gamma:3'), usage(/--latency/))
    assert.throws(() => parseLatency('exp:1:2'), usage(/takes 1/))
    assert.throws(() => parseLatency('uniform:9:1'), usage(/below MIN/))
    assert.deepEqual(parsePartition('100:2500'), {startMs: 100, endMs: 2500})
    assert.throws(() => parsePartition('5:1'), usage(/after START/))
  })
})

describe('consensus sweep: enough rounds after the heal, and the runs behind each verdict', () => {
  it('the grid that used to stall off the README grid agrees with theory, and every cell counts its runs per strategy', () => {
    const r = sweep({agents: 60, thresholds: [0.6, 0.67], fractions: [0.19, 0.33], runs: 3, seed: 7, rounds: 20, strategies: ['strongest', 'withhold'], crypto: 'model'})
    assert.equal(r.agreement.safe, 4)
    assert.equal(r.agreement.live, 4)
    for (const c of r.cells) {
      assert.deepEqual(c.byStrategy.map((x) => [x.strategy, x.runs]), [['strongest', 3], ['withhold', 3]])
      assert.equal(c.runs, 6)
      assert.equal(c.violations, c.byStrategy[0]!.violations + c.byStrategy[1]!.violations)
    }
    const unsafe = r.cells.find((c) => c.threshold === 0.6 && c.byzantine === 0.33)!
    assert.equal(unsafe.byStrategy[0]!.violations, 3, 'strongest breaks safety in every run where theory allows')
    assert.match(renderTable(r), /each verdict rests on 6 runs per cell \(3 per strategy: strongest, withhold\)/)
    assert.match(renderTable(r), /0\.60 +0\/0 +3\/0/)
  })
})
