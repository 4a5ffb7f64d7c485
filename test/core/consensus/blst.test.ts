// --crypto blst: native BLS12-381 (@chainsafe/blst) on every vote, signing on worker threads. Checked against
// @noble/curves (the pure-JS reference), with forged, wrong-key and wrong-signer-set inputs, and one real decision
// of 10,000 agents (the test's cost is that run: about 30,000 scalar multiplications on the worker pool).
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {bls12_381 as bls} from '@noble/curves/bls12-381.js'
import * as blst from '@chainsafe/blst'
import {simulate} from '../../../src/core/consensus/simulate.js'
import {VoteCrypto, voteMessage, PHASE_COMMIT, PHASE_PREPARE, PHASE_TIMEOUT} from '../../../src/core/consensus/crypto.js'
import {BLST_DST} from '../../../src/core/consensus/blst.js'
import {Rng} from '../../../src/core/rng.js'

const RUN = 77
const vc = new VoteCrypto('blst', 16, new Rng(5), RUN)
after(() => vc.close())

describe('consensus blst: native BLS12-381', () => {
  it('agrees with @noble/curves on keys, signatures and verification', () => {
    const B = bls.longSignatures
    const sks = vc.blstSecretKeys([0, 1, 2, 3])
    for (let i = 0; i < 4; i++) {
      const sk = sks[i]!
      const pub = B.getPublicKey(sk)
      assert.equal(Buffer.from(pub.toBytes(false)).toString('hex'), Buffer.from(vc.blstPublicKey(i)).toString('hex'), `public key ${i}`)
      const h = vc.sign(i, 9, PHASE_PREPARE, 1)
      const msg = voteMessage(RUN, 9, PHASE_PREPARE, 1)
      const nobleSig = B.sign(B.hash(msg, BLST_DST), sk)
      const native = vc.blstSignature(h)!
      assert.equal(Buffer.from(nobleSig.toBytes(false)).toString('hex'), Buffer.from(native).toString('hex'), `signature ${i}`)
      // each verifies the other's signature, and rejects it on another message or under another key
      const compressed = blst.Signature.fromBytes(native).toBytes(true)
      assert.equal(B.verify(B.Signature.fromBytes(compressed), B.hash(msg, BLST_DST), pub), true)
      assert.equal(B.verify(B.Signature.fromBytes(compressed), B.hash(voteMessage(RUN, 9, PHASE_COMMIT, 1), BLST_DST), pub), false)
      assert.equal(B.verify(B.Signature.fromBytes(compressed), B.hash(msg, BLST_DST), B.getPublicKey(sks[(i + 1) % 4]!)), false)
      const pk = blst.PublicKey.fromBytes(vc.blstPublicKey(i))
      assert.equal(blst.verify(msg, pk, blst.Signature.fromBytes(nobleSig.toBytes(true))), true)
      assert.equal(blst.verify(voteMessage(RUN, 10, PHASE_PREPARE, 1), pk, blst.Signature.fromBytes(nobleSig.toBytes(true))), false)
    }
  })

  it('keys come from the seed: same seed same keys, another seed other keys', () => {
    const again = new VoteCrypto('blst', 4, new Rng(5), RUN)
    const other = new VoteCrypto('blst', 4, new Rng(6), RUN)
    const otherRun = new VoteCrypto('blst', 4, new Rng(5), RUN + 1)
    try {
      assert.deepEqual(again.blstPublicKey(3), vc.blstPublicKey(3))
      assert.notDeepEqual(other.blstPublicKey(3), vc.blstPublicKey(3))
      // same keys, another run id: the vote differs (votes are bound to their run)
      assert.deepEqual(otherRun.blstPublicKey(1), vc.blstPublicKey(1))
      assert.notDeepEqual(otherRun.blstSignature(otherRun.sign(1, 3, PHASE_PREPARE, 1)), vc.blstSignature(vc.sign(1, 3, PHASE_PREPARE, 1)))
    } finally {
      again.close()
      other.close()
      otherRun.close()
    }
  })

  it('rejects a forged or wrong-key vote, and a vote replayed into another view, phase or value', () => {
    const good = vc.sign(2, 4, PHASE_PREPARE, 1)
    assert.equal(vc.verify(2, 4, PHASE_PREPARE, 1, good), true)
    const forged = vc.forge(2, 5, 4, PHASE_PREPARE, 1, 0) // agent 5 signs in agent 2's name with its own key
    assert.equal(vc.verify(2, 4, PHASE_PREPARE, 1, forged), false)
    assert.equal(vc.verify(5, 4, PHASE_PREPARE, 1, forged), true) // it is a valid signature, of the wrong agent
    assert.equal(vc.verify(2, 5, PHASE_PREPARE, 1, good), false)
    assert.equal(vc.verify(2, 4, PHASE_COMMIT, 1, good), false)
    assert.equal(vc.verify(2, 4, PHASE_TIMEOUT, 1, good), false)
    assert.equal(vc.verify(2, 4, PHASE_PREPARE, 0, good), false)
    assert.equal(vc.verify(2, 4, PHASE_PREPARE, 1, 1e9), false) // unknown handle
    assert.equal(vc.verify(99, 4, PHASE_PREPARE, 1, good), false) // unknown signer
  })

  it('rejects an aggregate with a missing, extra or substituted signer, and a batch check finds exactly the bad votes', () => {
    const signers = [0, 1, 2, 3, 4, 5, 6, 7]
    const handles = signers.map((a) => vc.sign(a, 3, PHASE_COMMIT, 1))
    assert.equal(vc.verifyAggregate(signers, handles, 3, PHASE_COMMIT, 1), true)
    assert.equal(vc.verifyAggregate(signers.slice(0, 7), handles, 3, PHASE_COMMIT, 1), false, 'a signature whose signer is missing')
    assert.equal(vc.verifyAggregate(signers, handles.slice(0, 7), 3, PHASE_COMMIT, 1), false, 'a signer whose signature is missing')
    assert.equal(vc.verifyAggregate([...signers, 8], [...handles, handles[0]!], 3, PHASE_COMMIT, 1), false, 'an extra signer')
    assert.equal(vc.verifyAggregate([8, ...signers.slice(1)], handles, 3, PHASE_COMMIT, 1), false, 'a substituted signer')
    assert.equal(vc.verifyAggregate(signers, handles, 3, PHASE_PREPARE, 1), false, 'another phase')
    const bad = [...handles]
    bad[2] = vc.forge(2, 9, 3, PHASE_COMMIT, 1, 0)
    bad[6] = vc.sign(6, 4, PHASE_COMMIT, 1) // signed for another view
    assert.equal(vc.verifyAggregate(signers, bad, 3, PHASE_COMMIT, 1), false)
    assert.deepEqual(Array.from(vc.checkBatch(signers, bad, 3, PHASE_COMMIT, 1)), [1, 1, 0, 1, 1, 1, 0, 1])
  })

  it('forgers and replayers in a blst run: every forgery rejected, the honest value decided', () => {
    for (const strategy of ['forge', 'replay'] as const) {
      const r = simulate({agents: 24, byzantine: 0.2, threshold: 0.67, strategy, rounds: 20, seed: 3, crypto: 'blst'})
      assert.equal(r.signatures.mode, 'blst')
      assert.equal(r.outcome.decided, true, strategy)
      assert.equal(r.outcome.safetyViolation, false)
      assert.deepEqual(r.outcome.decidedValues, [1])
      if (strategy === 'forge') assert.ok(r.signatures.forged > 0 && r.signatures.rejected.badSignature > 0, JSON.stringify(r.signatures))
    }
  })

  // The schedules differ in detail (key generation draws different amounts from the seeded generator), so only the
  // outcome is compared.
  it('reaches the same outcome as Ed25519 on the same seed', () => {
    const opts = {agents: 30, byzantine: 0.2, threshold: 0.67, strategy: 'equivocate' as const, rounds: 20, seed: 11}
    const a = simulate({...opts, crypto: 'blst'})
    const b = simulate({...opts, crypto: 'ed25519'})
    assert.deepEqual(a.outcome, b.outcome)
  })

  it('10,000 agents: every vote really signed, certificates aggregated and verified, evidence checks out', () => {
    const r = simulate({agents: 10_000, byzantine: 0, threshold: 0.75, strategy: 'withhold', rounds: 5, seed: 1, crypto: 'blst', evidence: true})
    const s = r.signatures
    assert.equal(r.outcome.decided, true)
    assert.ok(s.made >= 2 * 7500, `made ${s.made}`)
    assert.equal(s.workers! >= 1, true)
    assert.ok(s.cryptoMs! > 0 && s.cryptoMs! <= r.run.wallMs)
    assert.ok(s.pairings! < 20, `pairings ${s.pairings}`) // aggregates, not one pairing per vote
    const cert = r.evidence!.certificates[0]!
    assert.equal(cert.signers.length, 7500)
    const pks = cert.signers.map((i) => blst.PublicKey.fromBytes(Buffer.from(r.evidence!.publicKeys[i]!, 'hex')))
    const agg = blst.aggregateSerializedSignatures(cert.signatures.map((h) => Buffer.from(h as string, 'hex')))
    const msg = voteMessage(r.evidence!.runId, cert.view, cert.phase === 'commit' ? PHASE_COMMIT : PHASE_PREPARE, cert.value)
    assert.equal(blst.fastAggregateVerify(msg, pks, agg), true)
    assert.equal(blst.fastAggregateVerify(msg, pks.slice(1), agg), false, 'one signer dropped')
  })
})
