// fleet-witness against a key holder who keeps entries from the witness: what it cannot tell apart (entries re-dated
// inside the bound when they are finally shown) and what naming the witness settles (a second key of the attacker,
// a sybil peer, pinning entries the witness never saw).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {verifyFleet, type FleetVerifyOptions} from '../../../src/core/log/fleet.js'
import {LogWriter} from '../../../src/core/log/writer.js'
import {resignLog} from '../../../src/core/log/forge.js'
import {entryHash, formatLogTime, type ClockRef, type LogCheckpoint, type LogEntry} from '../../../src/core/log/format.js'
import {trustOf} from '../../helpers/keys.js'
import {T0, newKey, tmp, type Key} from './helpers.js'

const failed = (r: {checks: Array<{check: string; ok: boolean}>}) => r.checks.filter((c) => !c.ok).map((c) => c.check)
const detail = (r: {checks: Array<{check: string; detail?: string}>}, check: string) => r.checks.find((c) => c.check === check)?.detail ?? ''

const AGENTS = ['agent-a', 'agent-b', 'agent-s'] as const
const NAMES = [...AGENTS, 'recorder'] as const
type Name = (typeof NAMES)[number]
/** The bound: rounds every 10 s (each append commits at once), plus the skew and slack. */
const D = 22_000

/**
 * Seven rounds, one every 10 s: agent-a, agent-b and agent-s each append one entry referencing the recorder's last
 * entry (agent-b also agent-a's last published one), then the recorder appends one entry referencing every agent's
 * last published entry. agent-a publishes its log through round 2 (t = 20 s); from round 3 on it keeps its entries
 * to itself (`withheld` holds its whole log). agent-s is the attacker's second key. Verified at t = 61 s.
 */
function withheldFleet() {
  const dir = tmp()
  const keys = Object.fromEntries(NAMES.map((n) => [n, newKey()])) as Record<Name, Key>
  const writers = Object.fromEntries(NAMES.map((n) => [n, new LogWriter(n, keys[n].secretKey, keys[n].keyId)])) as Record<Name, LogWriter>
  const lines = Object.fromEntries(NAMES.map((n) => [n, [] as string[]])) as Record<Name, string[]>
  const published: Partial<Record<Name, ClockRef>> = {}
  let aPublished = 0
  const append = (n: Name, t: number, obs: Record<string, number>) => {
    const e = writers[n].entry(obs, t)
    lines[n].push(e.line, writers[n].checkpoint(t)!)
    return [e.seq, e.hash] as ClockRef
  }
  for (let r = 0; r < 7; r++) {
    const t = T0 + r * 10_000
    AGENTS.forEach((n, i) => {
      if (published.recorder) writers[n].saw('recorder', published.recorder)
      if (n === 'agent-b' && published['agent-a']) writers[n].saw('agent-a', published['agent-a'])
      const ref = append(n, t + 1 + i, {v: r})
      if (n === 'agent-a' && r > 2) return
      published[n] = ref
      if (n === 'agent-a') aPublished = lines[n].length
    })
    for (const n of AGENTS) if (published[n]) writers.recorder.saw(n, published[n]!)
    published.recorder = append('recorder', t + 5, {round: r})
  }
  const file = (n: string) => join(dir, `${n}.log`)
  const write = (n: string, ls: string[]) => writeFileSync(file(n), ls.map((l) => l + '\n').join(''))
  for (const n of NAMES) write(n, n === 'agent-a' ? lines[n].slice(0, aPublished) : lines[n])
  const trust = trustOf(NAMES.map((n) => ({...keys[n], name: n})))
  const verify = (o: Partial<FleetVerifyOptions> = {}) => verifyFleet(dir, {trust, now: T0 + 61_000, witnessedWithinMs: D, ...o})
  return {dir, keys, withheld: lines['agent-a'], file, write, verify}
}

const parse = (ls: string[]) => ls.map((l) => JSON.parse(l) as LogEntry | LogCheckpoint)
const entriesOf = (ls: Array<LogEntry | LogCheckpoint>) => ls.filter((l): l is LogEntry => l.type === 'tcp.log/v1')
/** The hash of the last entry of a log's text. */
const headOf = (text: string): ClockRef => {
  const last = text.trim().split('\n').filter((l) => JSON.parse(l).type === 'tcp.log/v1').at(-1)!
  return [JSON.parse(last).seq, entryHash(last).toString('hex')]
}

const readLines = (file: string): string[] => readFileSync(file, 'utf8').trim().split('\n')

/** The key holder of `agent` appends one entry (seeing `saw`) and its checkpoint to the log `file`. */
function appendTo(file: string, agent: string, key: Key, t: number, saw: Record<string, ClockRef>): ClockRef {
  const ls = readLines(file)
  const last = entriesOf(parse(ls)).at(-1)!
  const w = new LogWriter(agent, key.secretKey, key.keyId, {nextSeq: last.seq + 1, prev: headOf(ls.join('\n'))[1], lastTimeMs: Date.parse(last.time), clock: new Map(), checkpointedSeq: last.seq, recent: []})
  for (const [a, ref] of Object.entries(saw)) w.saw(a, ref)
  const e = w.entry({v: 7}, t)
  writeFileSync(file, ls.concat(e.line, w.checkpoint(t)!).map((l) => l + '\n').join(''))
  return [e.seq, e.hash]
}

describe('fleet-witness against entries kept from the witness', () => {
  it('the published part passes; the withheld entries shown later with their own times are refused', () => {
    const f = withheldFleet()
    assert.deepEqual(failed(f.verify()), [])
    f.write('agent-a', f.withheld)
    const r = f.verify()
    assert.deepEqual(failed(r), ['fleet-witness'])
    assert.match(detail(r, 'fleet-witness'), /"agent-a" entry 3 is pinned by no other agent's reference; the oldest is 30\.999 s old/)
  })

  it('withheld entries rewritten and re-dated inside the bound pass: the verifier cannot tell them from new ones (the caveat names the tail)', () => {
    // Inherent (docs/log.md): an entry's time is its signer's claim, and the witness's silence about agent-a is what
    // an idle agent-a looks like too. Only what the witness referenced is fixed.
    const f = withheldFleet()
    const ls = parse(f.withheld)
    let t = T0 + 55_000
    for (const l of ls) {
      if (l.seq < 3) continue
      if (l.type === 'tcp.log/v1') Object.assign(l, {obs: {v: -1}, clock: {}, time: formatLogTime((t += 1000))})
      else l.time = formatLogTime(t)
    }
    writeFileSync(f.file('agent-a'), resignLog(ls, f.keys['agent-a'].secretKey))
    for (const witnesses of [undefined, ['recorder']]) {
      const r = f.verify({witnesses})
      assert.deepEqual(failed(r), [], JSON.stringify(r.checks))
      assert.match(r.caveats.join('\n'), /entries dated within the last 22 s .*agent-a \(last 4\)/)
    }
  })

  it('a sybil peer (a second key the attacker holds) pins old withheld entries unless the witness is named', () => {
    const f = withheldFleet()
    f.write('agent-a', f.withheld)
    // agent-s references agent-a's withheld head in an entry 0.5 s before verification; agent-a's entries dated 30..60 s
    // now count as pinned, so the pair can rewrite them together (agent-a re-signs, agent-s re-points and re-signs).
    const ls = parse(f.withheld)
    for (const e of entriesOf(ls)) if (e.seq >= 3) e.obs = {v: -1}
    const aText = resignLog(ls, f.keys['agent-a'].secretKey)
    writeFileSync(f.file('agent-a'), aText)
    appendTo(f.file('agent-s'), 'agent-s', f.keys['agent-s'], T0 + 60_500, {'agent-a': headOf(aText)})
    const any = f.verify()
    assert.deepEqual(failed(any), [], 'any agent\'s reference pins, the sybil\'s included')
    assert.ok(!/agent-a/.test(any.caveats.find((c) => c.startsWith('entries dated')) ?? ''), 'agent-a has no unpinned tail left')
    assert.ok(any.caveats.some((c) => /any agent's reference counts: two agents that collude \(or two keys of one operator\) pin each other's entries; --witness NAME counts only what the named witnesses' logs fix/.test(c)), JSON.stringify(any.caveats))
    const named = f.verify({witnesses: ['recorder']})
    assert.deepEqual(failed(named), ['fleet-witness'])
    assert.match(detail(named, 'fleet-witness'), /"agent-a" entry 3 is pinned by no reference the log of witness "recorder" fixes; the oldest is 30\.999 s old/)
  })

  it('a reference the witness fixed pins transitively: once the recorder references agent-s, agent-a\'s withheld entries are fixed for good', () => {
    const f = withheldFleet()
    f.write('agent-a', f.withheld)
    const se = appendTo(f.file('agent-s'), 'agent-s', f.keys['agent-s'], T0 + 60_500, {'agent-a': headOf(f.withheld.join('\n'))})
    appendTo(f.file('recorder'), 'recorder', f.keys.recorder, T0 + 60_700, {'agent-s': se})
    const r = f.verify({witnesses: ['recorder']})
    assert.deepEqual(failed(r), [], JSON.stringify(r.checks))
    assert.match(detail(r, 'fleet-witness'), /^every entry older than 22 s is fixed by the log of witness "recorder" \(directly or through entries it references\); the witness's own entries by another agent's reference$/)
    // agent-a's rewrite of them now breaks agent-s's reference, which the recorder fixed.
    const ls = parse(f.withheld)
    for (const e of entriesOf(ls)) if (e.seq >= 3) e.obs = {v: -1}
    writeFileSync(f.file('agent-a'), resignLog(ls, f.keys['agent-a'].secretKey))
    assert.ok(failed(f.verify({witnesses: ['recorder']})).includes('fleet-references'))
  })

  it('a named witness must have a log in the fleet, and names must be agent names', () => {
    const f = withheldFleet()
    const r = f.verify({witnesses: ['notary']})
    assert.deepEqual(failed(r), ['fleet-witness'])
    assert.match(detail(r, 'fleet-witness'), /witness "notary" has no log in the fleet/)
    assert.throws(() => f.verify({witnesses: ['no/such']}), /witness: expected 1-128 of/)
    assert.throws(() => f.verify({witnesses: ['recorder'], witnessedWithinMs: undefined}), /witnesses: only with witnessedWithinMs/)
  })
})

