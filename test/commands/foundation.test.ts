// The foundation commands run in process: keys, sign, verify, baseline create/check, with every exit code.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync, mkdirSync, copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir, ROOT} from '../helpers/cli.js'
import {parseObservations as parseObs} from '../../src/core/baseline/observations.js'

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
    assert.deepEqual([show.json().keyType, show.json().encrypted], ['ed25519', true])
    writeFileSync(p('pf'), 'from a file\n')
    assert.equal((await tcp(['keys', 'generate', '--out', p('fred'), '--type', 'x25519', '--passphrase-file', p('pf')], {TCP_PASSPHRASE: undefined})).code, 0)
    assert.equal((await tcp(['keys', 'generate', '--out', p('gus'), '--type', 'rsa'])).code, 2)
  })

  it('baseline create, sign, verify: 0 on success, 1 on rejection, 2 on bad input', async () => {
    assert.equal((await tcp(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/x', '--out', p('b1.json')])).code, 0)
    assert.equal((await tcp(['sign', p('b1.json'), '--key', p('alice.key'), '--out', p('b1.dsse.json')], PASS)).code, 0)
    const ok = await tcp(['verify', p('b1.dsse.json'), '--pub', p('alice.pub'), '--json'])
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    assert.equal(ok.json().report.ok, true)
    const wrongKey = await tcp(['verify', p('b1.dsse.json'), '--pub', p('bob.pub'), '--json'])
    assert.equal(wrongKey.code, 1)
    assert.equal(wrongKey.json().error.code, 'rejected')
    assert.ok(Array.isArray(wrongKey.json().report.checks))
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
    // Adding a signature checks the ones already there: without trust it is refused, with it it works.
    const blind = await tcp(['sign', p('t.dsse.json'), '--key', p('bob.key')], PASS)
    assert.equal(blind.code, 2)
    assert.match(blind.stderr, /needs --pub or --trust/)
    assert.equal((await tcp(['sign', p('t.dsse.json'), '--key', p('bob.key'), '--pub', p('alice.pub')], PASS)).code, 0)
    assert.equal(JSON.parse(readFileSync(p('t.dsse.json'), 'utf8')).signatures.length, 2)
    const twice = await tcp(['sign', p('t.dsse.json'), '--key', p('bob.key'), '--pub', p('alice.pub'), '--pub', p('bob.pub')], PASS)
    assert.equal(twice.code, 2) // same key twice
    assert.match(twice.stderr, /already signed by key/)
    const dir = p('trust')
    mkdirSync(dir)
    for (const n of ['alice', 'bob', 'carol']) copyFileSync(p(`${n}.pub`), join(dir, `${n}.pub`))
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '2'])).code, 0)
    const three = await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '3'])
    assert.equal(three.code, 1)
    assert.match(three.stderr, /threshold: 2 of 3 required/)
    // Allow-list: a .pub in the folder that trust.json does not list is not trusted.
    const alice = (await tcp(['keys', 'show', p('alice.pub'), '--json'])).json().keyId
    writeFileSync(join(dir, 'trust.json'), JSON.stringify({keys: [{keyId: alice}]}))
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '1'])).code, 0)
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--threshold', '2'])).code, 2) // only one key is trusted
    // Validity window: alice's key was valid only in 2020.
    writeFileSync(join(dir, 'trust.json'), JSON.stringify({keys: [{keyId: alice, notBefore: '2020-01-01T00:00:00Z', notAfter: '2020-12-31T00:00:00Z'}]}))
    const outside = await tcp(['verify', p('t.dsse.json'), '--trust', dir])
    assert.equal(outside.code, 1)
    assert.match(outside.stderr, /expired at 2020-12-31/)
    assert.equal((await tcp(['verify', p('t.dsse.json'), '--trust', dir, '--at', '2020-06-01T00:00:00Z'])).code, 0)
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
    assert.deepEqual([ok.json().report.total, ok.json().report.verified], [2, 2])
    writeFileSync(p('batch.jsonl'), `${one}\n${two}\n${one}\n`)
    const bad = await tcp(['verify', '--batch', p('batch.jsonl'), '--pub', p('alice.pub'), '--json'])
    assert.equal(bad.code, 1)
    assert.deepEqual(bad.json().report.rejected.map((r: any) => r.index), [2])
    writeFileSync(p('batch.jsonl'), `${one}\n{oops\n`)
    const unreadable = await tcp(['verify', '--batch', p('batch.jsonl'), '--pub', p('alice.pub'), '--json'])
    assert.equal(unreadable.code, 2)
    assert.match(unreadable.json().error.message, /batch\.jsonl:2/)
    assert.equal((await tcp(['verify', p('b1.dsse.json'), '--batch', p('batch.jsonl'), '--pub', p('alice.pub')])).code, 2)
    assert.equal((await tcp(['verify', '--pub', p('alice.pub')])).code, 2)
  })
})

// Attacks found in review: each must be refused.
describe('attacks on verification', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  before(async () => {
    for (const n of ['alice', 'bob', 'carol']) assert.equal((await tcp(['keys', 'generate', '--out', p(n), '--unencrypted'])).code, 0)
    assert.equal((await tcp(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/x', '--agent', 'agent-01', '--out', p('b.json')])).code, 0)
    assert.equal((await tcp(['sign', p('b.json'), '--key', p('alice.key'), '--out', p('b.dsse.json')])).code, 0)
  })

  it('co-signers cannot paper over a tampered payload: signing and verifying both refuse it', async () => {
    const env = JSON.parse(readFileSync(p('b.dsse.json'), 'utf8'))
    const body = Buffer.from(env.payload, 'base64')
    body[body.indexOf('"version":1') + 10] = 0x32 // version 1 -> 2: alice's signature no longer verifies
    env.payload = body.toString('base64')
    writeFileSync(p('t.dsse.json'), JSON.stringify(env))
    const r = await tcp(['sign', p('t.dsse.json'), '--key', p('bob.key'), '--pub', p('alice.pub')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /refusing to add a signature: .*invalid/)
    // Even if bob and carol sign it anyway (with another tool), alice's invalid signature fails the envelope.
    const {createEnvelope} = await import('../../src/core/envelope/dsse.js')
    const {readPrivateKeyFile} = await import('../../src/core/keys/files.js')
    const pass = async () => new Uint8Array()
    const bob = await readPrivateKeyFile(p('bob.key'), pass)
    const carol = await readPrivateKeyFile(p('carol.key'), pass)
    const sigs = [bob, carol].map((k) => createEnvelope(env.payloadType, body, k).signatures[0])
    writeFileSync(p('t3.dsse.json'), JSON.stringify({...env, signatures: [...env.signatures, ...sigs]}))
    const v = await tcp(['verify', p('t3.dsse.json'), '--pub', p('alice.pub'), '--pub', p('bob.pub'), '--pub', p('carol.pub'), '--threshold', '2'])
    assert.equal(v.code, 1)
    assert.match(v.stderr, /signatures: .*invalid/)
  })

  it('a small-order public key is refused: the forged "signature" R = identity, S = 0 never verifies', async () => {
    const identity = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from('01' + '00'.repeat(31), 'hex')])
    writeFileSync(p('weak.pub'), `-----BEGIN PUBLIC KEY-----\n${identity.toString('base64')}\n-----END PUBLIC KEY-----\n`)
    const show = await tcp(['keys', 'show', p('weak.pub')])
    assert.equal(show.code, 2)
    assert.match(show.stderr, /small-order/)
    const env = JSON.parse(readFileSync(p('b.dsse.json'), 'utf8'))
    const forged = {...env, signatures: [{keyid: '', sig: Buffer.concat([Buffer.from('01' + '00'.repeat(31), 'hex'), Buffer.alloc(32)]).toString('base64')}]}
    writeFileSync(p('forged.json'), JSON.stringify(forged))
    assert.equal((await tcp(['verify', p('forged.json'), '--pub', p('weak.pub')])).code, 2)
    const {ed25519} = await import('../../src/core/crypto/ed25519.js')
    assert.equal(ed25519.verify(Buffer.from(forged.signatures[0]!.sig, 'base64'), new Uint8Array([1, 2, 3]), Buffer.from('01' + '00'.repeat(31), 'hex')), false)
  })

  it('duplicate member names are refused when signing, and a non-canonical payload fails verification', async () => {
    const text = readFileSync(p('b.json'), 'utf8').replace('"notAfter": null', '"notAfter": "2026-12-01T00:00:00.000Z", "notAfter": null')
    writeFileSync(p('dup.json'), text)
    const r = await tcp(['sign', p('dup.json'), '--key', p('alice.key'), '--out', p('dup.dsse.json')])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /duplicate member name "notAfter"/)
    // A validly signed payload that is not the canonical form of its baseline (pretty-printed) is rejected.
    const {createEnvelope} = await import('../../src/core/envelope/dsse.js')
    const {readPrivateKeyFile} = await import('../../src/core/keys/files.js')
    const alice = await readPrivateKeyFile(p('alice.key'), async () => new Uint8Array())
    const env = createEnvelope('application/vnd.tcp.baseline+json', Buffer.from(readFileSync(p('b.json'), 'utf8')), alice)
    writeFileSync(p('pretty.dsse.json'), JSON.stringify(env))
    const v = await tcp(['verify', p('pretty.dsse.json'), '--pub', p('alice.pub')])
    assert.equal(v.code, 1)
    assert.match(v.stderr, /not the canonical/)
  })

  it('a baseline of one agent judges only that agent', async () => {
    const other = await tcp(['baseline', 'check', '--baseline', p('b.dsse.json'), '--pub', p('alice.pub'), '--window', SAMPLE, '--agent', 'agent-03'])
    assert.equal(other.code, 2)
    assert.match(other.stderr, /describes agent agent-01/)
    const own = await tcp(['baseline', 'check', '--baseline', p('b.dsse.json'), '--pub', p('alice.pub'), '--window', SAMPLE, '--json'])
    assert.equal(own.code, 0)
    assert.equal(own.json().observations, 120) // agent-01's rows only, not the fleet's 720
  })

  it('times need an explicit offset; flags of another artifact kind are refused', async () => {
    const r = await tcp(['verify', p('b.dsse.json'), '--pub', p('alice.pub'), '--at', '1'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /RFC 3339/)
    assert.equal((await tcp(['baseline', 'create', '--from', SAMPLE, '--subject', 's', '--not-after', '2030-01-01T00:00:00', '--out', p('tz.json')])).code, 2)
    const foreign = await tcp(['verify', p('b.dsse.json'), '--pub', p('alice.pub'), '--nonce', 'ab'])
    assert.equal(foreign.code, 2)
    assert.match(foreign.stderr, /--nonce does not apply to a dsse-envelope/)
  })

  it('configuration code is never run by verify: tcp.config.mjs is ignored, a .tcprc.json is read', async () => {
    const {tcpProcess} = await import('../helpers/cli.js')
    mkdirSync(p('repo/sub'), {recursive: true})
    writeFileSync(p('repo/package.json'), '{"name": "under-review"}')
    writeFileSync(p('repo/tcp.config.mjs'), `import {writeFileSync} from 'node:fs'; writeFileSync(${JSON.stringify(p('PWNED'))}, 'x'); export default {trust: 'nowhere'}`)
    const r = tcpProcess(['verify', p('b.dsse.json'), '--pub', p('alice.pub')], {cwd: p('repo/sub'), env: {TCP_NO_CONFIG: ''}})
    assert.equal(r.code, 0, r.stderr)
    const noTrust = tcpProcess(['verify', p('b.dsse.json')], {cwd: p('repo/sub'), env: {TCP_NO_CONFIG: ''}})
    assert.equal(noTrust.code, 2) // the .mjs was not loaded, so there is no configured trust
    assert.throws(() => readFileSync(p('PWNED')))
  })

  it('sample: --drift must be a number; --out - and --json do not mix', async () => {
    assert.equal((await tcp(['sample', '--drift', 'abc', '--seed', '1', '--out', p('s.jsonl')])).code, 2)
    assert.equal((await tcp(['sample', '--seed', '1', '--out', '-', '--json'])).code, 2)
    assert.equal((await tcp(['sample', '--agents', '5000', '--observations', '1000', '--out', p('big.jsonl')])).code, 2)
  })

  it('observations cannot smuggle prototype names as features', () => {
    assert.throws(() => parseObs('{"time":"2026-01-01T00:00:00Z","__proto__":1,"x":2}'), /cannot be a feature name/)
    assert.throws(() => parseObs('time,constructor\n2026-01-01T00:00:00Z,1\n'), /cannot be a feature name/)
  })
})
