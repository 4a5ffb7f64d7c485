// tcp attest and tcp verify (quote bundles) in process against a swtpm started here: exit codes 0/1/2, --json
// documents and errors, files written, credential activation through the commands.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'
import {startSwtpm, swtpmMissing, type Swtpm} from '../core/attest/swtpm-harness.js'

const missing = swtpmMissing()

describe('tcp attest commands on swtpm', {skip: missing}, () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  let tpm: Swtpm
  let tcti: string[]
  const N = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'

  before(async () => {
    tpm = await startSwtpm()
    tcti = ['--tcti', tpm.tcti, '--state', p('st')]
  })
  after(async () => {
    await tpm?.stop()
    t.cleanup()
  })

  it('init, measure, quote, verify: exit 0 with the full report under --json', async () => {
    const init = await tcp(['attest', 'init', ...tcti, '--ek-alg', 'ecc', '--json'])
    assert.equal(init.code, 0, init.stdout + init.stderr)
    assert.equal(init.json().akAlg, 'ecc')
    assert.equal(init.json().tcti, tpm.tcti)
    const reuse = await tcp(['attest', 'init', ...tcti, '--json'])
    assert.equal(reuse.code, 0, reuse.stdout)
    assert.deepEqual([reuse.json().createdEk, reuse.json().createdAk, reuse.json().akName], [false, false, init.json().akName])
    const otherEk = await tcp(['attest', 'init', ...tcti, '--ek-alg', 'rsa'])
    assert.equal(otherEk.code, 2)
    assert.match(otherEk.stderr, /uses an ecc EK, asked rsa/)
    writeFileSync(p('baseline.json'), '{"b":1}\n')
    const m = await tcp(['attest', 'measure', p('baseline.json'), ...tcti])
    assert.equal(m.code, 0, m.stderr)
    assert.match(m.stdout, /extended sha256 PCR 15/) // the default: not resettable
    const m16 = await tcp(['attest', 'measure', p('baseline.json'), '--pcr', '16', ...tcti])
    assert.equal(m16.code, 2)
    assert.match(m16.stderr, /pcr: expected 8\.\.15 .*16 and 23 can be reset/)
    const q = await tcp(['attest', 'quote', ...tcti, '--nonce', N, '--pcrs', 'sha256:0,15', '--out', p('q.json')])
    assert.equal(q.code, 0, q.stderr)
    const again = await tcp(['attest', 'quote', ...tcti, '--nonce', N, '--out', p('q.json')])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /already exists/)
    const v = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', N, '--json'])
    assert.equal(v.code, 0, v.stdout)
    const rep = v.json().report
    assert.equal(rep.kind, 'tpm-quote-bundle')
    assert.equal(rep.ok, true)
    assert.ok(rep.checks.length >= 11)
    const plain = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', N])
    assert.equal(plain.code, 0)
    assert.match(plain.stdout, /verified tpm-quote-bundle: .*nonce ok.*signature ok.*event-log ok/)
    assert.match(plain.stdout, new RegExp(`^trust: --ak ${p('st/ak.pem')}$`, 'm'))
  })

  it('exit 1 for a stale nonce, a changed PCR value or a policy mismatch; the failed check is named', async () => {
    const stale = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', N.replace('a1', 'a2'), '--json'])
    assert.equal(stale.code, 1)
    const err = stale.json().error
    assert.equal(err.code, 'rejected')
    assert.match(err.message, /^rejected: nonce:/)
    assert.deepEqual(stale.json().report.checks.filter((c: any) => !c.ok).map((c: any) => c.check), ['nonce'])

    const doc = JSON.parse(readFileSync(p('q.json'), 'utf8'))
    doc.pcrs.sha256['0'] = 'ff'.repeat(32)
    writeFileSync(p('tampered.json'), JSON.stringify(doc))
    const tam = await tcp(['verify', p('tampered.json'), '--ak', p('st/ak.pem'), '--nonce', N])
    assert.equal(tam.code, 1)
    assert.match(tam.stderr, /rejected: pcr-digest:/)

    const good = JSON.parse(readFileSync(p('q.json'), 'utf8'))
    writeFileSync(p('policy.json'), JSON.stringify({type: 'tcp.attest.policy/v1', pcrs: {sha256: {'15': good.pcrs.sha256['15']}}}))
    writeFileSync(p('policy-bad.json'), JSON.stringify({type: 'tcp.attest.policy/v1', pcrs: {sha256: {'15': '00'.repeat(32)}}}))
    assert.equal((await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', N, '--policy', p('policy.json')])).code, 0)
    const pol = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', N, '--policy', p('policy-bad.json')])
    assert.equal(pol.code, 1)
    assert.match(pol.stderr, /rejected: policy: sha256 PCR 15/)
  })

  it('exit 2 for missing flags, malformed bundles and bad arguments', async () => {
    const noNonce = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--json'])
    assert.equal(noNonce.code, 2)
    assert.equal(noNonce.json().error.code, 'usage')
    const doc = JSON.parse(readFileSync(p('q.json'), 'utf8'))
    delete doc.signature
    writeFileSync(p('broken.json'), JSON.stringify(doc))
    const broken = await tcp(['verify', p('broken.json'), '--ak', p('st/ak.pem'), '--nonce', N])
    assert.equal(broken.code, 2)
    assert.match(broken.stderr, /bundle\.signature: expected a string/)
    assert.equal((await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', 'xyz'])).code, 2)
    // An empty nonce, and a prefix of the real nonce too short to be a nonce: usage errors, one line, JSON under --json.
    for (const nonce of ['', '0x', N.slice(0, 2), N.slice(0, 14)]) {
      const r = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', nonce])
      assert.equal(r.code, 2, JSON.stringify(nonce))
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
      const j = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', nonce, '--json'])
      assert.equal(j.json().error.code, 'usage', JSON.stringify(nonce))
    }
    // A policy with a duplicate member name is malformed (JSON.parse would keep the last value).
    const dup = `{"type": "tcp.attest.policy/v1", "pcrs": {"sha256": {"15": "${'00'.repeat(32)}", "15": "${doc.pcrs.sha256['15']}"}}}`
    writeFileSync(p('policy-dup.json'), dup)
    const pd = await tcp(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', N, '--policy', p('policy-dup.json')])
    assert.equal(pd.code, 2)
    assert.match(pd.stderr, /duplicate member name "15"/)
    assert.equal((await tcp(['attest', 'measure', p('baseline.json'), '--pcr', '3', ...tcti])).code, 2)
    assert.equal((await tcp(['attest', 'init', ...tcti, '--ak-alg', 'dsa'])).code, 2)
    const notChallenge = await tcp(['attest', 'activate', p('q.json'), ...tcti])
    assert.equal(notChallenge.code, 2)
    assert.match(notChallenge.stderr, /expected a "tcp.attest.challenge\/v1" document/)
    const lonelyCert = await tcp(['attest', 'challenge', '--ek', p('st/ek.pub'), '--ak-name', p('st/ak.name'), '--ek-cert', p('st/ek.pub'), '--out', p('c0.json')])
    assert.equal(lonelyCert.code, 2)
    assert.match(lonelyCert.stderr, /--ek-cert and --ek-ca go together/)
    const unreachable = await tcp(['attest', 'quote', '--state', p('st'), '--tcti', 'swtpm:host=127.0.0.1,port=1', '--nonce', N, '--out', p('x.json')])
    assert.equal(unreachable.code, 2)
    assert.match(unreachable.stderr, /cannot reach the TPM through TCTI "swtpm:host=127.0.0.1,port=1"/)
  })

  it('challenge and activate: the secret comes back (exit 0); a challenge for another AK is refused (exit 1)', async () => {
    const c = await tcp(['attest', 'challenge', '--ek', p('st/ek.pub'), '--ak-name', p('st/ak.name'), '--out', p('ch.json'), '--json'])
    assert.equal(c.code, 0, c.stdout)
    assert.equal(statSync(p('ch.json.secret')).mode & 0o777, 0o600)
    const a = await tcp(['attest', 'activate', p('ch.json'), ...tcti, '--json'])
    assert.equal(a.code, 0, a.stdout)
    assert.equal(a.json().secret, readFileSync(p('ch.json.secret')).toString('hex'))
    const wrongName = '000b' + 'cd'.repeat(32)
    const w = await tcp(['attest', 'challenge', '--ek', p('st/ek.pub'), '--ak-name', wrongName, '--out', p('ch2.json')])
    assert.equal(w.code, 0, w.stderr)
    const refused = await tcp(['attest', 'activate', p('ch2.json'), ...tcti])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /activation refused by the TPM/)
  })
})
