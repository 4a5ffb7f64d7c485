// The log binding of bind.ts without Groth16 (fast): the commitment check-log-binding accepts is exactly the one of
// a checkpointed window with its derived salt; chosen values, another window's salt, a shifted window, an edited
// entry, another agent's baseline are refused. The end-to-end test with real proofs is in test/commands/zk.test.ts.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {appendToLog} from '../../../src/core/log/append.js'
import {createBaseline, baselineDigest} from '../../../src/core/baseline/baseline.js'
import {boundCommitment, checkLogBinding, scanCheckpointedWindows, windowSalt, type LogWindow} from '../../../src/core/zk/bind.js'
import {windowCommitment} from '../../../src/core/zk/commitment.js'
import {digestToField, featureIndexOf, fixedWindow} from '../../../src/core/zk/statement.js'
import {trustOf} from '../../helpers/keys.js'
import {T0, newKey, tmp} from '../log/helpers.js'

const NOW = T0 + 3_600_000

describe('zk log binding (bind.ts)', () => {
  const key = newKey()
  const trust = trustOf([key])
  const d = tmp()
  const values = Array.from({length: 16}, (_, i) => 200 + ((i * 7) % 11))
  const obs = values.map((v, i) => ({agent: null, time: T0 + i * 1000, values: {latency_ms: v, call_rate: 10 + (i % 3)}}))
  const log = join(d, 'a.log')
  appendToLog({log, key, agent: 'a', observations: obs, window: 8, checkpointEvery: 8, now: NOW})
  const baseline = createBaseline({features: ['latency_ms', 'call_rate'], rows: obs}, {subject: 'bind/test', created: new Date(T0).toISOString()})
  const digest = baselineDigest(baseline)
  const windows: LogWindow[] = []
  assert.ok(scanCheckpointedWindows(log, {trust, now: NOW}, (w) => windows.push(w)).ok)
  const bundle = (commitment: bigint) => ({feature: 'latency_ms', commitment: commitment.toString(), circuit: {size: 8 as const}})
  const check = (c: bigint, path = log, b = baseline, baselineSigners = ['0123456789abcdef']) =>
    checkLogBinding(bundle(c), {baseline: b, digest, path, log: {trust, now: NOW}, baselineSigners, threshold: 1}).check
  const fi = featureIndexOf(baseline, 'latency_ms')
  const commit = (vals: number[], salt: bigint) =>
    windowCommitment({size: 8, values: fixedWindow(vals, baseline.features.latency_ms!, 8, 'latency_ms'), featureIndex: fi, baselineDigest: digestToField(digest), salt})

  it('each checkpointed window binds; the detail names the window and its checkpoint', () => {
    assert.deepEqual(windows.map((w) => [w.from, w.to, w.checkpoint.line]), [[0, 7, 9], [8, 15, 18]])
    for (const w of windows) {
      const c = check(boundCommitment(w, baseline, digest, 'latency_ms', 8)!)
      assert.ok(c.ok, c.detail)
      assert.match(c.detail!, new RegExp(`entries ${w.from}\\.\\.${w.to} .* checkpoint at line ${w.checkpoint.line}`))
    }
  })

  it('chosen values, a straddling window, or a window under another salt do not bind', () => {
    const salt0 = windowSalt(windows[0]!.hashes, digest, fi)
    const chosen = values.slice(0, 8).map((v, i) => (i === 3 ? v + 1 : v))
    for (const [name, c] of [
      ['one value changed, the real salt', commit(chosen, salt0)],
      ['entries 4..11 with window 0 salt', commit(values.slice(4, 12), salt0)],
      ['window 0 values, window 1 salt', commit(values.slice(0, 8), windowSalt(windows[1]!.hashes, digest, fi))],
      ['window 0 values reordered', commit([...values.slice(0, 8)].reverse(), salt0)],
    ] as const) {
      const r = check(c)
      assert.equal(r.ok, false, name)
      assert.match(r.detail!, /not a recorded window/, name)
    }
    assert.equal(commit(values.slice(0, 8), salt0), boundCommitment(windows[0]!, baseline, digest, 'latency_ms', 8)) // the control
  })

  it('an edited entry, a log without windows, another agent, a self-vouched baseline fail the binding by name', () => {
    const good = boundCommitment(windows[0]!, baseline, digest, 'latency_ms', 8)!
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[2] = lines[2]!.replace('"latency_ms":', '"latency_ms":1')
    writeFileSync(join(d, 'edited.log'), lines.join('\n'))
    assert.match(check(good, join(d, 'edited.log')).detail!, /does not verify/)
    appendToLog({log: join(d, 'plain.log'), key, agent: 'a', observations: obs, checkpointEvery: 8, now: NOW})
    assert.match(check(good, join(d, 'plain.log')).detail!, /commits no windows/)
    assert.match(check(good, log, {...baseline, agent: 'b'}).detail!, /the baseline describes agent b/)
    // A baseline vouched for only by the key that signs the log: the agent cannot vouch for its own baseline.
    assert.match(check(good, log, baseline, [key.keyId]).detail!, /an agent cannot vouch for its own baseline/)
    assert.ok(check(good, log, baseline, [key.keyId, '0123456789abcdef']).ok)
  })
})
