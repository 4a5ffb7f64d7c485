/**
 * Checks of a Groth16 verification key (snarkjs JSON, bn128) that do not depend on any pin: a key can be pinned by
 * its hash and still be one under which anyone forges proofs.
 *
 * Groth16 verifies e(A, B) = e(alpha, beta) * e(vk_x, gamma) * e(C, delta), vk_x = IC[0] + sum s_i IC[i]. When
 * delta_2 = gamma_2 the last two factors merge into e(vk_x + C, gamma): A = alpha_1, B = beta_2, C = -vk_x
 * satisfies it for any public signals, with no secret at all. snarkjs sets gamma_2 to the G2 generator and starts
 * delta at the generator too (zkey new), so a zkey that never had a phase-2 contribution has delta_2 = gamma_2 =
 * the generator. Refused here: delta_2 equal to gamma_2, -gamma_2, the G2 generator or its negation, any point off the curve or outside
 * the prime-order subgroup, an IC list whose length is not nPublic + 1.
 *
 * Not guaranteed: that nobody knows delta. A key whose delta came only from a public beacon, or from one party who
 * kept the secret, passes these checks; only the setup's contribution history (`tcp zk verify-setup`, with a
 * contribution of your own) speaks to that.
 */
import {bn254} from '@noble/curves/bn254.js'
import type {VerificationKey} from './snark.js'

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const dec = (v: unknown): bigint => {
  if (typeof v !== 'string' || !/^(0|[1-9]\d{0,77})$/.test(v)) throw new Error('coordinate is not a canonical decimal')
  return BigInt(v)
}

type G1 = InstanceType<typeof bn254.G1.Point>
type G2 = InstanceType<typeof bn254.G2.Point>

/** A point built by `make`, checked on the curve and in its subgroup; errors name the point. */
function checked<P extends {assertValidity(): void}>(what: string, make: () => P): P {
  try {
    const p = make()
    p.assertValidity()
    return p
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`)
  }
}

/** An affine snarkjs G1 point [x, y, "1"], checked on the curve (G1 has cofactor 1). */
export function g1Of(v: unknown, what: string): G1 {
  if (!Array.isArray(v) || v.length !== 3 || v[2] !== '1') throw new Error(`${what}: expected [x, y, "1"]`)
  return checked(what, () => bn254.G1.Point.fromAffine({x: dec(v[0]), y: dec(v[1])}))
}

/** An affine snarkjs G2 point [[x0, x1], [y0, y1], ["1", "0"]], checked on the curve and in the subgroup. */
export function g2Of(v: unknown, what: string): G2 {
  const pair = (r: unknown) => Array.isArray(r) && r.length === 2
  if (!Array.isArray(v) || v.length !== 3 || !pair(v[0]) || !pair(v[1]) || v[2]?.[0] !== '1' || v[2]?.[1] !== '0')
    throw new Error(`${what}: expected [[x0, x1], [y0, y1], ["1", "0"]]`)
  const F = bn254.fields.Fp2
  const xy = (r: unknown[]) => F.fromBigTuple([dec(r[0]), dec(r[1])])
  return checked(what, () => bn254.G2.Point.fromAffine({x: xy(v[0]), y: xy(v[1])}))
}

/**
 * Why this key must not be used, or null. `nPublic` is the number of public signals the caller expects.
 */
export function verificationKeyWeakness(vk: VerificationKey, nPublic: number): string | null {
  if (!isObj(vk)) return 'not an object'
  if (vk.protocol !== 'groth16' || vk.curve !== 'bn128') return `expected a groth16 key on bn128, got ${String(vk.protocol)} on ${String(vk.curve)}`
  if (vk.nPublic !== nPublic) return `expected ${nPublic} public signals, the key has ${String(vk.nPublic)}`
  let gamma: G2
  let delta: G2
  try {
    g1Of(vk.vk_alpha_1, 'vk_alpha_1')
    g2Of(vk.vk_beta_2, 'vk_beta_2')
    gamma = g2Of(vk.vk_gamma_2, 'vk_gamma_2')
    delta = g2Of(vk.vk_delta_2, 'vk_delta_2')
    const ic = vk.IC
    if (!Array.isArray(ic) || ic.length !== nPublic + 1) return `IC: expected ${nPublic + 1} points, got ${Array.isArray(ic) ? ic.length : typeof ic}`
    ic.forEach((p, i) => g1Of(p, `IC[${i}]`))
  } catch (e) {
    return `malformed: ${(e as Error).message}`
  }
  if (delta.equals(gamma)) return 'delta_2 equals gamma_2: the setup had no phase-2 contribution, and anyone can forge proofs under this key'
  // delta_2 = -gamma_2 merges them just the same: e(C, -gamma) = e(-C, gamma), so C = vk_x forges.
  if (delta.equals(gamma.negate())) return 'delta_2 is -gamma_2: anyone can forge proofs under this key (C = vk_x)'
  if (delta.equals(bn254.G2.Point.BASE.negate())) return 'delta_2 is the negated G2 generator: its secret is known (-1), and anyone can forge proofs under this key'
  if (delta.equals(bn254.G2.Point.BASE)) return 'delta_2 is the G2 generator: the setup had no phase-2 contribution, and anyone can forge proofs under this key'
  return null
}
