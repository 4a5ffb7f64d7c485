/**
 * Groth16 verification on noble's bn254 pairing (EIP-197 curve), so that `tcp verify` does not load snarkjs and its
 * curve worker threads. The equation is snarkjs' (groth16_verify.js):
 *   e(-A, B) * e(alpha_1, beta_2) * e(vk_x, gamma_2) * e(C, delta_2) = 1,  vk_x = IC[0] + sum_i s_i * IC[i + 1].
 * The caller has already checked the proof's encoding (affine, canonical coordinates below q, pi_b in the G2
 * subgroup), the key (vkey.ts) and that every public signal is a canonical field element below r. Points are
 * checked on the curve here again (g1Of/g2Of), and the identity is refused. Cross-checked against snarkjs in
 * test/core/zk/groth16.test.ts and test/commands/zk.test.ts (honest, tampered and forged proofs).
 */
import {bn254} from '@noble/curves/bn254.js'
import {g1Of, g2Of} from './vkey.js'
import type {Groth16Proof, VerificationKey} from './snark.js'

/** True when the proof verifies; throws (the caller reports it) for a malformed point. */
export function groth16Verify(vk: VerificationKey, signals: readonly bigint[], proof: Groth16Proof): boolean {
  const ic = vk.IC as unknown[]
  if (!Array.isArray(ic) || ic.length !== signals.length + 1) throw new Error(`IC: expected ${signals.length + 1} points`)
  const a = g1Of(proof.pi_a, 'pi_a')
  const b = g2Of(proof.pi_b, 'pi_b')
  const c = g1Of(proof.pi_c, 'pi_c')
  let vkx = g1Of(ic[0], 'IC[0]')
  signals.forEach((s, i) => {
    if (s !== 0n) vkx = vkx.add(g1Of(ic[i + 1], `IC[${i + 1}]`).multiplyUnsafe(s))
  })
  const pairs = [
    {g1: a.negate(), g2: b},
    {g1: g1Of(vk.vk_alpha_1, 'vk_alpha_1'), g2: g2Of(vk.vk_beta_2, 'vk_beta_2')},
    {g1: vkx, g2: g2Of(vk.vk_gamma_2, 'vk_gamma_2')},
    {g1: c, g2: g2Of(vk.vk_delta_2, 'vk_delta_2')},
  ].filter((p) => !p.g1.is0()) // e(O, Q) = 1; noble refuses the identity (vk_x can be it)
  const F = bn254.fields.Fp12
  return F.eql(bn254.pairingBatch(pairs), F.ONE)
}
