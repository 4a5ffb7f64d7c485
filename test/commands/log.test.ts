import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

const obsLines = (agent: string, n: number, startMin = 0) =>
  Array.from({length: n}, (_, i) => JSON.stringify({agent, time: new Date(Date.UTC(2026, 0, 1, 0, startMin + i)).toISOString(), x: 1 + (i % 5) / 10, y: 2 - (i % 3) / 10})).join('\n') + '\n'

describe('tcp log and tcp verify LOG', () => {
  const t = tempDir()
  after(t.cleanup)
  const p = (f: string) => join(t.dir, f)

  it('append, show, verify; every failure names file, line and sequence and exits 1', async () => {
    for (const k of ['a', 'b']) assert.equal((await tcp(['keys', 'generate', '--out', p(k), '--unencrypted'])).code, 0)
    writeFileSync(p('a.jsonl'), obsLines('agent-a', 10))
    writeFileSync(p('b.jsonl'), obsLines('agent-b', 5, 20))
    let r = await tcp(['log', 'append', '--key', p('a.key'), '--log', p('a.log'), '--from', p('a.jsonl'), '--checkpoint-every', '4', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json().appended, 10)
    assert.equal(r.json().checkpoints, 3)
    r = await tcp(['log', 'append', '--key', p('b.key'), '--log', p('b.log'), '--from', p('b.jsonl'), '--saw', p('a.log'), '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(Object.keys(r.json().merged), ['agent-a'])
    r = await tcp(['log', 'show', p('b.log'), '--json'])
    assert.equal(r.code, 0)
    assert.equal(r.json().entries, 5)
    assert.equal(r.json().references['agent-a'][0], 9)
    assert.equal(r.json().signaturesChecked, false)

    r = await tcp(['verify', p('a.log'), '--pub', p('a.pub'), '--json'])
    assert.equal(r.code, 0, r.stdout)
    assert.equal(r.json().report.kind, 'tcp-log')
    assert.ok(r.json().report.checks.length >= 9)
    r = await tcp(['verify', p('a.log'), '--pub', p('b.pub')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /signature: .*a\.log:5 seq 3: key [0-9a-f]{16} is not trusted/)

    r = await tcp(['verify', p('b.log'), '--pub', p('a.pub'), '--pub', p('b.pub'), '--fleet', t.dir, '--json'])
    assert.equal(r.code, 0, r.stdout)
    assert.deepEqual(r.json().report.checks.filter((c: {check: string}) => c.check.startsWith('fleet')).map((c: {ok: boolean}) => c.ok), [true, true, true, true])
  })

  it('a forged clock fails the fleet check; a stale head fails --fresh-within; bad flags exit 2', async () => {
    // Raise b's reference to agent-a beyond what a signed, re-chaining b's log as an attacker with b's key would.
    const lines = readFileSync(p('b.log'), 'utf8').trim().split('\n')
    const e0 = JSON.parse(lines[0]!)
    e0.clock['agent-a'][0] = 99
    writeFileSync(p('forged.jsonl'), '')
    // The attacker holds b's key: re-append b's observations into a fresh log with the forged clock via --saw of a
    // doctored copy of a's log is not possible without a's key, so forge the line and re-sign through the API.
    const {craftSigned} = await import('../core/log/sign-helper.js')
    const forged = await craftSigned(p('b.key'), 'agent-b', [{time: Date.UTC(2026, 0, 1, 1), clock: {'agent-a': [99, e0.clock['agent-a'][1]]}}])
    const fleet = join(t.dir, 'fleet')
    const {mkdirSync, copyFileSync} = await import('node:fs')
    mkdirSync(fleet)
    copyFileSync(p('a.log'), join(fleet, 'a.log'))
    writeFileSync(join(fleet, 'b.log'), forged)
    let r = await tcp(['verify', join(fleet, 'b.log'), '--pub', p('a.pub'), '--pub', p('b.pub'), '--fleet', fleet])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /fleet-references: .*b\.log:1 seq 0: clock of "agent-a" is raised to seq 99/)

    r = await tcp(['verify', p('a.log'), '--pub', p('a.pub'), '--fresh-within', '5m', '--at', '2026-01-01T01:00:00Z'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /freshness: .*stale head/)
    r = await tcp(['verify', p('a.log'), '--pub', p('a.pub'), '--fresh-within', '5m', '--at', '2026-01-01T00:12:00Z'])
    assert.equal(r.code, 0, r.stderr)
    // A FIFO named like a log is refused, not read until it ends.
    const {spawnSync} = await import('node:child_process')
    if (spawnSync('mkfifo', [p('fifo.log')]).status === 0) {
      r = await tcp(['verify', p('fifo.log'), '--pub', p('a.pub')])
      assert.equal(r.code, 2)
      assert.match(r.stderr, /not a regular file/)
    }
    r = await tcp(['verify', p('a.log'), '--pub', p('a.pub'), '--max-skew', 'soon'])
    assert.equal(r.code, 2)
    r = await tcp(['verify', p('a.log'), '--pub', p('a.pub'), '--threshold', '2'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--threshold does not apply to a tcp-log/)
  })

  it('append refuses a torn tail until --repair, which reports what it drops', async () => {
    const before = readFileSync(p('a.log'))
    appendFileSync(p('a.log'), '{"agent":"agent-a","clo')
    let r = await tcp(['verify', p('a.log'), '--pub', p('a.pub')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /torn last line/)
    writeFileSync(p('a2.jsonl'), obsLines('agent-a', 2, 100))
    r = await tcp(['log', 'append', '--key', p('a.key'), '--log', p('a.log'), '--from', p('a2.jsonl')])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--repair/)
    r = await tcp(['log', 'append', '--key', p('a.key'), '--log', p('a.log'), '--from', p('a2.jsonl'), '--repair', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.json().repaired, {droppedBytes: 23, droppedLines: 1})
    assert.ok(readFileSync(p('a.log')).subarray(0, before.length).equals(before))
    assert.equal((await tcp(['verify', p('a.log'), '--pub', p('a.pub')])).code, 0)
    // A back-dated observation is refused before anything is written.
    writeFileSync(p('old.jsonl'), obsLines('agent-a', 1, 0))
    r = await tcp(['log', 'append', '--key', p('a.key'), '--log', p('a.log'), '--from', p('old.jsonl')])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /never go back/)
    // Another agent's key cannot extend this log.
    writeFileSync(p('late.jsonl'), obsLines('agent-a', 1, 500))
    const kept = readFileSync(p('a.log'))
    for (const extra of [[], ['--repair']]) {
      r = await tcp(['log', 'append', '--key', p('b.key'), '--log', p('a.log'), '--from', p('late.jsonl'), ...extra])
      assert.equal(r.code, 1, extra.join(' '))
      assert.match(r.stderr, /does not verify under the appending key/)
    }
    assert.ok(readFileSync(p('a.log')).equals(kept), '--repair with a foreign key must not truncate')
  })

  it('baseline create --from LOG and baseline check --window LOG verify the log first and state its head', async () => {
    let r = await tcp(['baseline', 'create', '--from', p('a.log'), '--subject', 'fleet/a', '--out', p('ba.json')])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /verified first/)
    r = await tcp(['baseline', 'create', '--from', p('a.log'), '--pub', p('a.pub'), '--subject', 'fleet/a', '--out', p('ba.json'), '--json'])
    assert.equal(r.code, 0, r.stderr)
    const src = r.json().logSource
    assert.equal(src.agent, 'agent-a')
    assert.equal(src.head.seq, 11)
    r = await tcp(['sign', p('ba.json'), '--key', p('b.key'), '--out', p('ba.dsse.json')])
    assert.equal(r.code, 0, r.stderr)
    r = await tcp(['baseline', 'check', '--baseline', p('ba.dsse.json'), '--pub', p('b.pub'), '--pub', p('a.pub'), '--window', p('a.log')])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /verified log .*a\.log \(agent agent-a.*head seq 11 [0-9a-f]{64}/)
    // The same log with one observation edited (and the chain left as it is) is rejected before any statistics.
    const text = readFileSync(p('a.log'), 'utf8').replace('"x":1.1', '"x":9.1')
    writeFileSync(p('edited.log'), text)
    r = await tcp(['baseline', 'check', '--baseline', p('ba.dsse.json'), '--pub', p('b.pub'), '--pub', p('a.pub'), '--window', p('edited.log')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /hash-chain|signature/)
    // The agent signs itself a baseline: its key is in the trust set (to verify its log), but cannot vouch for both.
    r = await tcp(['sign', p('ba.json'), '--key', p('a.key'), '--out', p('self.dsse.json')])
    assert.equal(r.code, 0, r.stderr)
    r = await tcp(['baseline', 'check', '--baseline', p('self.dsse.json'), '--pub', p('b.pub'), '--pub', p('a.pub'), '--window', p('a.log')])
    assert.equal(r.code, 1, r.stdout)
    assert.match(r.stderr, /0 of 1 required signer\(s\) other than the key\(s\) that sign the window log .*an agent cannot vouch for its own baseline/)
  })
})
