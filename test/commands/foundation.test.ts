// The foundation commands run in process: keys, sign, verify, baseline create/check, with every exit code.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync, mkdirSync, copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir, ROOT} from '../helpers/cli.js'

const SAMPLE = join(ROOT, 'examples', 'telemetry.jsonl')
const PASS = {TCP_PASSPHRASE: 'correct horse'}

describe('foundation commands', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  before(async () => {
    for (const n of ['alice', 'bob', 'carol']) assert.equal((await tcp(['keys', 'generate', '--out', p(n)], PASS)).code, 0)
  })

  it('keys generate: --json names the key id; existing keys are kept; no passphrase is a clear error', async () => {
    const r = await tcp(['keys', 'generate', '--out', p('dave'), '--json'], PASS)
    assert.equal(r.code, 0)
    assert.match(r.json().keyId, /^[0-9a-f]{16}$/)
    const before = readFileSync(p('dave.key'), 'utf8')
    const again = await tcp(['keys', 'generate', '--out', p('dave')], PASS)
    assert.equal(again.code, 2)
    assert.equal(readFileSync(p('dave.key'), 'utf8'), before)
    const nopass = await tcp(['keys', 'generate', '--out', p('erin'), '--json'], {TCP_PASSPHRASE: undefined})
    assert.equal(nopass.code, 2)
    assert.equal(nopass.json().error.code, 'passphrase')
    const show = await tcp(['keys', 'show', p('dave.key'), '--json'])
    assert.deepEqual([show.json().type, show.json().encrypted], ['ed25519', true])
    writeFileSync(p('pf'), 'from a file\n')
    assert.equal((await tcp(['keys', 'generate', '--out', p('fred'), '--type', 'x25519', '--passphrase-file', p('pf')], {TCP_PASSPHRASE: undefined})).code, 0)
    assert.equal((await tcp(['keys', 'generate', '--out', p('gus'), '--type', 'rsa'])).code, 2)
  })

  it('baseline create, sign, verify: 0 on success, 1 on rejection, 2 on bad input', async () => {
    assert.equal((await tcp(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/x', '--out', p('b1.json')])).code, 0)
    assert.equal((await tcp(['sign', p('b1.json'), '--key', p('alice.key'), '--out', p('b1.dsse.json')], PASS)).code, 0)
    const ok = await tcp(['verify', p('b1.dsse.json'), '--pub', p('alice.pub'), '--json'])
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    assert.equal(ok.json().ok, true)
    const wrongKey = await tcp(['verify', p('b1.dsse.json'), '--pub', p('bob.pub'), '--json'])
    assert.equal(wrongKey.code, 1)
    assert.equal(wrongKey.json().error.code, 'rejected')
    assert.ok(Array.isArray(wrongKey.json().error.details.checks))
    const wrongPass = await tcp(['sign', p('b1.json'), '--key', p('alice.key'), '--out', p('x.dsse.json')], {TCP_PASSPHRASE: 'nope'})
    assert.equal(wrongPass.code, 2)
    assert.match(wrongPass.stderr, /wrong passphrase/)
    assert.equal((await tcp(['verify', p('missing.json'), '--pub', p('alice.pub')])).code, 2)
    writeFileSync(p('junk.json'), '{"not": "an artifact"}')
    assert.equal((await tcp(['verify', p('junk.json'), '--pub', p('alice.pub')])).code, 2)
    assert.equal((await tcp(['verify', p('b1.dsse.json')])).code, 2) // no trust given
  })

  it('threshold: counter-signing adds a signature; a trust directory with trust.json revokes and allow-lists', async () => {
    await tcp(['sign', p('b1.json'), '--key', p('alice.key'), '--out', p('t.dsse.json')], PASS)
    assert.equal((await tcp(['sign', p('t.dsse.json'), '--key', p('bob.key')], PASS)).code, 0)
    assert.equal(JSON.parse(readFileSync(p('t.dsse.json'), 'utf8')).signatures.length, 2)
    assert.equal((await tcp(['sign', p('t.dsse.json'), '--key', p('bob.key')], PASS)).code, 2) // same key twice
    const dir = p('trust')
    mkdirSync(dir)
    for (const n of ['alice', 'bob', 'carol']) copyFileSync(p(`${n}.pub`), join(dir, `${n}.pub`))
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '2'])).code, 0)
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '3'])).code, 1)
    const bob = (await tcp(['keys', 'show', p('bob.pub'), '--json'])).json().keyId
    writeFileSync(join(dir, 'trust.json'), JSON.stringify({revoked: [bob]}))
    const revoked = await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '2'])
    assert.equal(revoked.code, 1)
    assert.match(revoked.stderr, /revoked/)
    writeFileSync(join(dir, 'trust.json'), '{"keys": "nope"}')
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir])).code, 2)
  })

  it('chain and expiry through the CLI', async () => {
    await tcp(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/x', '--previous', p('b1.dsse.json'), '--not-after', '2099-01-01T00:00:00Z', '--out', p('b2.json')])
    await tcp(['sign', p('b2.json'), '--key', p('alice.key'), '--out', p('b2.dsse.json')], PASS)
    assert.equal((await tcp(['verify', p('b2.dsse.json'), '--pub', p('alice.pub'), '--previous', p('b1.dsse.json')])).code, 0)
    assert.equal((await tcp(['verify', p('b1.dsse.json'), '--pub', p('alice.pub'), '--previous', p('b2.dsse.json')])).code, 1)
    assert.equal((await tcp(['verify', p('b2.dsse.json'), '--pub', p('alice.pub'), '--at', '2100-01-01T00:00:00Z'])).code, 1)
  })

  it('baseline create reports malformed lines with their number (exit 2)', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').split('\n').slice(0, 5)
    lines[3] = lines[3]!.replace(/"call_rate":[0-9.]+/, '"call_rate":"fast"')
    writeFileSync(p('bad.jsonl'), lines.join('\n'))
    const r = await tcp(['baseline', 'create', '--from', p('bad.jsonl'), '--subject', 's', '--out', p('bad.json')])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /bad\.jsonl:4: feature "call_rate"/)
    assert.throws(() => readFileSync(p('bad.json')))
  })

  it('baseline check: exit 3 naming the deviating features; 0 for a healthy window', async () => {
    const rows = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const times = [...new Set(rows.map((r) => r.time))].sort()
    const cut = times[times.length / 2]
    const early = rows.filter((r) => r.time < cut)
    writeFileSync(p('early.jsonl'), early.map((r) => JSON.stringify(r)).join('\n'))
    await tcp(['baseline', 'create', '--from', p('early.jsonl'), '--subject', 'fleet/x', '--out', p('h.json')])
    await tcp(['sign', p('h.json'), '--key', p('alice.key'), '--out', p('h.dsse.json')], PASS)
    const late = rows.filter((r) => r.time >= cut)
    writeFileSync(p('late.jsonl'), late.map((r) => JSON.stringify(r)).join('\n'))
    const r = await tcp(['baseline', 'check', '--baseline', p('h.dsse.json'), '--pub', p('alice.pub'), '--window', p('late.jsonl'), '--agent', 'agent-05', '--json'])
    assert.equal(r.code, 3, r.stderr)
    assert.ok(r.json().deviating.length > 0)
    const txt = await tcp(['baseline', 'check', '--baseline', p('h.dsse.json'), '--pub', p('alice.pub'), '--window', p('late.jsonl'), '--agent', 'agent-05'])
    assert.match(txt.stdout, /findings: .* deviate/)
    const healthy = await tcp(['baseline', 'check', '--baseline', p('h.dsse.json'), '--pub', p('alice.pub'), '--window', p('late.jsonl'), '--agent', 'agent-01'])
    assert.equal(healthy.code, 0, healthy.stdout)
    // The signature is checked before the window: a wrong key is a rejection, not a verdict.
    assert.equal((await tcp(['baseline', 'check', '--baseline', p('h.dsse.json'), '--pub', p('bob.pub'), '--window', p('late.jsonl')])).code, 1)
    assert.equal((await tcp(['baseline', 'check', '--baseline', p('h.dsse.json'), '--pub', p('alice.pub'), '--window', p('late.jsonl'), '--k', 'x'])).code, 2)
  })

  it('signs any file as an in-toto statement; --file detects a changed original', async () => {
    writeFileSync(p('doc.txt'), 'some report\n')
    assert.equal((await tcp(['sign', p('doc.txt'), '--key', p('carol.key')], PASS)).code, 0)
    assert.equal((await tcp(['verify', p('doc.txt.dsse.json'), '--pub', p('carol.pub'), '--file', p('doc.txt')])).code, 0)
    writeFileSync(p('doc.txt'), 'some report, edited\n')
    assert.equal((await tcp(['verify', p('doc.txt.dsse.json'), '--pub', p('carol.pub'), '--file', p('doc.txt')])).code, 1)
  })

  it('verify --batch: every envelope of a JSON Lines file; one bad line rejects the batch and is named', async () => {
    const one = JSON.stringify(JSON.parse(readFileSync(p('b1.dsse.json'), 'utf8')))
    const two = JSON.stringify(JSON.parse(readFileSync(p('doc.txt.dsse.json'), 'utf8')))
    writeFileSync(p('batch.jsonl'), `${one}\n${one}\n`)
    const ok = await tcp(['verify', '--batch', p('batch.jsonl'), '--pub', p('alice.pub'), '--json'])
    assert.equal(ok.code, 0, ok.stderr)
    assert.deepEqual([ok.json().total, ok.json().verified], [2, 2])
    writeFileSync(p('batch.jsonl'), `${one}\n${two}\n{oops\n`)
    const bad = await tcp(['verify', '--batch', p('batch.jsonl'), '--pub', p('alice.pub'), '--json'])
    assert.equal(bad.code, 1)
    assert.deepEqual(bad.json().error.details.rejected.map((r: any) => r.index), [2, 3])
    assert.equal((await tcp(['verify', p('b1.dsse.json'), '--batch', p('batch.jsonl'), '--pub', p('alice.pub')])).code, 2)
    assert.equal((await tcp(['verify', '--pub', p('alice.pub')])).code, 2)
  })
})
