// Properties over random small configurations, checked independently of the simulator: every certificate behind
// an honest decision carries at least ceil(q n) distinct signers whose Ed25519 signatures verify (with the noble
// reference implementation, not the node:crypto path the simulator uses) on exactly that view, phase and value;
// and no safety violation happens where the theory says the configuration is safe, whatever the pacemaker's timeout
// and backoff.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {simulate, STRATEGIES, quorumSize, theory, byzantineCount} from '../../../src/core/consensus/simulate.js'
import {VoteCrypto, voteMessage, PHASE_COMMIT, PHASE_PREPARE} from '../../../src/core/consensus/crypto.js'
import {ed25519Noble} from '../../../src/core/crypto/reference.js'
import {fromHex} from '../../../src/core/bytes.js'
import {Rng} from '../../../src/core/rng.js'
import {siphash24, siphash24Words} from '../../../src/core/consensus/siphash.js'

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
        fc.constantFrom(50, 200, 1000),
        fc.constantFrom(1, 1.5, 2),
        (agents, byzantine, threshold, strategy, seed, loss, timeoutMs, backoff) => {
          if (byzantineCount(agents, byzantine) >= agents) return
          const r = simulate({agents, byzantine, threshold, strategy, seed, loss, timeoutMs, backoff, rounds: 8, crypto: 'ed25519', evidence: true})
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

describe('consensus model tags: a keyed PRF (SipHash-2-4)', () => {
  it('matches the reference vectors of the SipHash paper (key 00..0f, message 00..len-1)', () => {
    const key = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c]
    const hex = (len: number) => siphash24(key, 0, Uint8Array.from({length: len}, (_, i) => i)).map((w) => w.toString(16).padStart(8, '0')).join('')
    assert.equal(hex(0), '726fdb47dd0e0e31')
    assert.equal(hex(1), '74f839c593dc67fd')
    assert.equal(hex(8), '93f5f5799a932462')
    assert.equal(hex(15), 'a129ca6149be45e5')
    const [, lo] = siphash24(key, 0, Uint8Array.from({length: 16}, (_, i) => i))
    assert.equal(siphash24Words(key, 0, 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c), lo | 0, 'the fast path is the same function')
  })

  // The tag before 2026-11-27: mix32(secret ^ mix32(2 view + phase) ^ mix32(value + c) ^ runId), mix32 invertible.
  const mix32 = (x: number) => {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
    return (x ^ (x >>> 16)) | 0
  }
  const inv = (a: number) => {
    let y = a
    for (let i = 0; i < 5; i++) y = Math.imul(y, 2 - Math.imul(a, y))
    return y
  }
  const unmix32 = (x: number) => {
    x ^= x >>> 16
    x = Math.imul(x, inv(0xc2b2ae35))
    x ^= (x >>> 13) ^ (x >>> 26)
    x = Math.imul(x, inv(0x85ebca6b))
    return (x ^ (x >>> 16)) | 0
  }
  const legacyTag = (secret: number, runId: number, view: number, phase: number, value: number) => mix32(secret ^ mix32(view * 2 + phase) ^ mix32(value + 0x51ed27) ^ runId)
  /** The attack of issue 16: one observed tag gives secret ^ runId, and with it any vote of that signer. */
  const forgeFrom = (observed: number, view: number, phase: number, value: number, v2: number, p2: number, x2: number) => {
    const k = unmix32(observed) ^ mix32(view * 2 + phase) ^ mix32(value + 0x51ed27)
    return mix32(k ^ mix32(v2 * 2 + p2) ^ mix32(x2 + 0x51ed27))
  }

  it('a vote forged from an observed one is rejected (the same forgery fools the old invertible tag)', () => {
    const secret = 0x1234abcd
    const old = legacyTag(secret, 77, 3, PHASE_PREPARE, 1)
    assert.equal(forgeFrom(old, 3, PHASE_PREPARE, 1, 9, PHASE_COMMIT, 0), legacyTag(secret, 77, 9, PHASE_COMMIT, 0), 'the attack works on the old tag')
    const c = new VoteCrypto('model', 8, new Rng(5), 77)
    let accepted = 0
    for (let signer = 0; signer < 8; signer++)
      for (let view = 0; view < 50; view++) {
        const seen = c.sign(signer, view, PHASE_PREPARE, 1)
        for (const [v2, p2, x2] of [[view + 1, PHASE_PREPARE, 1], [view, PHASE_COMMIT, 1], [view, PHASE_PREPARE, 0], [view + 7, PHASE_COMMIT, 0]] as const)
          if (c.verify(signer, v2, p2, x2, forgeFrom(seen, view, PHASE_PREPARE, 1, v2, p2, x2))) accepted++
      }
    assert.equal(accepted, 0, `${accepted} of 1600 forgeries accepted`)
  })

  it('tags of two signers on the same messages keep no fixed relation (the old tag kept secret_a ^ secret_b)', () => {
    const c = new VoteCrypto('model', 2, new Rng(9), 5)
    const diffs = new Set<number>()
    for (let view = 0; view < 64; view++) diffs.add(unmix32(c.sign(0, view, PHASE_COMMIT, 1)) ^ unmix32(c.sign(1, view, PHASE_COMMIT, 1)))
    assert.ok(diffs.size > 60, `${diffs.size} distinct differences in 64 views`)
  })
})
