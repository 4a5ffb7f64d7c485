// DSSE and in-toto as other tools write and read them, checked against an independent implementation: node:crypto
// Ed25519 with a PAE built here by hand (DSSE protocol.md), not tcp's pae().
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject} from 'node:crypto'
import {verifyEnvelopeReport, countTrustedSignatures} from '../../../src/core/envelope/verify.js'
import {signFile} from '../../../src/core/envelope/sign.js'
import {MAX_HINTLESS_TRIALS} from '../../../src/core/envelope/keyhint.js'
import {keyPair, trustOf} from '../../helpers/keys.js'
import type {TrustStore} from '../../../src/core/envelope/trust.js'

const handPae = (type: string, body: Buffer) =>
  Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body])

function foreignKey() {
  const {publicKey, privateKey} = generateKeyPairSync('ed25519')
  const raw = new Uint8Array(publicKey.export({format: 'jwk'}).x ? Buffer.from(publicKey.export({format: 'jwk'}).x!, 'base64url') : [])
  return {privateKey, publicKey, raw}
}

function trustRaw(raws: Uint8Array[]): TrustStore {
  return trustOf(raws.map((publicKey) => ({publicKey, secretKey: new Uint8Array(32), type: 'ed25519'}) as never))
}

/** An envelope as another tool writes it: pretty-printed Statement, sha256 only, its own keyid. */
function foreignEnvelope(file: Buffer, key: KeyObject, keyid: string | undefined, name = 'artifact.tgz', type = 'https://in-toto.io/Statement/v1') {
  const statement = {
    _type: type,
    subject: [{name, digest: {sha256: createHash('sha256').update(file).digest('hex')}}],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {buildDefinition: {buildType: 'https://example.com/build'}, runDetails: {}},
  }
  const body = Buffer.from(JSON.stringify(statement, null, 2) + '\n')
  const sig = nodeSign(null, handPae('application/vnd.in-toto+json', body), key).toString('base64')
  return {payloadType: 'application/vnd.in-toto+json', payload: body.toString('base64'), signatures: [{...(keyid === undefined ? {} : {keyid}), sig}]}
}

describe('DSSE from another tool (node:crypto, hand-built PAE)', () => {
  const file = Buffer.from('release artifact bytes\n')
  const k = foreignKey()

  for (const keyid of ['SHA256:Q2f...cosign-style', '', undefined]) {
    it(`keyid ${JSON.stringify(keyid)} is a hint: a pretty-printed sha256 Statement verifies, --file matches`, () => {
      const env = foreignEnvelope(file, k.privateKey, keyid)
      const r = verifyEnvelopeReport(env, {trust: trustRaw([keyPair().publicKey, k.raw]), file: {name: 'artifact.tgz', bytes: file}})
      assert.equal(r.ok, true, JSON.stringify(r.checks))
      assert.match(r.checks.find((c) => c.check === 'subject-digest')!.detail!, /sha256 of artifact.tgz match/)
    })
  }

  it('in-toto Statement v0.1 (older cosign, slsa-github-generator) verifies too; an unknown _type does not', () => {
    const ok = verifyEnvelopeReport(foreignEnvelope(file, k.privateKey, 'x', 'a', 'https://in-toto.io/Statement/v0.1'), {trust: trustRaw([k.raw]), file: {name: 'a', bytes: file}})
    assert.equal(ok.ok, true, JSON.stringify(ok.checks))
    const bad = verifyEnvelopeReport(foreignEnvelope(file, k.privateKey, 'x', 'a', 'https://in-toto.io/Statement/v2'), {trust: trustRaw([k.raw])})
    assert.equal(bad.ok, false)
    assert.match(bad.checks.find((c) => c.check === 'statement')!.detail!, /_type must be/)
  })

  it('rejects a changed file, a changed payload and a key outside the trust store', () => {
    const env = foreignEnvelope(file, k.privateKey, 'other-tool')
    const bad = verifyEnvelopeReport(env, {trust: trustRaw([k.raw]), file: {name: 'artifact.tgz', bytes: Buffer.from('release artifact bytes!\n')}})
    assert.equal(bad.ok, false)
    assert.equal(bad.checks.find((c) => c.check === 'subject-digest')!.ok, false)
    const body = Buffer.from(env.payload, 'base64').toString().replace('example.com', 'example.org')
    const tampered = {...env, payload: Buffer.from(body).toString('base64')}
    const t = verifyEnvelopeReport(tampered, {trust: trustRaw([k.raw])})
    assert.equal(t.ok, false)
    assert.match(t.checks[0]!.detail!, /no valid signature by a trusted key/)
    const other = verifyEnvelopeReport(env, {trust: trustRaw([keyPair().publicKey])})
    assert.equal(other.ok, false)
    assert.match(other.checks[0]!.detail!, /"other-tool" names no trusted key .*tried 1 trusted key/)
  })

  it('a keyid naming a trusted key that did not sign is invalid, not retried under other keys', () => {
    const a = keyPair()
    const env = foreignEnvelope(file, k.privateKey, a.keyId)
    const c = countTrustedSignatures(env, trustRaw([a.publicKey, k.raw]), 1, Date.now())
    assert.equal(c.invalid, 1)
    assert.equal(c.signers.length, 0)
  })

  it(`the hintless search is bounded at ${MAX_HINTLESS_TRIALS} verifications per envelope, and says so`, () => {
    const many = Array.from({length: MAX_HINTLESS_TRIALS}, () => keyPair().publicKey)
    const env = foreignEnvelope(file, k.privateKey, 'x')
    // The signer is the 65th trusted key: beyond the bound, never tried.
    const r = verifyEnvelopeReport(env, {trust: trustRaw([...many, k.raw])})
    assert.equal(r.ok, false)
    assert.match(r.checks[0]!.detail!, new RegExp(`tried ${MAX_HINTLESS_TRIALS} trusted key\\(s\\), 1 not tried \\(bound of ${MAX_HINTLESS_TRIALS}`))
    assert.equal(verifyEnvelopeReport(env, {trust: trustRaw([k.raw, ...many])}).ok, true)
    // Two hintless signatures share one budget: the second gets none.
    const k2 = foreignKey()
    const two = foreignEnvelope(file, k2.privateKey, 'y')
    const both = {...env, signatures: [...env.signatures, ...two.signatures.map((s) => ({...s, sig: nodeSign(null, handPae(env.payloadType, Buffer.from(env.payload, 'base64')), k2.privateKey).toString('base64')}))]}
    const c = countTrustedSignatures(both, trustRaw([...many.slice(0, MAX_HINTLESS_TRIALS - 1), k.raw, k2.raw]), 1, Date.now())
    assert.deepEqual(c.signers.length, 1)
    assert.equal(c.untrusted, 1)
  })

  it('a subject whose sha256 matches but whose sha3_256 does not is no match', () => {
    const env = foreignEnvelope(file, k.privateKey, undefined)
    const st = JSON.parse(Buffer.from(env.payload, 'base64').toString())
    st.subject[0].digest.sha3_256 = '00'.repeat(32)
    const body = Buffer.from(JSON.stringify(st))
    const e2 = {...env, payload: body.toString('base64'), signatures: [{sig: nodeSign(null, handPae(env.payloadType, body), k.privateKey).toString('base64')}]}
    const r = verifyEnvelopeReport(e2, {trust: trustRaw([k.raw]), file: {name: 'a', bytes: file}})
    assert.equal(r.checks.find((c) => c.check === 'subject-digest')!.ok, false)
  })
})

describe('tcp sign output read by another tool (node:crypto, hand-built PAE)', () => {
  it('verifies with node:crypto and names the file by sha256 and sha3_256', () => {
    const signer = keyPair()
    const bytes = new TextEncoder().encode('model weights v3\n')
    const {envelope} = signFile('weights.bin', bytes, signer)
    const body = Buffer.from(envelope.payload, 'base64')
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(signer.publicKey)])
    const pub = createPublicKey({key: spki, format: 'der', type: 'spki'})
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64')
    assert.equal(nodeVerify(null, handPae(envelope.payloadType, body), pub, sig), true)
    assert.equal(nodeVerify(null, handPae(envelope.payloadType, Buffer.concat([body, Buffer.from(' ')])), pub, sig), false)
    const st = JSON.parse(body.toString())
    assert.equal(st.subject[0].digest.sha256, createHash('sha256').update(bytes).digest('hex'))
    assert.equal(st.subject[0].digest.sha3_256, createHash('sha3-256').update(bytes).digest('hex'))
  })
})
