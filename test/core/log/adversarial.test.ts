// Review attacks on tcp.log/v1 verification: each case is an input an attacker controls, and the verifier must
// reject it by name with bounded work, never crash or accept.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {appendFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {verifyLogFile} from '../../../src/core/log/verify.js'
import {verifyFleet} from '../../../src/core/log/fleet.js'
import {COMMITMENT_SCHEMES} from '../../../src/core/log/commit.js'
import {TcpError} from '../../../src/core/errors.js'
import {appendToLog} from '../../../src/core/log/append.js'
import {trustOf} from '../../helpers/keys.js'
import {T0, checkpointLine, craft, entryHash, iso, newKey, tmp, writeLog} from './helpers.js'
import {canonicalize} from '../../../src/core/canonical/jcs.js'

const NOW = T0 + 3_600_000
const failed = (r: {checks: Array<{check: string; ok: boolean}>}) => r.checks.filter((c) => !c.ok).map((c) => c.check)

describe('tcp.log/v1 under attack', () => {
  const a = newKey()
  const b = newKey()
  const dir = tmp()

  it('a fleet whose log has a gap and commits a far head is rejected by name, not crashed on', () => {
    // a.log: entries 0, 1, then 100000 with a valid checkpoint of it; b references a's entry 50000.
    const fleet = join(dir, 'gap')
    mkdirSync(fleet)
    writeLog(fleet, 'a.log', craft('a', a, [{}, {}, {seq: 100_000}]).lines)
    writeLog(fleet, 'b.log', craft('b', b, [{clock: {a: [50_000, 'ab'.repeat(32)]}}]).lines)
    const r = verifyFleet(fleet, {trust: trustOf([a, b]), now: NOW})
    assert.equal(r.ok, false)
    assert.deepEqual(failed(r), ['sequence', 'fleet-references'])
  })

  it('an unnamed trusted key cannot sign the log of an agent that has a key named for it in the trust store', () => {
    // The operator names agent-b's key; agent a's key is trusted unnamed (for its own log). a forges b's log.
    const trust = trustOf([a, {...b, name: 'agent-b'}] as never)
    const forged = writeLog(dir, 'forged-b.log', craft('agent-b', a, [{}, {}]).lines)
    const r = verifyLogFile(forged, {trust, now: NOW})
    assert.deepEqual(failed(r), ['signature', 'committed'])
    assert.match(r.checks.find((c) => c.check === 'signature')!.detail!, /has no name in the trust store, and "agent-b" has a key named for it/)
    assert.equal(verifyLogFile(writeLog(dir, 'real-b.log', craft('agent-b', b, [{}, {}]).lines), {trust, now: NOW}).ok, true)
    assert.equal(verifyLogFile(writeLog(dir, 'real-a.log', craft('agent-a', a, [{}, {}]).lines), {trust, now: NOW}).ok, true)
  })

  it('a second appender of one log is refused while the first runs; a lock left by a killed appender is taken over', () => {
    const log = join(dir, 'locked.log')
    const obs = (t: number) => [{agent: null, time: t, values: {x: 1}}]
    appendToLog({log, key: a, agent: 'a', observations: obs(T0), now: NOW})
    // A live process (this one) holds the lock: the append is refused and the log is untouched.
    writeFileSync(log + '.lock', String(process.pid))
    assert.throws(() => appendToLog({log, key: a, observations: obs(T0 + 1000), now: NOW}), (e) => e instanceof TcpError && /being appended by process \d+/.test(e.message))
    assert.equal(verifyLogFile(log, {trust: trustOf([a]), now: NOW}).log.head!.seq, 0)
    // A lock whose process has exited is stale: taken over, and released after the append.
    writeFileSync(log + '.lock', String(spawnSync(process.execPath, ['-e', '0']).pid))
    assert.equal(appendToLog({log, key: a, observations: obs(T0 + 1000), now: NOW}).head!.seq, 1)
    assert.equal(existsSync(log + '.lock'), false)
  })

  it('an append with another --window than the log commits is refused before it writes a log that can never verify', () => {
    const log = join(dir, 'windows.log')
    const obs = (from: number, n: number) => Array.from({length: n}, (_, i) => ({agent: null, time: T0 + (from + i) * 1000, values: {x: i}}))
    appendToLog({log, key: a, agent: 'a', observations: obs(0, 4), window: 2, now: NOW})
    assert.throws(() => appendToLog({log, key: a, observations: obs(4, 8), window: 4, now: NOW}), (e) => e instanceof TcpError && /--window 4: .* commits windows of 2 entries/.test(e.message))
    appendToLog({log, key: a, observations: obs(4, 8), window: 2, now: NOW})
    assert.equal(verifyLogFile(log, {trust: trustOf([a]), now: NOW}).ok, true)
  })

  it('a forged entry and checkpoint appended by someone without the key are a tail: refused, then dropped by --repair', () => {
    const log = join(dir, 'tail.log')
    const obs = (from: number, n: number) => Array.from({length: n}, (_, i) => ({agent: null, time: T0 + (from + i) * 1000, values: {x: i}}))
    appendToLog({log, key: a, agent: 'a', observations: obs(0, 3), now: NOW})
    const honest = readFileSync(log)
    // The forger chains correctly onto the head and signs a checkpoint with its own key.
    const head = verifyLogFile(log, {trust: trustOf([a]), now: NOW}).log.head!
    const line = canonicalize({agent: 'a', clock: {}, obs: {x: 99}, prev: head.hash, seq: 3, time: iso(T0 + 3000), type: 'tcp.log/v1'})
    const tail = line + '\n' + checkpointLine('a', b, 3, entryHash(line), iso(T0 + 3000)) + '\n'
    appendFileSync(log, tail)
    assert.throws(() => appendToLog({log, key: a, observations: obs(4, 1), now: NOW}), (err) => err instanceof TcpError && /--repair/.test(err.message))
    const r = appendToLog({log, key: a, observations: obs(4, 1), now: NOW, repair: true})
    assert.deepEqual(r.repaired, {droppedBytes: Buffer.byteLength(tail), droppedLines: 2})
    assert.equal(verifyLogFile(log, {trust: trustOf([a]), now: NOW}).ok, true)
    assert.ok(readFileSync(log).subarray(0, honest.length).equals(honest))
    // Another agent's key still cannot truncate the log: none of its checkpoints verify under that key.
    appendFileSync(log, tail)
    assert.throws(() => appendToLog({log, key: b, observations: obs(9, 1), now: NOW, repair: true}), (err) => err instanceof TcpError && err.code === 'rejected')
  })

  it('a dangling *.log symlink in the fleet directory is a named input error, not an unexpected crash', () => {
    const fleet = join(dir, 'dangling')
    mkdirSync(fleet)
    writeLog(fleet, 'a.log', craft('a', a, [{}]).lines)
    symlinkSync(join(dir, 'nowhere'), join(fleet, 'ghost.log'))
    assert.throws(() => verifyFleet(fleet, {trust: trustOf([a]), now: NOW}), (e) => e instanceof TcpError && /fleet log not found: .*ghost\.log/.test(e.message))
  })

  it('a checkpoint repeating one wrong window commitment 1024 times costs one recomputation', () => {
    const n = 64
    const log = craft('a', a, Array.from({length: n}, () => ({})))
    const lines = log.lines.slice(0, -1)
    const commitments = Array.from({length: 1024}, () => ({scheme: 'sha3-window/v1', from: 0, to: n - 1, value: 'f'.repeat(64)}))
    lines.push(checkpointLine('a', a, n - 1, log.hashes[n - 1]!, iso(T0 + (n - 1) * 1000), {commitments}))
    const p = writeLog(dir, 'amp.log', lines)
    const scheme = COMMITMENT_SCHEMES['sha3-window/v1']
    let calls = 0
    COMMITMENT_SCHEMES['sha3-window/v1'] = (h) => (calls++, scheme(h))
    try {
      const r = verifyLogFile(p, {trust: trustOf([a]), now: NOW})
      assert.deepEqual(failed(r), ['commitments'])
    } finally {
      COMMITMENT_SCHEMES['sha3-window/v1'] = scheme
    }
    assert.equal(calls, 1)
  })
})
