import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {steps} from '../../../src/core/demo/log.js'
import {tmp} from './helpers.js'

describe('demo step: log', () => {
  it('rejects the forged clock, the replay and the back-dated entry, each by its named check', async () => {
    const r = await steps[0]!.run({dir: tmp(), samplePath: '', passphrase: 'x', log: () => {}, artifacts: {}})
    assert.equal(r.ok, true, r.summary)
    assert.match(r.summary, /forged clock rejected by fleet-references/)
    assert.match(r.summary, /replayed entry rejected by sequence/)
    assert.match(r.summary, /back-dated entry rejected by time-order/)
  })
})
