// fleet-witness: with a witness agent in the fleet, every entry older than the bound is pinned by a peer's reference,
// so a key holder's rewrite of it (a dropped causal link) is refused; the younger, unpinned tail passes and is named.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {verifyFleet, type FleetVerifyOptions} from '../../../src/core/log/fleet.js'
import {simulateFleet, type FleetSimOptions, type SimAgent} from '../../../src/core/log/simulate.js'
import {resignLog} from '../../../src/core/log/forge.js'
import {trustFromDirectory} from '../../../src/core/envelope/trust.js'
import type {LogCheckpoint, LogEntry} from '../../../src/core/log/format.js'
import {tmp} from './helpers.js'

const failed = (r: {checks: Array<{check: string; ok: boolean}>}) => r.checks.filter((c) => !c.ok).map((c) => c.check)
const detail = (r: {checks: Array<{check: string; detail?: string}>}, check: string) => r.checks.find((c) => c.check === check)?.detail ?? ''

/** A seeded fleet of 6 agents (one entry a second, a checkpoint every 10) and its verifier 1 s after the last entry. */
async function fleet(o: Partial<FleetSimOptions>) {
  const dir = tmp()
  const sim = simulateFleet({dir, agents: 6, entries: 30, seed: 21, messageRate: 0.3, checkpointEvery: 10, ...o})
  const trust = await trustFromDirectory(sim.trustDir)
  const verify = (extra: Partial<FleetVerifyOptions> = {}) => verifyFleet(dir, {trust, now: sim.lastTimeMs + 1000, ...extra})
  return {dir, sim, verify}
}

const parse = (a: SimAgent) => readFileSync(a.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogEntry | LogCheckpoint)
/** Clock components of `a`'s entries seq >= from naming an agent other than `keep`, as "seq:agent". */
const links = (lines: Array<LogEntry | LogCheckpoint>, from: number, keep: string) =>
  lines.flatMap((e) => (e.type === 'tcp.log/v1' && e.seq >= from ? Object.keys(e.clock).filter((k) => k !== keep).map((k) => `${e.seq}:${k}`) : []))

/** The key holder's rewrite: those components dropped, the log re-chained and re-signed. Returns what it dropped. */
function dropLinks(a: SimAgent, from: number, keep: string): string[] {
  const lines = parse(a)
  const dropped = links(lines, from, keep)
  for (const e of lines) if (e.type === 'tcp.log/v1' && e.seq >= from) for (const k of Object.keys(e.clock)) if (k !== keep) delete e.clock[k]
  writeFileSync(a.file, resignLog(lines, a.secretKey))
  return dropped
}

describe('fleet-witness (--witnessed-within)', () => {
  it('an honest fleet with a witness passes; only the witness\'s last entry, referenced by nobody yet, is left as a caveat', async () => {
    const f = await fleet({witness: 'recorder'})
    assert.ok(f.sim.witness, 'the simulation added a witness')
    const r = f.verify({witnessedWithinMs: 22_000})
    assert.deepEqual(failed(r), [])
    assert.match(detail(r, 'fleet-witness'), /every entry older than 22 s is pinned/)
    const tail = 'entries dated within the last 22 s that are not pinned yet, which their key holders could still rewrite: recorder (last 1)'
    assert.deepEqual(r.caveats, [tail, 'who pinned an entry: any agent\'s reference counts: two agents that collude (or two keys of one operator) pin each other\'s entries; --witness NAME counts only what the named witnesses\' logs fix'])
    assert.equal(r.fleet.agents, 7)
    // Naming the witness: the same verdict (it references every agent), and no caveat about who pinned.
    const named = f.verify({witnessedWithinMs: 22_000, witnesses: ['recorder']})
    assert.deepEqual(failed(named), [])
    assert.match(detail(named, 'fleet-witness'), /every entry older than 22 s is fixed by the log of witness "recorder"/)
    assert.deepEqual(named.caveats, [tail])
  })

  it('without the flag nothing changes but the caveat: links are pinned only where peers referenced them', async () => {
    const f = await fleet({})
    const r = f.verify()
    assert.deepEqual(failed(r), [])
    assert.ok(!r.checks.some((c) => c.check === 'fleet-witness'))
    assert.equal(r.caveats.length, 1)
    assert.match(r.caveats[0]!, /pinned only by peers' references/)
  })

  it('the same fleet without a witness fails: the last checkpoint round is referenced by nobody', async () => {
    // Random messages pin what peers happened to reference (here everything up to seq 19); nobody has referenced
    // entries 20..29 yet, and with a bound of 5 s entries 20..25 are too old to be left unpinned.
    const f = await fleet({})
    assert.deepEqual(failed(f.verify({witnessedWithinMs: 22_000})), [])
    const r = f.verify({witnessedWithinMs: 5_000})
    assert.deepEqual(failed(r), ['fleet-witness'])
    assert.match(detail(r, 'fleet-witness'), /agent-\d\.log:\d+ seq 20: "agent-\d" entries 20\.\.25 are pinned by no other agent's reference; the oldest is 10\.\d+ s old at 2026-01-01T00:00:30\.006Z, more than 5 s: its key holder could have rewritten them \(and 5 more\)$/)
    const g = await fleet({witness: 'recorder', witnessEvery: 10})
    assert.deepEqual(failed(g.verify({witnessedWithinMs: 5_000})), [], 'with the witness, the same bound holds')
  })

  it('a dropped-link rewrite older than the bound fails, fleet-witness naming the agent, its entries and their age', async () => {
    const f = await fleet({witness: 'recorder', entries: 60})
    const me = f.sim.agents[2]!
    assert.ok(dropLinks(me, 0, 'recorder').length > 0, 'the attacker had links to drop')
    const r = f.verify({witnessedWithinMs: 22_000})
    assert.ok(failed(r).includes('fleet-witness'), JSON.stringify(r.checks))
    assert.ok(failed(r).includes('fleet-references'), 'the witness\'s references to the rewritten entries no longer resolve')
    const d = detail(r, 'fleet-witness')
    assert.match(d, /^.*agent-3\.log:\d+ seq (\d+): "agent-3" entries (\d+)\.\.(\d+) are pinned by no other agent's reference; the oldest is ([\d.]+) s old at .*, more than 22 s: its key holder could have rewritten them$/)
    const [, seq, from, to, age] = /seq (\d+): "agent-3" entries (\d+)\.\.(\d+) .* is ([\d.]+) s old/.exec(d)!
    assert.equal(seq, from)
    assert.ok(Number(to) >= Number(from) && Number(age) > 22)
    assert.ok(Number(to) <= 60 - 22, 'only entries older than the bound are named')
  })

  it('a rewrite inside the not yet witnessed tail passes, and the caveat names the agent', async () => {
    // The witness appends every 20 entries: at the end, entries 20..29 have not been referenced by it yet.
    const f = await fleet({witness: 'recorder', witnessEvery: 20})
    const me = f.sim.agents.find((a) => links(parse(a), 20, 'recorder').length > 0)!
    const before = readFileSync(me.file, 'utf8')
    assert.ok(dropLinks(me, 20, 'recorder').length > 0)
    assert.notEqual(readFileSync(me.file, 'utf8'), before)
    const r = f.verify({witnessedWithinMs: 32_000, freshWithinMs: 25_000})
    assert.deepEqual(failed(r), [])
    assert.equal(r.caveats.length, 2)
    assert.match(r.caveats[0]!, new RegExp(`^entries dated within the last 32 s that are not pinned yet, which their key holders could still rewrite: .*${me.agent} \\(last 10\\)`))
    // The same rewrite judged with a bound shorter than the tail is refused; a bound that is no duration is an error.
    assert.deepEqual(failed(f.verify({witnessedWithinMs: 5_000, freshWithinMs: 25_000})), ['fleet-witness'])
    assert.throws(() => f.verify({witnessedWithinMs: NaN}), /witnessedWithinMs: expected a duration >= 0 ms, got NaN/)
  })
})
