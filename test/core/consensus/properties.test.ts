// Properties over random small configurations, checked independently of the simulator: every certificate behind
// an honest decision carries at least ceil(q n) distinct signers whose Ed25519 signatures verify (with the noble
// reference implementation, not the node:crypto path the simulator uses) on exactly that view, phase and value;
// and no safety violation happens where the theory says the configuration is safe.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {simulate, STRATEGIES, quorumSize, theory, byzantineCount} from '../../../src/core/consensus/simulate.js'
import {VoteCrypto, voteMessage, PHASE_COMMIT, PHASE_PREPARE} from '../../../src/core/consensus/crypto.js'
import {ed25519Noble} from '../../../src/core/crypto/reference.js'
import {fromHex} from '../../../src/core/bytes.js'
import {Rng} from '../../../src/core/rng.js'

describe('consensus properties', () => {
  it('every decision is backed by a certificate of >= q n distinct valid signers; safe configurations stay safe', () => {
    let decisions = 0
    fc.assert(
      fc.property(
        fc.integer({min: 4, max: 20}),
        fc.double({min: 0, max: 0.6, noNaN: true}),
        fc.double({min: 0.5, max: 1, noNaN: true}),
        fc.constantFrom(...STRATEGIES),
        fc.integer({min: 0, max: 2 ** 32 - 1}),
        fc.double({min: 0, max: 0.1, noNaN: true}),
        (agents, byzantine, threshold, strategy, seed, loss) => {
          if (byzantineCount(agents, byzantine) >= agents) return
          const r = simulate({agents, byzantine, threshold, strategy, seed, loss, rounds: 8, crypto: 'ed25519', evidence: true})
          const Q = quorumSize(agents, threshold)
          const keys = r.evidence!.publicKeys.map((k) => fromHex(k))
          for (const c of r.evidence!.certificates) {
            assert.equal(c.phase, 'commit')
            const phase = c.phase === 'commit' ? PHASE_COMMIT : PHASE_PREPARE
            const msg = voteMessage(r.evidence!.runId, c.view, phase, c.value)
            const valid = new Set<number>()
            c.signers.forEach((s, i) => {
              if (ed25519Noble.verify(fromHex(c.signatures[i] as string), msg, keys[s]!)) valid.add(s)
            })
            assert.ok(valid.size >= Q, `certificate view ${c.view}: ${valid.size} valid distinct signers < quorum ${Q}`)
            decisions++
          }
          if (theory(agents, r.config.byzantineCount, Q).safe) assert.equal(r.outcome.safetyViolation, false)
        },
      ),
      {numRuns: 40, seed: 20261125},
    )
    assert.ok(decisions > 10, `only ${decisions} certificates checked`)
  })
})

describe('consensus vote signatures', () => {
  for (const mode of ['ed25519', 'bls', 'model'] as const) {
    it(`${mode}: a vote verifies only for its signer, view, phase and value; forgeries fail`, () => {
      const c = new VoteCrypto(mode, 4, new Rng(5), 77)
      const h = c.sign(1, 3, PHASE_PREPARE, 1)
      assert.equal(c.verify(1, 3, PHASE_PREPARE, 1, h), true)
      assert.equal(c.verify(2, 3, PHASE_PREPARE, 1, h), false, 'other signer')
      assert.equal(c.verify(1, 4, PHASE_PREPARE, 1, h), false, 'replayed into another view')
      assert.equal(c.verify(1, 3, PHASE_COMMIT, 1, h), false, 'replayed into another phase')
      assert.equal(c.verify(1, 3, PHASE_PREPARE, 0, h), false, 'other value')
      assert.equal(c.verify(9, 3, PHASE_PREPARE, 1, h), false, 'unknown signer')
      const f = c.forge(2, 1, 3, PHASE_PREPARE, 1, 12345)
      assert.equal(c.verify(2, 3, PHASE_PREPARE, 1, f), false, 'forged in the name of agent 2')
      const other = new VoteCrypto(mode, 4, new Rng(5), 78)
      const h2 = other.sign(1, 3, PHASE_PREPARE, 1)
      if (mode !== 'model') assert.notDeepEqual(other.sigs[h2], c.sigs[h], 'votes are bound to the run id')
      else assert.notEqual(h2, h)
    })
  }
})

describe('consensus with real BLS12-381 aggregated certificates', () => {
  it('forged votes spoil a certificate as a whole; the decision is backed by one valid aggregate of >= Q distinct signers', async () => {
    const {bls12_381} = await import('@noble/curves/bls12-381.js')
    const B = bls12_381.longSignatures
    const r = simulate({agents: 8, byzantine: 0.25, threshold: 0.75, strategy: 'forge', rounds: 6, seed: 6, crypto: 'bls', evidence: true})
    assert.equal(r.signatures.mode, 'bls')
    assert.equal(r.outcome.decided, true, JSON.stringify(r.outcome))
    assert.deepEqual(r.outcome.decidedValues, [1])
    assert.ok(r.signatures.rejected.invalidCertificate > 0, 'the forged certificates were rejected')
    const ev = r.evidence!
    assert.ok(ev.certificates.length >= 1)
    for (const c of ev.certificates) {
      const signers = [...new Set(c.signers)]
      assert.ok(signers.length >= 6)
      const agg = B.aggregateSignatures(c.signatures.map((s) => B.Signature.fromBytes(fromHex(s as string))))
      const apk = B.aggregatePublicKeys(c.signers.map((s) => fromHex(ev.publicKeys[s]!)))
      const H = B.hash(voteMessage(ev.runId, c.view, PHASE_COMMIT, c.value), 'TCP-CONSENSUS-VOTE-V01-BLS12381G2_XMD:SHA-256_SSWU_RO_')
      assert.equal(B.verify(agg, H, apk), true)
      assert.equal(B.verify(agg, B.hash(voteMessage(ev.runId, c.view + 1, PHASE_COMMIT, c.value), 'TCP-CONSENSUS-VOTE-V01-BLS12381G2_XMD:SHA-256_SSWU_RO_'), apk), false, 'bound to its view')
    }
  })
})
