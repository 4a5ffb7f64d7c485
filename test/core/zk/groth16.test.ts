// tcp's Groth16 verifier on noble's bn254 (src/core/zk/groth16.ts) against snarkjs' groth16.verify on the same
// inputs: proofs made with known secrets for a synthetic key (honest, so both must accept), the same proofs with a
// changed signal or point (both must reject), and the delta = gamma forgery (both accept: the key check refuses it).
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {bn254} from '@noble/curves/bn254.js'
import {Rng} from '../../../src/core/rng.js'
import {snarkjs, releaseCurve} from '../../../src/core/zk/snark.js'
import {groth16Verify} from '../../../src/core/zk/groth16.js'
import {BN254_R as r} from '../../../src/core/zk/statement.js'
import {forgeProof, syntheticKey, g1Json, g2Json} from '../../helpers/forge.js'

const mod = (x: bigint) => ((x % r) + r) % r
const inv = (x: bigint) => {
  let [a, b, u, v] = [mod(x), r, 1n, 0n]
  while (a !== 0n) {
    const q = b / a
    ;[a, b, u, v] = [b - q * a, a, v - q * u, u]
  }
  return mod(v)
}

/** A valid proof for syntheticKey's secrets: pick a, b; c = (a b - alpha beta - gamma x) / delta, x = vk_x's scalar. */
function honestProof(sec: {alpha: bigint; beta: bigint; gamma: bigint; delta: bigint}, signals: bigint[], rng: Rng) {
  const a = mod(BigInt(rng.u32()) * 2n ** 100n + BigInt(rng.u32()) + 1n)
  const b = mod(BigInt(rng.u32()) * 2n ** 90n + BigInt(rng.u32()) + 1n)
  let x = 1000n
  signals.forEach((s, i) => (x = mod(x + s * BigInt(1000 + 17 * (i + 1)))))
  const c = mod((a * b - sec.alpha * sec.beta - sec.gamma * x) * inv(sec.delta))
  return {pi_a: g1Json(bn254.G1.Point.BASE.multiply(a)), pi_b: g2Json(bn254.G2.Point.BASE.multiply(b)), pi_c: g1Json(bn254.G1.Point.BASE.multiply(c)), protocol: 'groth16', curve: 'bn128'}
}

describe('Groth16 on noble bn254 agrees with snarkjs', () => {
  after(releaseCurve)

  it('honest proofs verify in both; a changed signal, swapped points or another key fail in both', async () => {
    const s = await snarkjs()
    const rng = new Rng(15)
    const sec = {alpha: 3n, beta: 5n, gamma: 7n, delta: 123456789n}
    const vk = syntheticKey(9, sec)
    let cases = 0
    for (let t = 0; t < 4; t++) {
      const signals = Array.from({length: 9}, (_, i) => (i === 8 && t === 0 ? 0n : mod(BigInt(rng.u32()) * 2n ** 200n + BigInt(rng.u32()))))
      const proof = honestProof(sec, signals, rng)
      const str = signals.map(String)
      const both = async (v: any, sig: bigint[], p: any) => {
        const mine = groth16Verify(v, sig, p)
        const theirs = await s.groth16.verify(v, sig.map(String), p)
        assert.equal(mine, theirs, `noble ${mine}, snarkjs ${theirs}`)
        cases++
        return mine
      }
      assert.equal(await both(vk, signals, proof), true)
      assert.equal(await both(vk, signals.map((x, i) => (i === t ? mod(x + 1n) : x)), proof), false)
      assert.equal(await both(vk, signals, {...proof, pi_a: proof.pi_c, pi_c: proof.pi_a}), false)
      assert.equal(await both(syntheticKey(9, {...sec, delta: 99n}), signals, proof), false)
      assert.equal(await both(vk, signals, {...proof, pi_b: g2Json(bn254.G2.Point.BASE.multiply(7n))}), false)
      assert.ok(str.length === 9)
    }
    // The forgery under delta = gamma: both accept (tcp refuses the key before the pairing, see vkey.test.ts).
    const weak = syntheticKey(9, {...sec, delta: sec.gamma})
    const sig = Array.from({length: 9}, (_, i) => BigInt(i * 11))
    assert.equal(groth16Verify(weak, sig, forgeProof(weak, sig.map(String))), true)
    assert.equal(await s.groth16.verify(weak, sig.map(String), forgeProof(weak, sig.map(String))), true)
    assert.ok(cases >= 20)
  })

  it('all-zero signals (vk_x = IC[0]) and a point off the curve', () => {
    const sec = {alpha: 3n, beta: 5n, gamma: 7n, delta: 11n}
    const vk = syntheticKey(9, sec)
    const zeros = Array<bigint>(9).fill(0n)
    assert.equal(groth16Verify(vk, zeros, honestProof(sec, zeros, new Rng(1))), true)
    const bad = honestProof(sec, zeros, new Rng(2))
    bad.pi_a[1] = String(BigInt(bad.pi_a[1]!) + 1n)
    assert.throws(() => groth16Verify(vk, zeros, bad), /pi_a/)
  })
})
