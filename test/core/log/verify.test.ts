import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {appendFileSync, readFileSync, writeFileSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {verifyLogBytes, verifyLogFile} from '../../../src/core/log/verify.js'
import {verifyFleet} from '../../../src/core/log/fleet.js'
import {simulateFleet} from '../../../src/core/log/simulate.js'
import {appendToLog} from '../../../src/core/log/append.js'
import {observationsFromLog} from '../../../src/core/log/observe.js'
import {describeLog} from '../../../src/core/log/show.js'
import {TcpError} from '../../../src/core/errors.js'
import {LineSplitter} from '../../../src/core/log/lines.js'
import {trustFromDirectory} from '../../../src/core/envelope/trust.js'
import {trustOf} from '../../helpers/keys.js'
import {T0, checkpointLine, craft, entryHash, iso, newKey, tmp, writeLog} from './helpers.js'

const NOW = T0 + 3_600_000
const failed = (r: {checks: Array<{check: string; ok: boolean}>}) => r.checks.filter((c) => !c.ok).map((c) => c.check)

describe('tcp.log/v1 single-log verification', () => {
  const key = newKey()
  const trust = trustOf([key])
  const dir = tmp()

  it('an honest log passes every check and names its head', () => {
    const {lines, hashes} = craft('a', key, [{}, {}, {checkpoint: true}, {clock: {b: [0, 'ab'.repeat(32)]}}, {}])
    const r = verifyLogFile(writeLog(dir, 'ok.log', lines), {trust, now: NOW})
    assert.deepEqual(failed(r), [])
    assert.equal(r.ok, true)
    assert.deepEqual(r.log.head, {seq: 4, hash: hashes[4], time: iso(T0 + 4000), checkpointLine: 7})
    assert.deepEqual(r.checks.map((c) => c.check), ['format', 'agent', 'sequence', 'hash-chain', 'time-order', 'time-future', 'clock', 'signature', 'committed'])
  })

  it('every single-byte change is rejected', () => {
    const {lines} = craft('agent-1', key, [{obs: {x: 0.25, y: -3}}, {clock: {b: [3, 'cd'.repeat(32)]}, checkpoint: true}, {}])
    const good = Buffer.from(lines.map((l) => l + '\n').join(''))
    const p = join(dir, 'sweep.log')
    let accepted: string[] = []
    for (let i = 0; i < good.length; i++)
      for (const flip of i % 4 === 0 ? [0x01, 0x20, 0xff] : [0x01]) {
        const b = Buffer.from(good)
        b[i] = b[i]! ^ flip
        if (verifyLogBytes(b, 'sweep.log', {trust, now: NOW}).ok) accepted.push(`byte ${i} ^ ${flip}`)
      }
    assert.deepEqual(accepted, [])
    // Truncation: only whole checkpointed prefixes verify (a log cannot prove its own length: see freshness and
    // the fleet's references), and each one that does has a head that says where it ends.
    accepted = []
    for (let n = 0; n < good.length; n++) {
      const r = verifyLogBytes(good.subarray(0, n), 'sweep.log', {trust, now: NOW})
      if (r.ok) accepted.push(`${n}: head ${r.log.head!.seq}`)
    }
    const firstCp = lines.slice(0, 3).join('\n').length + 1
    assert.deepEqual(accepted, [`${firstCp}: head 1`])
    writeFileSync(p, good.subarray(0, firstCp))
    assert.equal(verifyLogFile(p, {trust, now: T0 + 3_600_000, freshWithinMs: 60_000}).ok, false)
  })

  it('every deletion, duplication and swap of lines is rejected', () => {
    const {lines} = craft('a', key, [{}, {}, {checkpoint: true}, {}, {}, {}])
    const p = join(dir, 'perm.log')
    const bad: string[] = []
    const check = (ls: string[], what: string) => {
      writeLog(dir, 'perm.log', ls)
      if (verifyLogFile(p, {trust, now: NOW}).ok) bad.push(what)
    }
    for (let i = 0; i < lines.length; i++) {
      // Dropping an intermediate checkpoint drops no entry: the last checkpoint still commits them all.
      if (i !== 3) check(lines.filter((_, j) => j !== i), `delete ${i}`)
      check([...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)], `duplicate ${i}`)
      check([...lines, lines[i]!], `replay ${i} at the end`)
      for (let j = i + 1; j < lines.length; j++) {
        const s = [...lines]
        ;[s[i], s[j]] = [s[j]!, s[i]!]
        if (s[i] !== s[j]) check(s, `swap ${i} ${j}`)
      }
    }
    assert.deepEqual(bad, [])
  })

  it('a replayed entry is named as a duplicate or replay', () => {
    const {lines} = craft('a', key, [{}, {}, {checkpoint: true}])
    const r = verifyLogFile(writeLog(dir, 'replay.log', [...lines.slice(0, 3), lines[1]!, lines[3]!]), {trust, now: NOW})
    const c = r.checks.find((x) => x.check === 'sequence')!
    assert.equal(c.ok, false)
    assert.match(c.detail!, /replay\.log:4 seq 1: sequence 1 again after 2: a duplicate or replayed entry/)
  })

  it('a back-dated entry is rejected by time-order even when chained and signed', () => {
    const {lines} = craft('a', key, [{time: T0}, {time: T0 + 5000}, {time: T0 + 1000}])
    const r = verifyLogFile(writeLog(dir, 'back.log', lines), {trust, now: NOW})
    assert.deepEqual(failed(r), ['time-order'])
    assert.match(r.checks.find((c) => c.check === 'time-order')!.detail!, /back\.log:3 seq 2: .*back-dated/)
  })

  it('a time beyond now + skew is rejected; within the skew it passes', () => {
    const {lines} = craft('a', key, [{time: NOW + 5000}])
    const p = writeLog(dir, 'future.log', lines)
    assert.deepEqual(failed(verifyLogFile(p, {trust, now: NOW})), ['time-future'])
    assert.deepEqual(failed(verifyLogFile(p, {trust, now: NOW, maxSkewMs: 6000})), [])
  })

  it('a stale head is rejected with freshWithin; a fresh one passes', () => {
    const {lines} = craft('a', key, [{time: NOW - 10 * 60_000}])
    const p = writeLog(dir, 'stale.log', lines)
    const r = verifyLogFile(p, {trust, now: NOW, freshWithinMs: 5 * 60_000})
    assert.deepEqual(failed(r), ['freshness'])
    assert.match(r.checks.find((c) => c.check === 'freshness')!.detail!, /stale head: .* 600 s old/)
    assert.deepEqual(failed(verifyLogFile(p, {trust, now: NOW, freshWithinMs: 15 * 60_000})), [])
  })

  it('clock regression, repetition and self-reference are rejected', () => {
    const h = 'ab'.repeat(32)
    for (const [clocks, what] of [
      [[{b: [5, h]}, {b: [3, h]}], 'regresses'],
      [[{b: [5, h]}, {b: [5, h]}], 'repeats'],
      [[{a: [0, h]}], 'own agent'],
    ] as const) {
      const {lines} = craft('a', key, clocks.map((c) => ({clock: c as never})))
      const r = verifyLogFile(writeLog(dir, 'clk.log', lines), {trust, now: NOW})
      assert.deepEqual(failed(r), ['clock'], what)
      assert.match(r.checks.find((c) => c.check === 'clock')!.detail!, new RegExp(what))
    }
  })

  it('untrusted, revoked and wrong keys are rejected', () => {
    const other = newKey()
    const {lines} = craft('a', other, [{}])
    const p = writeLog(dir, 'key.log', lines)
    // Nothing is committed without a valid signature, so 'committed' fails with it.
    assert.deepEqual(failed(verifyLogFile(p, {trust, now: NOW})), ['signature', 'committed'])
    assert.deepEqual(failed(verifyLogFile(p, {trust: trustOf([other], [other.keyId]), now: NOW})), ['signature', 'committed'])
    assert.deepEqual(failed(verifyLogFile(p, {trust: trustOf([other]), now: NOW})), [])
    // The key id of a trusted key on a signature made by another key.
    const forged = craft('a', other, [{}]).lines
    forged[1] = forged[1]!.replace(other.keyId, key.keyId)
    assert.deepEqual(failed(verifyLogFile(writeLog(dir, 'key2.log', forged), {trust: trustOf([key, other]), now: NOW})), ['signature', 'committed'])
  })

  it('a torn last line and an uncommitted tail are rejected, not kept; the committed prefix still verifies', () => {
    const {lines} = craft('a', key, [{}, {}])
    const p = writeLog(dir, 'torn.log', lines)
    appendFileSync(p, lines[0]!.slice(0, 40))
    const r = verifyLogFile(p, {trust, now: NOW})
    assert.deepEqual(failed(r), ['format', 'committed'])
    assert.match(r.checks[0]!.detail!, /torn\.log:4: torn last line/)
    assert.equal(r.log.head!.seq, 1)
    const extra = craft('a', key, [{}, {}, {}]).lines.slice(2, 3) // entry 2, no checkpoint
    const q = writeLog(dir, 'tail.log', [...lines, ...extra])
    const t = verifyLogFile(q, {trust, now: NOW})
    assert.deepEqual(failed(t), ['committed'])
    assert.match(t.checks.find((c) => c.check === 'committed')!.detail!, /tail\.log:4 seq 2: 1 line\(s\) after the last checkpoint/)
  })

  it('a checkpoint that does not commit the entry before it is rejected', () => {
    const {lines, hashes} = craft('a', key, [{}, {}, {}])
    lines[3] = checkpointLine('a', key, 1, hashes[1]!, iso(T0 + 2000))
    assert.ok(failed(verifyLogFile(writeLog(dir, 'cp.log', lines), {trust, now: NOW})).includes('signature'))
  })

  it('window commitments are recomputed; a wrong value or an unknown scheme is rejected', () => {
    const {lines, hashes} = craft('a', key, [{}, {}, {}, {}])
    const p = join(dir, 'commit.log')
    const run = (c: unknown) => {
      const ls = lines.slice(0, 4)
      ls.push(checkpointLine('a', key, 3, hashes[3]!, iso(T0 + 3000), {commitments: c}))
      writeLog(dir, 'commit.log', ls)
      return verifyLogFile(p, {trust, now: NOW})
    }
    // Honest commitments come from the appender; take one from there.
    const d = tmp()
    const obs = [0, 1, 2, 3].map((i) => ({agent: null, time: T0 + i * 1000, values: {x: i}}))
    appendToLog({log: join(d, 'w.log'), key, agent: 'a', observations: obs, window: 2, now: NOW})
    const cp = JSON.parse(readFileSync(join(d, 'w.log'), 'utf8').trim().split('\n').at(-1)!)
    assert.equal(cp.commitments.length, 2)
    assert.deepEqual(failed(verifyLogFile(join(d, 'w.log'), {trust, now: NOW})), [])
    assert.ok(verifyLogFile(join(d, 'w.log'), {trust, now: NOW}).checks.some((c) => c.check === 'commitments' && c.ok))
    assert.deepEqual(failed(run([{scheme: 'sha3-window/v1', from: 0, to: 1, value: '00'.repeat(32)}])), ['commitments'])
    assert.deepEqual(failed(run([{scheme: 'poseidon/v0', from: 0, to: 1, value: '1'}])), ['commitments'])
    assert.deepEqual(failed(run([{scheme: 'sha3-window/v1', from: 1, to: 2, value: '00'.repeat(32)}])), ['commitments']) // unaligned
  })

  it('rejects unknown fields, non-canonical lines and bad shapes as format', () => {
    const {lines} = craft('a', key, [{}])
    const e = JSON.parse(lines[0]!)
    for (const bad of [JSON.stringify({...e, extra: 1}), lines[0]!.replace('"obs":{"x":0}', '"obs":{"__proto__":1}'), lines[0]!.replace('"obs":{"x":0}', '"obs":{"time":1}'), JSON.stringify(e, null, 1).replace(/\n/g, ''), lines[0]!.replace('"seq":0', '"seq":0.0'), lines[0]!.replace('.000Z', 'Z'), '[]', '{']) {
      const r = verifyLogFile(writeLog(dir, 'fmt.log', [bad, lines[1]!]), {trust, now: NOW})
      assert.ok(failed(r).includes('format'), bad)
    }
  })

  it('describeLog reports structure without signatures; observationsFromLog verifies first', () => {
    const {lines} = craft('a', newKey(), [{obs: {x: 1}}, {obs: {x: 3}}])
    const p = writeLog(dir, 'obs.log', lines)
    const d = describeLog(p, NOW)
    assert.equal(d.entries, 2)
    assert.equal(d.signaturesChecked, false)
    assert.throws(() => observationsFromLog(p, {trust, now: NOW}), (e: TcpError) => e.code === 'rejected' && /signature/.test(e.message))
    const ok = craft('a', key, [{obs: {x: 1}}, {obs: {x: 3}}])
    const o = observationsFromLog(writeLog(dir, 'obs2.log', ok.lines), {trust, now: NOW})
    assert.deepEqual(o.set.rows.map((r) => r.values.x), [1, 3])
    assert.equal(o.head.hash, ok.hashes[1])
  })
})

describe('line splitting', () => {
  it('gives the same lines fed whole or byte by byte, and marks only a final line without newline as torn', () => {
    const text = Buffer.from('{"a":1}\n\n{"b":22}\nxyz')
    const run = (chunks: Buffer[]) => {
      const out: string[] = []
      const s = new LineSplitter(5, (l, n, torn, bytes) => out.push(`${n}:${l.toString()}:${torn}:${bytes}`))
      for (const c of chunks) s.push(c)
      s.end()
      return out
    }
    const whole = run([text])
    assert.deepEqual(whole, ['1:{"a":1:false:7', '2::false:0', '3:{"b":2:false:8', '4:xyz:true:3'])
    assert.deepEqual(run([...text].map((x) => Buffer.from([x]))), whole)
  })
})

describe('tcp.log/v1 fleet verification', () => {
  it('an honest seeded fleet of 20 agents verifies, and one removed log is noticed', async () => {
    const dir = tmp()
    const sim = simulateFleet({dir, agents: 20, entries: 60, seed: 11, messageRate: 0.2, checkpointEvery: 10})
    assert.ok(sim.references > 50)
    const trust = await trustFromDirectory(sim.trustDir)
    const r = verifyFleet(dir, {trust, now: sim.lastTimeMs + 1000})
    assert.deepEqual(failed(r), [])
    assert.equal(r.fleet.agents, 20)
    assert.equal(r.fleet.entries, 1200)
    unlinkSync(sim.agents[3]!.file)
    const r2 = verifyFleet(dir, {trust, now: sim.lastTimeMs + 1000})
    assert.deepEqual(failed(r2), ['fleet-references'])
    assert.match(r2.checks.find((c) => !c.ok)!.detail!, /references agent "agent-04", which has no log in the fleet/)
  })

  const a = newKey()
  const b = newKey()
  const trust = trustOf([a, b])
  const A = craft('A', a, [{time: T0}, {time: T0 + 1000}, {time: T0 + 2000, checkpoint: true}, {time: T0 + 3000}])

  function fleetWith(bSpecs: Parameters<typeof craft>[2], aLines = A.lines) {
    const dir = tmp()
    writeLog(dir, 'A.log', aLines)
    writeLog(dir, 'B.log', craft('B', b, bSpecs).lines)
    return verifyFleet(dir, {trust, now: NOW})
  }

  it('a clock reference to a signed entry of another agent resolves', () => {
    assert.deepEqual(failed(fleetWith([{time: T0 + 2500, clock: {A: [2, A.hashes[2]!]}}])), [])
  })

  it('a clock raised beyond what the referenced agent signed is rejected', () => {
    const r = fleetWith([{time: T0 + 9000, clock: {A: [7, A.hashes[2]!]}}])
    assert.deepEqual(failed(r), ['fleet-references'])
    assert.match(r.checks.find((c) => !c.ok)!.detail!, /B\.log:1 seq 0: clock of "A" is raised to seq 7, beyond what "A" signed \(its last committed seq is 3\)/)
  })

  it('a clock component pointing at a wrong hash is rejected', () => {
    const r = fleetWith([{time: T0 + 2500, clock: {A: [2, A.hashes[1]!]}}])
    assert.deepEqual(failed(r), ['fleet-references'])
    assert.match(r.checks.find((c) => !c.ok)!.detail!, /seq 2 names hash/)
  })

  it('a lowered clock (regression) is rejected', () => {
    const r = fleetWith([{time: T0 + 2500, clock: {A: [2, A.hashes[2]!]}}, {time: T0 + 2600, clock: {A: [1, A.hashes[1]!]}}])
    assert.deepEqual(failed(r), ['clock'])
  })

  it('referencing an entry from the future (time travel) is rejected beyond the skew', () => {
    const r = fleetWith([{time: T0, clock: {A: [3, A.hashes[3]!]}}])
    assert.deepEqual(failed(r), ['fleet-time'])
    assert.match(r.checks.find((c) => !c.ok)!.detail!, /later than this entry's own time/)
  })

  it('a causal cycle between two agents is rejected, even when times agree within the skew', () => {
    // A0 references B1 and B1 references A1, which follows A0 in A's chain: B1 -> A1 -> A0 -> B1. Hash chains make a
    // pure cycle unconstructible (each side would need the other's hash first), so B1 is rebuilt after A and A0's
    // reference names the old B1: fleet-references rejects the wrong hash, and the causality walk, which follows
    // references by sequence number, independently finds the cycle.
    const bb = craft('B', b, [{time: T0}, {time: T0 + 1000}])
    const aa = craft('A', a, [{time: T0 + 1000, clock: {B: [1, bb.hashes[1]!]}}, {time: T0 + 1500}])
    const bbb = craft('B', b, [{time: T0}, {time: T0 + 1000, clock: {A: [1, aa.hashes[1]!]}}])
    const dir = tmp()
    writeLog(dir, 'A.log', aa.lines)
    writeLog(dir, 'B.log', bbb.lines)
    const r = verifyFleet(dir, {trust, now: NOW})
    assert.ok(failed(r).includes('fleet-references'))
    assert.ok(failed(r).includes('fleet-causality'), JSON.stringify(r.checks))
  })

  it('two logs of one agent, or a key named for another agent, are rejected', async () => {
    const dir = tmp()
    writeLog(dir, 'A.log', A.lines)
    writeLog(dir, 'A2.log', A.lines)
    assert.deepEqual(failed(verifyFleet(dir, {trust, now: NOW})), ['fleet-agents'])
    const d2 = tmp()
    writeLog(d2, 'B.log', craft('B', b, [{}]).lines)
    const named = trustOf([{...a, name: 'A'}, {...b, name: 'C'}] as never)
    const r = verifyFleet(d2, {trust: named, now: NOW})
    assert.ok(failed(r).includes('fleet-agents') && failed(r).includes('signature'), JSON.stringify(r.checks))
    // The same binding holds for one log verified alone.
    const one = verifyLogFile(join(d2, 'B.log'), {trust: named, now: NOW})
    assert.match(one.checks.find((c) => c.check === 'signature')!.detail!, /named "C" in the trust store, not "B"/)
    assert.equal(verifyLogFile(join(d2, 'B.log'), {trust: trustOf([{...b, name: 'B'}] as never), now: NOW}).ok, true)
  })
})

describe('encodeEntry', () => {
  it('equals RFC 8785 canonicalize on random entries, odd names included', async () => {
    const {encodeEntry} = await import('../../../src/core/log/format.js')
    const {canonicalize} = await import('../../../src/core/canonical/jcs.js')
    const {Rng} = await import('../../../src/core/rng.js')
    const rng = new Rng(5)
    const names = ['a', 'B', 'z_1', 'é', '\u{1F600}', 'ä\u0000', '"q"', 'aa', 'a\\b', '\u007f', '10', '9']
    const nums = [0, -0, 1e21, 1e-7, 0.1, -3.25, 123456789.125, 2 ** 53, 5e-324]
    for (let i = 0; i < 500; i++) {
      const obs: Record<string, number> = {}
      const clock: Record<string, [number, string]> = {}
      for (let j = rng.int(5); j > 0; j--) obs[names[rng.int(names.length)]!] = nums[rng.int(nums.length)]! * (rng.float() < 0.5 ? 1 : rng.float())
      for (let j = rng.int(3); j > 0; j--) clock[`agent-${rng.int(20)}`] = [rng.int(1000), 'ab'.repeat(32)]
      const e = {type: 'tcp.log/v1' as const, agent: `a-${i}`, seq: i, time: iso(T0 + i), prev: 'cd'.repeat(32), obs, clock}
      assert.equal(encodeEntry(e), canonicalize(e))
    }
  })
})

describe('log times', () => {
  it('accept only what toISOString writes, and only real calendar dates', async () => {
    const {logTimeMs} = await import('../../../src/core/log/format.js')
    for (const ok of ['2026-01-01T00:00:00.000Z', '2028-02-29T23:59:59.999Z', '2000-02-29T12:00:00.001Z', '9999-12-31T23:59:59.999Z'])
      assert.equal(logTimeMs(ok), Date.parse(ok), ok)
    for (const bad of ['2026-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:60:00.000Z', '2026-01-01T00:00:60.000Z', '0999-01-01T00:00:00.000Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+00:00', '2026-01-01 00:00:00.000Z', 1, null])
      assert.ok(Number.isNaN(logTimeMs(bad)), String(bad))
  })
})
