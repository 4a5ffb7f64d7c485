import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateKeyPair} from '../../../src/core/keys/keys.js'
import {keyIdOf} from '../../../src/core/keys/keyid.js'
import {makeRotation, verifyRotation} from '../../../src/core/keys/rotate.js'
import {addSignature, createEnvelope, parseEnvelope} from '../../../src/core/envelope/dsse.js'
import {fromBase64, toBase64} from '../../../src/core/bytes.js'
import {tcp, tempDir} from '../../helpers/cli.js'

const T = new Date('2027-01-01T00:00:00Z')

describe('key rotation statements', () => {
  const a = generateKeyPair('ed25519')
  const b = generateKeyPair('ed25519')
  const c = generateKeyPair('ed25519')
  const env = makeRotation(a, b, T, 'scheduled')

  it('signed by the old and the new key; verifies, and names both', () => {
    const r = verifyRotation(env, keyIdOf(a.publicKey))
    assert.equal(r.ok, true, JSON.stringify(r.checks))
    assert.equal(r.rotation.old.keyId, keyIdOf(a.publicKey))
    assert.equal(r.rotation.new.keyId, keyIdOf(b.publicKey))
    assert.deepEqual(env.signatures.map((s) => s.keyid), [keyIdOf(a.publicKey), keyIdOf(b.publicKey)])
  })

  it('rejects a rotation to the same key, and a trusted old key that is not the one named', () => {
    assert.throws(() => makeRotation(a, a, T), /the new key is the old key/)
    assert.equal(verifyRotation(env, keyIdOf(c.publicKey)).ok, false)
  })

  it('tamper: a changed payload, a missing signature, a third key signing instead of the new one', () => {
    const {body} = parseEnvelope(env)
    const text = new TextDecoder().decode(body).replace('scheduled', 'scheduleD')
    const edited = {...env, payload: toBase64(new TextEncoder().encode(text))}
    const e1 = verifyRotation(edited)
    assert.equal(e1.ok, false)
    assert.ok(e1.checks.some((x) => x.check === 'old-signature' && !x.ok))
    const one = {...env, signatures: env.signatures.slice(0, 1)}
    assert.equal(verifyRotation(one).ok, false)
    // The attacker holds the old key only and has a third key sign: the new key's signature is missing.
    const forged = addSignature(createEnvelope(env.payloadType, body, a), c)
    const e3 = verifyRotation(forged)
    assert.equal(e3.ok, false)
    assert.ok(e3.checks.some((x) => x.check === 'new-signature' && !x.ok))
    // A signature byte flipped.
    const sig = fromBase64(env.signatures[1]!.sig)
    sig[5]! ^= 1
    assert.equal(verifyRotation({...env, signatures: [env.signatures[0]!, {...env.signatures[1]!, sig: toBase64(sig)}]}).ok, false)
  })

  it('rejects an overlong reason written by hand', () => {
    const {body} = parseEnvelope(env)
    const o = JSON.parse(new TextDecoder().decode(body))
    o.reason = 'x'.repeat(300)
    const env2 = addSignature(createEnvelope(env.payloadType, new TextEncoder().encode(JSON.stringify(o)), a), b)
    assert.throws(() => verifyRotation(env2), /reason: expected text of at most 256 characters/)
  })

  it('rejects a key id that is not its public key\'s', () => {
    const {body} = parseEnvelope(env)
    const o = JSON.parse(new TextDecoder().decode(body))
    o.new.keyId = keyIdOf(c.publicKey)
    const env2 = createEnvelope(env.payloadType, new TextEncoder().encode(JSON.stringify(o)), a)
    assert.throws(() => verifyRotation(env2), /rotation.new.keyId: .* is not the id of its public key/)
  })
})

describe('tcp keys rotate', () => {
  const t = tempDir()
  after(t.cleanup)

  it('writes a statement tcp verify accepts with both keys at threshold 2, and rejects when only the old key is trusted', async () => {
    for (const n of ['old', 'new']) assert.equal((await tcp(['keys', 'generate', '--out', join(t.dir, n), '--unencrypted'])).code, 0)
    const out = join(t.dir, 'rotation.dsse.json')
    const r = await tcp(['keys', 'rotate', '--key', join(t.dir, 'old.key'), '--new', join(t.dir, 'new.key'), '--out', out, '--at', '2027-01-01T00:00:00Z', '--reason', 'scheduled', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json().time, '2027-01-01T00:00:00.000Z')
    assert.equal(verifyRotation(JSON.parse(readFileSync(out, 'utf8'))).ok, true)
    const v = await tcp(['verify', out, '--pub', join(t.dir, 'old.pub'), '--pub', join(t.dir, 'new.pub'), '--threshold', '2'])
    assert.equal(v.code, 0, v.stdout + v.stderr)
    // Only the old key trusted: the new key's signature does not count, so the rotation is not proven.
    const v1 = await tcp(['verify', out, '--pub', join(t.dir, 'old.pub')])
    assert.equal(v1.code, 1, v1.stdout + v1.stderr)
    assert.match(v1.stderr, /rotation-signers/)
    const again = await tcp(['keys', 'rotate', '--key', join(t.dir, 'old.key'), '--new', join(t.dir, 'new.key'), '--out', out])
    assert.equal(again.code, 2, 'never overwrites without --force')
    assert.equal((await tcp(['keys', 'generate', '--out', join(t.dir, 'box'), '--type', 'x25519', '--unencrypted'])).code, 0)
    const x = await tcp(['keys', 'rotate', '--key', join(t.dir, 'old.key'), '--new', join(t.dir, 'box.key'), '--out', join(t.dir, 'y.json')])
    assert.equal(x.code, 2)
    assert.match(x.stderr, /--new: a x25519 key cannot sign/)
    const same = await tcp(['keys', 'rotate', '--key', join(t.dir, 'old.key'), '--new', join(t.dir, 'old.key'), '--out', join(t.dir, 'x.json')])
    assert.equal(same.code, 2)
    assert.match(same.stderr, /the new key is the old key/)
  })
})
