// tcp verify LOG --fleet DIR --witnessed-within D: a fleet with a witness passes and says which recent entries no
// peer has referenced yet; a fleet whose old entries nobody referenced is rejected (exit 1); bad flags exit 2.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'
import {simulateFleet} from '../../src/core/log/simulate.js'

describe('tcp verify LOG --fleet DIR --witnessed-within', () => {
  const t = tempDir()
  after(t.cleanup)
  const sim = (name: string, witness?: string) => {
    const dir = join(t.dir, name)
    const s = simulateFleet({dir, agents: 6, entries: 30, seed: 21, messageRate: 0.3, checkpointEvery: 10, witness})
    return {dir, at: new Date(s.lastTimeMs + 1000).toISOString(), log: s.agents[0]!.file, trust: s.trustDir}
  }
  const verify = (f: ReturnType<typeof sim>, ...more: string[]) => tcp(['verify', f.log, '--trust', f.trust, '--fleet', f.dir, '--at', f.at, ...more])

  it('an honest fleet with a witness passes, and the witness\'s unreferenced last entry is printed as not checked', async () => {
    const f = sim('with-witness', 'recorder')
    let r = await verify(f, '--witnessed-within', '22s')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /fleet-witness ok/)
    assert.match(r.stdout, /^not checked: entries dated within the last 22 s that are not pinned yet, which their key holders could still rewrite: recorder \(last 1\)$/m)
    assert.match(r.stdout, /^not checked: who pinned an entry: any agent's reference counts: two agents that collude/m)
    r = await verify(f, '--witnessed-within', '22s', '--json')
    assert.equal(r.code, 0)
    assert.deepEqual(r.json().report.checks.find((c: {check: string}) => c.check === 'fleet-witness'), {check: 'fleet-witness', ok: true, detail: 'every entry older than 22 s is pinned by another agent\'s reference'})
    r = await verify(f)
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^not checked: rewrites by a log's own key holder where no peer referenced its entries/m)
  })

  it('--witness NAME counts only what that agent\'s log fixes; a witness with no log in the fleet is rejected', async () => {
    const f = sim('named-witness', 'recorder')
    let r = await verify(f, '--witnessed-within', '22s', '--witness', 'recorder', '--json')
    assert.equal(r.code, 0, r.stderr)
    const report = r.json().report
    assert.match(report.checks.find((c: {check: string}) => c.check === 'fleet-witness').detail, /^every entry older than 22 s is fixed by the log of witness "recorder"/)
    assert.deepEqual(report.caveats, ['entries dated within the last 22 s that are not pinned yet, which their key holders could still rewrite: recorder (last 1)'])
    r = await verify(f, '--witnessed-within', '22s', '--witness', 'notary')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /rejected: fleet-witness: .*: witness "notary" has no log in the fleet: nothing it fixed can be counted/)
  })

  it('a fleet without a witness is rejected when entries older than the bound are pinned by nobody', async () => {
    const f = sim('no-witness')
    assert.equal((await verify(f, '--witnessed-within', '22s')).code, 0, 'random messages pinned everything up to the last round')
    const r = await verify(f, '--witnessed-within', '5s')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /rejected: fleet-witness: .*agent-1\.log:23 seq 20: "agent-1" entries 20\.\.25 are pinned by no other agent's reference; the oldest is 10\.006 s old/)
  })

  it('a bad duration, or the flag without --fleet, exits 2', async () => {
    const f = sim('flags', 'recorder')
    let r = await verify(f, '--witnessed-within', '5 minutes')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--witnessed-within: expected a duration such as 500ms, 2s, 5m, 1h or 7d, got "5 minutes"/)
    r = await tcp(['verify', f.log, '--trust', f.trust, '--witnessed-within', '1m'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--witnessed-within needs --fleet DIR/)
    r = await verify(f, '--witness', 'recorder')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--witness needs --witnessed-within D/)
    r = await verify(f, '--witnessed-within', '1m', '--witness', 'no/such')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /witness: expected 1-128 of/)
    r = await verify(f, '--max-skew', '9'.repeat(400) + 'd')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--max-skew: "9{40}\.\.\." is longer than 2\^53 ms/)
  })
})
