// The forgery that a Groth16 verification key with delta_2 = gamma_2 allows (issue 15, item 2), kept as a test
// helper: A = alpha_1, B = beta_2, C = -vk_x makes e(A, B) = e(alpha, beta) * e(vk_x, gamma) * e(C, delta) hold for
// ANY public signals when gamma = delta, with no secret. Tests use it to show that snarkjs accepts such a proof and
// tcp refuses the key. Points are read and written in snarkjs' affine JSON form.
import {bn254} from '@noble/curves/bn254.js'
import {g1Of, g2Of} from '../../src/core/zk/vkey.js'

type G1 = InstanceType<typeof bn254.G1.Point>
type G2 = InstanceType<typeof bn254.G2.Point>

export const g1Json = (p: G1): string[] => {
  const a = p.toAffine()
  return [a.x.toString(), a.y.toString(), '1']
}
export const g2Json = (p: G2): string[][] => {
  const a = p.toAffine()
  return [[a.x.c0.toString(), a.x.c1.toString()], [a.y.c0.toString(), a.y.c1.toString()], ['1', '0']]
}

/** A proof of `signals` under a key whose delta_2 equals gamma_2. */
export function forgeProof(vk: any, signals: string[]): {pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string} {
  let vkx = g1Of(vk.IC[0], 'IC[0]')
  signals.forEach((s, i) => (vkx = vkx.add(g1Of(vk.IC[i + 1], `IC[${i + 1}]`).multiplyUnsafe(BigInt(s)))))
  return {pi_a: g1Json(g1Of(vk.vk_alpha_1, 'alpha')), pi_b: g2Json(g2Of(vk.vk_beta_2, 'beta')), pi_c: g1Json(vkx.negate()), protocol: 'groth16', curve: 'bn128'}
}

/** A well-formed verification key with chosen secrets (small scalars), nPublic signals. */
export function syntheticKey(nPublic: number, s: {alpha: bigint; beta: bigint; gamma: bigint; delta: bigint}): any {
  const G1 = bn254.G1.Point.BASE
  const G2 = bn254.G2.Point.BASE
  return {
    protocol: 'groth16',
    curve: 'bn128',
    nPublic,
    vk_alpha_1: g1Json(G1.multiply(s.alpha)),
    vk_beta_2: g2Json(G2.multiply(s.beta)),
    vk_gamma_2: g2Json(G2.multiply(s.gamma)),
    vk_delta_2: g2Json(G2.multiply(s.delta)),
    IC: Array.from({length: nPublic + 1}, (_, i) => g1Json(G1.multiply(BigInt(1000 + 17 * i)))),
  }
}
