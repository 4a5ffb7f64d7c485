import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {addSignature, createEnvelope, pae, parseEnvelope} from '../../../src/core/envelope/dsse.js'
import {countTrustedSignatures, countTrustedSignaturesAsync, openSignedBaseline, verifyEnvelopeReport} from '../../../src/core/envelope/verify.js'
import {signFile} from '../../../src/core/envelope/sign.js'
import {parseTrustPolicy} from '../../../src/core/envelope/trust.js'
import {createBaseline, baselineBytes} from '../../../src/core/baseline/baseline.js'
import {parseObservations} from '../../../src/core/baseline/observations.js'
import {BASELINE_PAYLOAD_TYPE} from '../../../src/core/baseline/types.js'
import {encodePublicKeyPem} from '../../../src/core/keys/pem.js'
import {fromBase64, toBase64, utf8} from '../../../src/core/bytes.js'
import {TcpError} from '../../../src/core/errors.js'
import {keyPair, trustOf} from '../../helpers/keys.js'
import {tempDir} from '../../helpers/cli.js'

const OBS = parseObservations(
  Array.from({length: 30}, (_, i) => JSON.stringify({agent: 'a', time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), x: (i * 7) % 11, y: 100 + (i % 5)})).join('\n'),
)

function baselineEnvelope(signer = keyPair(), opts: Parameters<typeof createBaseline>[1] = {subject: 'fleet/a'}) {
  const b = createBaseline(OBS, opts)
  return {b, env: createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes(b), signer), signer}
}

describe('DSSE PAE', () => {
  it('matches the DSSE protocol example', () => {
    assert.equal(Buffer.from(pae('http://example.com/HelloWorld', utf8('hello world'))).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world')
  })
  it('counts bytes, not characters', () => {
    assert.equal(Buffer.from(pae('t', utf8('é'))).toString(), 'DSSEv1 1 t 2 é')
    assert.equal(Buffer.from(pae('', new Uint8Array())).toString(), 'DSSEv1 0  0 ')
  })
})

describe('envelope verification', () => {
  it('accepts a good baseline envelope and reports its checks', () => {
    const {env, signer} = baselineEnvelope()
    const r = verifyEnvelopeReport(env, {trust: trustOf([signer])})
    assert.equal(r.ok, true)
    assert.deepEqual(r.checks.map((c) => c.check), ['signatures', 'threshold', 'baseline', 'not-expired'])
  })

  it('tamper sweep: flipping any byte of the signature or of the payload is rejected', () => {
    const {env, signer} = baselineEnvelope()
    const trust = trustOf([signer])
    const sig = fromBase64(env.signatures[0]!.sig)
    for (let i = 0; i < sig.length; i++) {
      const s = sig.slice()
      s[i]! ^= 0x01
      const bad = {...env, signatures: [{...env.signatures[0]!, sig: toBase64(s)}]}
      assert.equal(verifyEnvelopeReport(bad, {trust}).ok, false, `signature byte ${i}`)
    }
    const body = fromBase64(env.payload)
    for (let i = 0; i < body.length; i++) {
      const b = body.slice()
      b[i]! ^= 0x01
      assert.equal(verifyEnvelopeReport({...env, payload: toBase64(b)}, {trust}).ok, false, `payload byte ${i}`)
    }
  })

  it('tamper sweep over the envelope file text: every flip is rejected or unreadable, never accepted', () => {
    const {env, signer} = baselineEnvelope()
    const text = JSON.stringify(env, null, 2)
    const trust = trustOf([signer])
    // The keyid value is an unauthenticated hint (DSSE envelope.md): a changed keyid still verifies (keyhint.ts).
    const kid = text.indexOf(`"${signer.keyId}"`) + 1
    for (let i = 0; i < text.length; i++) {
      if (i >= kid && i < kid + signer.keyId.length) {
        const m = text.slice(0, i) + 'z' + text.slice(i + 1)
        assert.equal(verifyEnvelopeReport(JSON.parse(m), {trust}).ok, true, `keyid hint changed at ${i}`)
        continue
      }
      const m = Buffer.from(text)
      m[i]! ^= 0x04
      let ok = false
      try {
        ok = verifyEnvelopeReport(JSON.parse(m.toString('latin1')), {trust}).ok
      } catch (e) {
        assert.ok(e instanceof TcpError || e instanceof SyntaxError, String(e))
      }
      assert.equal(ok, false, `flip at ${i}`)
    }
  })

  it('a changed payloadType is rejected', () => {
    const {env, signer} = baselineEnvelope()
    assert.equal(verifyEnvelopeReport({...env, payloadType: 'application/vnd.in-toto+json'}, {trust: trustOf([signer])}).ok, false)
  })

  it('a wrong key, an unknown key id and a revoked key are rejected', () => {
    const {env, signer} = baselineEnvelope()
    const other = keyPair()
    assert.match(verifyEnvelopeReport(env, {trust: trustOf([other])}).checks[0]!.detail!, /names no trusted key/)
    // Right key id, wrong public key under it: signature invalid.
    const impostor = {...trustOf([other]), keys: [{...trustOf([other]).keys[0]!, keyId: signer.keyId}]}
    assert.equal(verifyEnvelopeReport(env, {trust: impostor}).ok, false)
    const r = verifyEnvelopeReport(env, {trust: trustOf([signer], [signer.keyId])})
    assert.equal(r.ok, false)
    assert.match(r.checks[0]!.detail!, /revoked/)
  })

  it('threshold counts distinct trusted keys only', () => {
    const [a, b, c] = [keyPair(), keyPair(), keyPair()]
    const {env} = baselineEnvelope(a)
    const two = addSignature(env, b)
    const trust = trustOf([a, b, c])
    assert.equal(verifyEnvelopeReport(two, {trust, threshold: 2}).ok, true)
    assert.equal(verifyEnvelopeReport(two, {trust, threshold: 3}).ok, false)
    assert.throws(() => addSignature(two, a), /already signed/)
    // The same signature duplicated under an empty key id does not count twice.
    const dup = {...two, signatures: [...two.signatures, {keyid: '', sig: two.signatures[0]!.sig}]}
    assert.equal(verifyEnvelopeReport(dup, {trust, threshold: 3}).ok, false)
    // A signature by an untrusted key does not count.
    const withC = addSignature(env, keyPair())
    assert.equal(verifyEnvelopeReport(withC, {trust, threshold: 2}).ok, false)
    assert.throws(() => verifyEnvelopeReport(two, {trust: trustOf([a]), threshold: 2}), /never be met/)
  })

  it('trust windows: a key outside its validity window does not count', () => {
    const {env, signer} = baselineEnvelope()
    const now = Date.parse('2026-06-01T00:00:00Z')
    const early = {...signer, notBefore: Date.parse('2026-07-01T00:00:00Z')}
    const late = {...signer, notAfter: Date.parse('2026-05-01T00:00:00Z')}
    assert.equal(verifyEnvelopeReport(env, {trust: trustOf([early]), now}).ok, false)
    assert.equal(verifyEnvelopeReport(env, {trust: trustOf([late]), now}).ok, false)
    assert.equal(verifyEnvelopeReport(env, {trust: trustOf([signer]), now}).ok, true)
  })

  it('an expired baseline is rejected; before expiry it passes', () => {
    const {env, signer} = baselineEnvelope(keyPair(), {subject: 'fleet/a', created: '2026-01-01T00:00:00.000Z', notAfter: '2026-02-01T00:00:00Z'})
    const trust = trustOf([signer])
    assert.equal(verifyEnvelopeReport(env, {trust, now: Date.parse('2026-01-15T00:00:00Z')}).ok, true)
    const r = verifyEnvelopeReport(env, {trust, now: Date.parse('2026-03-01T00:00:00Z')})
    assert.equal(r.ok, false)
    assert.match(r.checks.find((c) => c.check === 'not-expired')!.detail!, /expired/)
  })

  it('chain: links to the previous version; rollback, fork and foreign subjects are rejected', () => {
    const signer = keyPair()
    const trust = trustOf([signer])
    const v1 = baselineEnvelope(signer)
    const v2 = baselineEnvelope(signer, {subject: 'fleet/a', previous: v1.b})
    const v3 = baselineEnvelope(signer, {subject: 'fleet/a', previous: v2.b})
    assert.equal(verifyEnvelopeReport(v2.env, {trust, previous: v1.env}).ok, true)
    const rollback = verifyEnvelopeReport(v1.env, {trust, previous: v2.env})
    assert.match(rollback.checks.find((c) => c.check === 'chain')!.detail!, /rollback/)
    // Fork: another v2 made from a different v1.
    const otherV1 = baselineEnvelope(signer, {subject: 'fleet/a', created: '2020-01-01T00:00:00.000Z'})
    const fork = verifyEnvelopeReport(v2.env, {trust, previous: otherV1.env})
    assert.match(fork.checks.find((c) => c.check === 'chain')!.detail!, /fork/)
    assert.equal(verifyEnvelopeReport(v3.env, {trust, previous: v1.env}).ok, false)
    const foreign = baselineEnvelope(signer, {subject: 'fleet/b'})
    assert.equal(verifyEnvelopeReport(v2.env, {trust, previous: foreign.env}).ok, false)
    // A previous baseline signed by an untrusted key breaks the chain.
    const untrustedV1 = {...v1.env, signatures: createEnvelope(BASELINE_PAYLOAD_TYPE, fromBase64(v1.env.payload), keyPair()).signatures}
    assert.equal(verifyEnvelopeReport(v2.env, {trust, previous: untrustedV1}).ok, false)
  })

  it('signed files: in-toto statement with a SHA3-256 subject; a changed file is rejected', () => {
    const signer = {...keyPair(), type: 'ed25519'}
    const data = utf8('tool descriptors\n')
    const {envelope, kind} = signFile('tools.bin', data, signer)
    assert.equal(kind, 'statement')
    const trust = trustOf([signer])
    assert.equal(verifyEnvelopeReport(envelope, {trust, file: {name: 'tools.bin', bytes: data}}).ok, true)
    assert.equal(verifyEnvelopeReport(envelope, {trust, file: {name: 'tools.bin', bytes: utf8('tool descriptors!\n')}}).ok, false)
    assert.throws(() => signFile('x', data, {...keyPair(), type: 'x25519'}), /cannot sign/)
  })

  it('openSignedBaseline returns the baseline only when every check passes', () => {
    const {env, signer, b} = baselineEnvelope()
    assert.equal(openSignedBaseline(env, {trust: trustOf([signer])}).baseline.subject, b.subject)
    assert.throws(() => openSignedBaseline(env, {trust: trustOf([keyPair()])}), (e: TcpError) => e.code === 'rejected')
  })

  it('strict parsing: unknown fields, empty signature lists and bad base64 are input errors', () => {
    const {env} = baselineEnvelope()
    assert.throws(() => parseEnvelope({...env, extra: 1}), /unknown field/)
    assert.throws(() => parseEnvelope({...env, signatures: []}), /non-empty/)
    assert.throws(() => parseEnvelope({...env, payload: 'a*b'}), /base64/)
    assert.throws(() => parseTrustPolicy({keys: [{keyId: 'zz'}]}, 'trust'), /16 hex/)
  })
})

describe('thread-pool verification (batch)', () => {
  it('gives the same verdict as the synchronous path on every single-byte change of the signatures', async () => {
    const [a, b] = [keyPair(), keyPair()]
    const env = addSignature(baselineEnvelope(a).env, b)
    const trust = trustOf([a, b])
    for (const [si, s] of env.signatures.entries()) {
      const sig = fromBase64(s.sig)
      for (let i = 0; i < sig.length; i += 3) {
        const m = sig.slice()
        m[i]! ^= 0x80
        const bad = {...env, signatures: env.signatures.map((x, j) => (j === si ? {...x, sig: toBase64(m)} : x))}
        const sync = countTrustedSignatures(bad, trust, 2, Date.now())
        const async = await countTrustedSignaturesAsync(bad, trust, 2, Date.now())
        assert.deepEqual([async.signers, async.invalid, async.checks], [sync.signers, sync.invalid, sync.checks])
        assert.equal(sync.invalid, 1)
      }
    }
    const good = await countTrustedSignaturesAsync(env, trust, 2, Date.now())
    assert.equal(good.signers.length, 2)
  })
})

describe('interop', () => {
  const t = tempDir()
  after(t.cleanup)
  it('a tcp signature verifies with openssl pkeyutl -verify -rawin over the PAE bytes', () => {
    const {env, signer} = baselineEnvelope()
    const pub = join(t.dir, 'k.pub')
    const msg = join(t.dir, 'pae.bin')
    const sig = join(t.dir, 'sig.bin')
    writeFileSync(pub, encodePublicKeyPem('ed25519', signer.publicKey))
    writeFileSync(msg, pae(env.payloadType, fromBase64(env.payload)))
    writeFileSync(sig, fromBase64(env.signatures[0]!.sig))
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', pub, '-in', msg, '-sigfile', sig], {encoding: 'utf8'})
    assert.match(out, /Signature Verified Successfully/)
    const bad = fromBase64(env.signatures[0]!.sig)
    bad[5]! ^= 1
    writeFileSync(sig, bad)
    assert.throws(() => execFileSync('openssl', ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', pub, '-in', msg, '-sigfile', sig], {stdio: 'pipe'}))
  })
})

describe('hardening (issue 9)', () => {
  const signer = keyPair()
  const trust = trustOf([signer])
  /** The message of a rejection, whether it is thrown (exit 2) or a failed check (exit 1). */
  const failure = (f: () => {ok: boolean; checks: Array<{ok: boolean; detail?: string}>}): string => {
    try {
      const r = f()
      assert.equal(r.ok, false)
      return r.checks.find((c) => !c.ok)!.detail!
    } catch (e) {
      assert.ok(e instanceof TcpError && e.code !== 'internal', String(e))
      return e.message
    }
  }

  it('chain: a baseline at version prev + 2 whose previous holds the right digest fails on the version', () => {
    const v1 = baselineEnvelope(signer)
    const v2 = baselineEnvelope(signer, {subject: 'fleet/a', previous: v1.b})
    const skip = {...v2.b, version: v1.b.version + 2}
    assert.equal(skip.previous, v2.b.previous) // the digest of v1: only the version is wrong
    const env = createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes(skip), signer)
    const r = verifyEnvelopeReport(env, {trust, previous: v1.env})
    assert.equal(r.ok, false)
    assert.match(r.checks.find((c) => c.check === 'chain')!.detail!, /version 3 does not follow the previous version 1/)
  })

  it('a signed payload with a duplicate member: the failure names the duplicate (baseline and statement)', () => {
    const v1 = baselineEnvelope(signer)
    const text = new TextDecoder().decode(baselineBytes(v1.b)).replace('{', '{"subject":"fleet/evil",')
    const dupBaseline = createEnvelope(BASELINE_PAYLOAD_TYPE, utf8(text), signer)
    assert.match(failure(() => verifyEnvelopeReport(dupBaseline, {trust})), /duplicate member name "subject"/)
    const {envelope} = signFile('f.txt', utf8('x'), {...signer, type: 'ed25519'})
    const st = new TextDecoder().decode(fromBase64(envelope.payload)).replace('{', '{"predicateType":"x",')
    const dupStatement = createEnvelope('application/vnd.in-toto+json', utf8(st), signer)
    assert.match(failure(() => verifyEnvelopeReport(dupStatement, {trust})), /duplicate member name "predicateType"/)
  })

  it('a --previous envelope with a duplicate member: the failure names the duplicate', () => {
    const v1 = baselineEnvelope(signer)
    const v2 = baselineEnvelope(signer, {subject: 'fleet/a', previous: v1.b})
    const text = new TextDecoder().decode(baselineBytes(v1.b)).replace('{', '{"version":1,')
    const dupPrev = createEnvelope(BASELINE_PAYLOAD_TYPE, utf8(text), signer)
    assert.match(failure(() => verifyEnvelopeReport(v2.env, {trust, previous: dupPrev})), /previous baseline: duplicate member name "version"/)
  })

  it('a 20,000-level in-toto predicate is a rejection naming the depth, not a stack overflow', () => {
    const {envelope} = signFile('f.txt', utf8('x'), {...signer, type: 'ed25519'})
    const st = JSON.parse(new TextDecoder().decode(fromBase64(envelope.payload)))
    const deep = JSON.stringify({...st, predicateType: 'https://example.com/p', predicate: 0}).replace(/"predicate":0/, '"predicate":' + '{"a":'.repeat(20000) + '1' + '}'.repeat(20000))
    const env = createEnvelope('application/vnd.in-toto+json', utf8(deep), signer)
    assert.match(failure(() => verifyEnvelopeReport(env, {trust})), /nested deeper than 128 levels/)
    assert.throws(() => signFile('deep.json', utf8(deep), {...signer, type: 'ed25519'}), /deep\.json: nested deeper than 128 levels/)
  })

  it('trust.json listing one key id twice is an input error (an expiry must not vanish)', () => {
    const id = signer.keyId
    assert.throws(
      () => parseTrustPolicy({keys: [{keyId: id, notAfter: '2020-01-01T00:00:00Z'}, {keyId: id}]}, 'trust file t.json'),
      (e: unknown) => e instanceof TcpError && e.code === 'input' && /trust file t\.json: keys\[1\]: key id [0-9a-f]{16} is listed twice/.test(e.message),
    )
    assert.equal(parseTrustPolicy({keys: [{keyId: id}, {keyId: 'a'.repeat(16)}]}, 't').allow!.size, 2)
  })
})
