// Verification keys under which anyone forges (issue 15, item 2): with delta_2 = gamma_2 the forged proof of
// test/helpers/forge.ts verifies in snarkjs for any public signals; tcp's key check refuses the key, and a key with
// an independent delta is accepted by the check while the same forgery then fails in snarkjs.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {bn254} from '@noble/curves/bn254.js'
import {snarkjs, releaseCurve} from '../../../src/core/zk/snark.js'
import {g1Of, verificationKeyWeakness} from '../../../src/core/zk/vkey.js'
import {forgeProof, syntheticKey, g1Json, g2Json} from '../../helpers/forge.js'

const signals = ['424242', '42', '1', '8', '100', '200', '300', String(2n ** 32n)]

describe('zk verification key checks', () => {
  after(releaseCurve)

  it('delta_2 = gamma_2: snarkjs accepts a proof forged without any secret; tcp refuses the key', async () => {
    const vk = syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 7n, delta: 7n})
    const forged = forgeProof(vk, signals)
    const s = await snarkjs()
    assert.equal(await s.groth16.verify(vk, signals, forged), true, 'the forgery works: this is what the check prevents')
    assert.equal(await s.groth16.verify(vk, signals.map((x, i) => (i === 0 ? '7' : x)), forgeProof(vk, signals.map((x, i) => (i === 0 ? '7' : x)))), true)
    assert.match(verificationKeyWeakness(vk, 8)!, /delta_2 equals gamma_2/)
  })

  it('delta_2 = -gamma_2: the forgery with C = vk_x verifies in snarkjs; tcp refuses the key', async () => {
    const r = bn254.fields.Fr.ORDER
    const vk = syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 7n, delta: r - 7n})
    const f = forgeProof(vk, signals)
    const forged = {...f, pi_c: g1Json(g1Of(f.pi_c, 'pi_c').negate())}
    const s = await snarkjs()
    assert.equal(await s.groth16.verify(vk, signals, forged), true, 'the forgery works: this is what the check prevents')
    assert.match(verificationKeyWeakness(vk, 8)!, /-gamma_2/)
    assert.match(verificationKeyWeakness(syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 7n, delta: r - 1n}), 8)!, /negated G2 generator/)
  })

  it('delta_2 = the G2 generator (snarkjs zkey new before any contribution) is refused even when gamma differs', () => {
    const vk = syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 7n, delta: 1n})
    assert.match(verificationKeyWeakness(vk, 8)!, /delta_2 is the G2 generator/)
  })

  it('an independent delta passes the check, and the same forgery then fails in snarkjs', async () => {
    const vk = syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 1n, delta: 123456789n})
    assert.equal(verificationKeyWeakness(vk, 8), null)
    const s = await snarkjs()
    assert.equal(await s.groth16.verify(vk, signals, forgeProof(vk, signals)), false)
  })

  it('malformed keys: another count, a short IC, a point off the curve, another protocol', () => {
    const vk = syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 1n, delta: 99n})
    assert.match(verificationKeyWeakness(vk, 7)!, /expected 7 public signals/)
    assert.match(verificationKeyWeakness({...vk, IC: vk.IC.slice(1)}, 8)!, /IC: expected 9 points, got 8/)
    const off = structuredClone(vk)
    off.vk_alpha_1[1] = String(BigInt(off.vk_alpha_1[1]) + 1n)
    assert.match(verificationKeyWeakness(off, 8)!, /malformed/)
    const offG2 = structuredClone(vk)
    offG2.vk_delta_2[0][0] = '1'
    assert.match(verificationKeyWeakness(offG2, 8)!, /malformed/)
    assert.match(verificationKeyWeakness({...vk, protocol: 'plonk'}, 8)!, /groth16/)
    // The generator written in snarkjs' form is recognised as such, not only noble's object.
    const g7 = syntheticKey(8, {alpha: 3n, beta: 5n, gamma: 7n, delta: 99n})
    assert.match(verificationKeyWeakness({...g7, vk_delta_2: g2Json(bn254.G2.Point.BASE)}, 8)!, /G2 generator/)
  })
})
