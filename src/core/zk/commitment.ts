/**
 * The window commitment of circuits/lib/window.circom (WindowCommitment), recomputed outside the circuit, and the
 * opening a prover keeps (`tcp prove --opening FILE`) to show an auditor the window behind a commitment.
 *
 *   commitment = PoseidonChain(pack(x)[0], ..., pack(x)[E-1], header, baselineDigest, salt)
 *     x        the N fixed-point values of the window (N = circuit size), the n real ones first, then zeros;
 *     pack(x)[e] = sum over l < 7 of x[7e + l] * 2^(32 l)   (E = ceil(N / 7) elements of 7 lanes of 32 bits);
 *     header   = N + 2^16 * n + 2^32 * featureIndex        (N, n < 2^16, featureIndex < 2^32);
 *     baselineDigest = SHA3-256 of the baseline's JCS bytes, big-endian, >> 3 (statement.ts digestToField);
 *     salt     a field element (tcp prove draws 248 random bits);
 *     PoseidonChain: circomlib Poseidon when there are at most 16 elements, else h = Poseidon(first 16), then
 *     h = Poseidon(h, next 15) until none are left (poseidon.ts).
 * So two windows that differ only in n, in the feature, in the circuit size or in the baseline have different
 * commitments (issue 15, item 3). A telemetry log's checkpoint can carry this value for a fixed window of entries:
 * whoever holds the entries, the salt and the baseline recomputes it with `windowCommitment` and compares it with a
 * proof's public commitment. Not hidden without the salt: the salt is the only secret (keep the opening private).
 */
import {TcpError} from '../errors.js'
import {fromHex, toHex} from '../bytes.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {poseidonChain} from './poseidon.js'
import {BN254_R, MAX_BITS, PACK, SIZES, digestToField, parseFieldElement, type CircuitSize} from './statement.js'

export const OPENING_TYPE = 'tcp.zk.opening/v1'

export interface CommitmentInput {
  size: CircuitSize
  /** The n real fixed-point values (n = values.length); padded with zeros to size here. */
  values: readonly bigint[]
  featureIndex: number
  /** The baseline digest as a field element (digestToField). */
  baselineDigest: bigint
  salt: bigint
}

export function commitmentHeader(size: number, n: number, featureIndex: number): bigint {
  return BigInt(size) + (BigInt(n) << 16n) + (BigInt(featureIndex) << 32n)
}

/** The commitment the circuit outputs for this window (see the header of this file). */
export function windowCommitment(c: CommitmentInput): bigint {
  const n = c.values.length
  if (!(SIZES as readonly number[]).includes(c.size)) throw new TcpError('input', `size: expected one of ${SIZES.join(', ')}, got ${c.size}`)
  if (n < 1 || n > c.size) throw new TcpError('input', `values: expected 1 to ${c.size}, got ${n}`)
  if (!Number.isSafeInteger(c.featureIndex) || c.featureIndex < 0 || c.featureIndex >= 2 ** 32) throw new TcpError('input', `featureIndex: expected an integer in [0, 2^32), got ${c.featureIndex}`)
  for (const [name, v] of [['baselineDigest', c.baselineDigest], ['salt', c.salt]] as const)
    if (v < 0n || v >= BN254_R) throw new TcpError('input', `${name}: not a field element`)
  c.values.forEach((v, i) => {
    if (v < 0n || v >= 1n << BigInt(MAX_BITS)) throw new TcpError('input', `values[${i}]: expected an integer in [0, 2^${MAX_BITS}), got ${v}`)
  })
  const x = [...c.values, ...Array<bigint>(c.size - n).fill(0n)]
  const elems: bigint[] = []
  for (let e = 0; e * PACK < c.size; e++) {
    let v = 0n
    for (let l = 0; l < PACK && e * PACK + l < c.size; l++) v += x[e * PACK + l]! << BigInt(MAX_BITS * l)
    elems.push(v)
  }
  return poseidonChain([...elems, commitmentHeader(c.size, n, c.featureIndex), c.baselineDigest, c.salt])
}

/** What `tcp prove --opening FILE` writes: everything needed to recompute the commitment. Keep it private. */
export interface Opening {
  type: typeof OPENING_TYPE
  commitment: string
  circuit: {size: CircuitSize}
  baseline: {digest: string}
  feature: string
  featureIndex: number
  n: number
  /** The n real fixed-point values, decimal. */
  values: string[]
  salt: string
}

export function makeOpening(c: CommitmentInput & {commitment: bigint; feature: string; digest: Uint8Array}): Opening {
  return {
    type: OPENING_TYPE,
    commitment: c.commitment.toString(),
    circuit: {size: c.size},
    baseline: {digest: toHex(c.digest)},
    feature: c.feature,
    featureIndex: c.featureIndex,
    n: c.values.length,
    values: c.values.map(String),
    salt: c.salt.toString(),
  }
}

/**
 * Checks an opening: its commitment recomputes from its values, and (when given) it is the commitment of a proof
 * bundle about the same baseline, feature, size and n. Says nothing about the proof itself: verify the bundle too.
 */
export function checkOpening(doc: unknown, bundle?: Record<string, unknown>): VerifyReport {
  const checks: Check[] = []
  const o = doc as Opening
  let recomputed: bigint | null = null
  try {
    if (typeof o !== 'object' || o === null || o.type !== OPENING_TYPE) throw new Error(`expected a ${OPENING_TYPE} document`)
    if (!Array.isArray(o.values) || o.values.length !== o.n) throw new Error(`values: expected n = ${String(o.n)} values`)
    const dec = (v: unknown, what: string) => {
      const f = parseFieldElement(v)
      if (f === null) throw new Error(`${what}: expected a canonical decimal field element`)
      return f
    }
    if (typeof o.baseline?.digest !== 'string' || !/^[0-9a-f]{64}$/.test(o.baseline.digest)) throw new Error('baseline.digest: expected 64 hex digits')
    recomputed = windowCommitment({
      size: o.circuit?.size,
      values: o.values.map((v, i) => dec(v, `values[${i}]`)),
      featureIndex: o.featureIndex,
      baselineDigest: digestToField(fromHex(o.baseline.digest)),
      salt: dec(o.salt, 'salt'),
    })
    const ok = recomputed.toString() === o.commitment
    checks.push({check: 'commitment', ok, detail: ok ? `the ${o.n} values, salt, n, feature, size and baseline give commitment ${o.commitment.slice(0, 16)}...` : `the opening gives ${recomputed.toString().slice(0, 16)}..., it claims ${String(o.commitment).slice(0, 16)}...`})
  } catch (e) {
    checks.push({check: 'opening', ok: false, detail: (e as Error).message})
  }
  if (bundle && recomputed !== null) {
    const same =
      bundle.commitment === recomputed.toString() &&
      (bundle.baseline as {digest?: unknown})?.digest === o.baseline.digest &&
      bundle.feature === o.feature &&
      bundle.featureIndex === o.featureIndex &&
      bundle.n === o.n &&
      (bundle.circuit as {size?: unknown})?.size === o.circuit.size
    checks.push({check: 'bundle', ok: same, detail: same ? 'the proof bundle commits to this window' : 'the proof bundle names another commitment, baseline, feature, n or size'})
  }
  return makeReport('zk-opening', checks, {feature: o?.feature, n: o?.n, values: Array.isArray(o?.values) ? o.values : undefined})
}
