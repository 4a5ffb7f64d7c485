/**
 * The statement of `tcp prove` in TypeScript: which public inputs a proof about a baseline window has, computed
 * only from the baseline, the feature, the window size n and k, exactly as circuits/lib/window.circom expects
 * them. The prover and the verifier both call `publicInputs`; the verifier never takes a bound from the bundle.
 *
 * Public signals, in snarkjs order (outputs first, then the public inputs as declared in the main component):
 *   0 commitment      Poseidon commitment to (x, salt), see lib/window.circom WindowCommitment
 *   1 baselineDigest  SHA3-256 of the baseline's JCS bytes as a big-endian integer, shifted right by 3 bits
 *                     (253 bits, always below the BN254 scalar field modulus; about 126 bits of collision resistance)
 *   2 featureIndex    index of the feature among the baseline's feature names sorted by UTF-16 code units
 *   3 n               number of real observations (not hidden: sumLower + sumUpper = 2 n mu reveals it anyway)
 *   4 sumLower        max(0, n mu - delta), from windowBounds (src/core/baseline/bounds.ts); values are >= 0, so a
 *                     negative lower bound and 0 accept exactly the same windows
 *   5 sumUpper        n mu + delta
 *   6 vmax            variance * varianceFactor; the circuit checks n * sum(x^2) - sum(x)^2 <= n^2 * vmax
 *   7 valueLimit      2^bits of the feature's fixed-point form: every observation is below it
 *   8 nonce           the verifier's challenge (nonceToField), 0 when the prover was given none: a proof made before
 *                     the verifier chose its nonce cannot carry it (issue 15, item 4)
 * The commitment also binds n, the feature index, the circuit size and the baseline digest (commitment.ts).
 * Ranges the circuit relies on (checked here, so a baseline outside them gets no statement at all):
 *   sumUpper < 2^63 (the sum differences are range-checked to 64 bits), n^2 * vmax < 2^127 (128-bit check),
 *   1 <= bits <= MAX_BITS.
 */
import {TcpError} from '../errors.js'
import {utf8} from '../bytes.js'
import {sha3_256} from '../crypto/hash.js'
import {windowBounds, toFixed, type Rational} from '../baseline/bounds.js'
import type {Baseline, FeatureStats} from '../baseline/types.js'

/** BN254 (alt_bn128) scalar field modulus: every public signal must be below it. */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

export const CIRCUIT_ID = 'tcp-window'
export const MAX_BITS = 32
/** Observations packed into one field element of the commitment (MAX_BITS * PACK <= 252). */
export const PACK = 7
export const SIZES = [8, 64, 256] as const
export type CircuitSize = (typeof SIZES)[number]

export const SIGNAL_NAMES = ['commitment', 'baselineDigest', 'featureIndex', 'n', 'sumLower', 'sumUpper', 'vmax', 'valueLimit', 'nonce'] as const

/** The verifier's default minimum window length: below it the mean and variance tests say little (n = 1: nothing). */
export const DEFAULT_MIN_N = 8
export type SignalName = (typeof SIGNAL_NAMES)[number]

export function parseSize(s: string | number): CircuitSize {
  const n = Number(s)
  if (!(SIZES as readonly number[]).includes(n)) throw new TcpError('usage', `size: expected one of ${SIZES.join(', ')}, got ${JSON.stringify(s)}`)
  return n as CircuitSize
}

/** The smallest circuit size that holds n observations. */
export function sizeFor(n: number): CircuitSize {
  const s = SIZES.find((x) => x >= n)
  if (s === undefined) throw new TcpError('input', `window: ${n} observations is more than the largest circuit (${SIZES[SIZES.length - 1]}); prove a shorter window`)
  return s
}

/** Documented reduction of a 32-byte digest to a field element: big-endian integer >> 3 (253 bits < BN254_R). */
export function digestToField(digest: Uint8Array): bigint {
  if (digest.length !== 32) throw new TcpError('input', `baseline digest: expected 32 bytes, got ${digest.length}`)
  let v = 0n
  for (const b of digest) v = (v << 8n) | BigInt(b)
  return v >> 3n
}

/** A verifier's nonce (any text of 1 to 256 characters) as a field element: SHA3-256 of a tagged form, >> 3. */
export function nonceToField(nonce: string | null | undefined): bigint {
  if (nonce === null || nonce === undefined) return 0n
  if (typeof nonce !== 'string' || nonce.length < 1 || nonce.length > 256) throw new TcpError('usage', `nonce: expected 1 to 256 characters, got ${typeof nonce === 'string' ? nonce.length : typeof nonce}`)
  return digestToField(sha3_256(utf8(`tcp.zk.nonce/v1\0${nonce}`)))
}

export function featureIndexOf(baseline: Baseline, feature: string): number {
  const names = Object.keys(baseline.features).sort()
  const i = names.indexOf(feature)
  if (i < 0) throw new TcpError('input', `feature "${feature}" is not in the baseline (it has: ${names.join(', ')})`)
  return i
}

export interface StatementParams {
  baseline: Baseline
  digest: Uint8Array
  feature: string
  n: number
  k: Rational
  varianceFactor: number
  /** The verifier's nonce, or null/undefined for none. */
  nonce?: string | null
}

export type PublicInputs = Record<Exclude<SignalName, 'commitment'>, bigint>

export function publicInputs(p: StatementParams): PublicInputs {
  const stats: FeatureStats | undefined = p.baseline.features[p.feature]
  const featureIndex = featureIndexOf(p.baseline, p.feature)
  if (!stats) throw new TcpError('input', `feature "${p.feature}" is not in the baseline`)
  const bits = stats.fixed.bits
  if (!Number.isSafeInteger(bits) || bits < 1 || bits > MAX_BITS)
    throw new TcpError('unsupported', `feature "${p.feature}": fixed.bits must be 1 to ${MAX_BITS} for the circuit, got ${bits}`)
  const b = windowBounds(stats, p.n, p.k, p.varianceFactor)
  if (b.sumUpper >= 2n ** 63n) throw new TcpError('unsupported', `feature "${p.feature}": sum upper bound ${b.sumUpper} does not fit the circuit's 63 bits`)
  if (BigInt(p.n) ** 2n * b.vmax >= 2n ** 127n) throw new TcpError('unsupported', `feature "${p.feature}": variance bound does not fit the circuit's 127 bits`)
  return {
    baselineDigest: digestToField(p.digest),
    featureIndex: BigInt(featureIndex),
    n: BigInt(p.n),
    sumLower: b.sumLower > 0n ? b.sumLower : 0n,
    sumUpper: b.sumUpper,
    vmax: b.vmax,
    valueLimit: 1n << BigInt(bits),
    nonce: nonceToField(p.nonce),
  }
}

/** Public signals (decimal strings, snarkjs order) for a given commitment. */
export function publicSignalsOf(commitment: bigint, inputs: PublicInputs): string[] {
  return SIGNAL_NAMES.map((name) => (name === 'commitment' ? commitment : inputs[name]).toString())
}

export interface WitnessInput {
  x: string[]
  active: string[]
  salt: string
  baselineDigest: string
  featureIndex: string
  n: string
  sumLower: string
  sumUpper: string
  vmax: string
  valueLimit: string
  nonce: string
}

/**
 * Fixed-point window padded to `size`: real values first, then zeros with active = 0. Throws TcpError('input') for
 * a value the feature's fixed-point form cannot represent (the same rule `tcp baseline check` counts as a failure).
 */
export function fixedWindow(values: readonly number[], stats: Pick<FeatureStats, 'fixed'>, size: number, feature: string): bigint[] {
  if (values.length < 1) throw new TcpError('input', `window: no observations of feature "${feature}"`)
  if (values.length > size) throw new TcpError('input', `window: ${values.length} observations do not fit circuit size ${size}`)
  const out: bigint[] = []
  values.forEach((v, i) => {
    const f = toFixed(v, stats.fixed)
    if (f === null) throw new TcpError('input', `window: observation ${i + 1} of "${feature}" (${v}) is outside the baseline's fixed-point range`)
    out.push(f)
  })
  while (out.length < size) out.push(0n)
  return out
}

export function witnessInput(window: readonly bigint[], n: number, salt: bigint, inputs: PublicInputs): WitnessInput {
  if (salt < 0n || salt >= BN254_R) throw new TcpError('internal', 'salt: outside the field')
  return {
    x: window.map(String),
    active: window.map((_, i) => (i < n ? '1' : '0')),
    salt: salt.toString(),
    baselineDigest: inputs.baselineDigest.toString(),
    featureIndex: inputs.featureIndex.toString(),
    n: inputs.n.toString(),
    sumLower: inputs.sumLower.toString(),
    sumUpper: inputs.sumUpper.toString(),
    vmax: inputs.vmax.toString(),
    valueLimit: inputs.valueLimit.toString(),
    nonce: inputs.nonce.toString(),
  }
}

/** A public signal as snarkjs writes it: a canonical decimal string of a field element (no sign, no leading 0). */
export function parseFieldElement(s: unknown): bigint | null {
  if (typeof s !== 'string' || !/^(0|[1-9]\d{0,77})$/.test(s)) return null
  const v = BigInt(s)
  return v < BN254_R ? v : null
}
