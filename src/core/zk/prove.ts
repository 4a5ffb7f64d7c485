/**
 * Proving that a window of one feature stays within a baseline. The window is judged first with the exact rule
 * of `tcp baseline check` (judgeWindow in src/core/baseline/bounds.ts): a window outside the bounds gets no proof,
 * only the bound it breaks. Otherwise the witness is built from the same bounds (statement.ts) and Groth16 proves
 * it with the cached setup. The bundle carries what a verifier needs besides the signed baseline and its policy.
 *
 * What the proof does NOT show: that the window is the agent's real telemetry (the prover chooses it; the
 * commitment only binds the prover to it) unless it was made from a log window (opts.salt from bind.ts) and the
 * verifier checks the binding with the log; anything about features other than the one named.
 */
import {toHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {randomBytes} from '../crypto/random.js'
import {judgeWindow, parseK, DEFAULT_K, DEFAULT_VARIANCE_FACTOR, type WindowVerdict} from '../baseline/bounds.js'
import type {Baseline} from '../baseline/types.js'
import type {ObservationSet} from '../baseline/observations.js'
import {ZK_BUNDLE_TYPE} from '../verify/detect.js'
import {loadSetup} from './setup.js'
import {makeOpening, windowCommitment, type Opening} from './commitment.js'
import {withCurve, type Groth16Proof, type VerificationKey} from './snark.js'
import {
  BN254_R,
  CIRCUIT_ID,
  fixedWindow,
  parseFieldElement,
  publicInputs,
  publicSignalsOf,
  sizeFor,
  witnessInput,
  type CircuitSize,
} from './statement.js'

export interface ProofBundle {
  type: typeof ZK_BUNDLE_TYPE
  circuit: {id: string; size: number; hash: string}
  baseline: {digest: string; subject: string; version: number}
  feature: string
  featureIndex: number
  k: string
  varianceFactor: number
  n: number
  commitment: string
  /** Informational copies of the public bounds; a verifier recomputes them and never reads these. */
  bounds: {sumLower: string; sumUpper: string; vmax: string; valueLimit: string}
  proof: Groth16Proof
  publicSignals: string[]
  verificationKey: VerificationKey
  verificationKeySha3: string
  /** The verifier's nonce the proof carries (public signal 8), or null. */
  nonce: string | null
  /** Informational: when the bundle was written (not bound by the proof; the nonce is). */
  created: string
}

export interface ProveOptions {
  cacheDir: string
  baseline: Baseline
  digest: Uint8Array
  feature: string
  values: readonly number[]
  k?: string
  varianceFactor?: number
  size?: CircuitSize
  /** The verifier's challenge, bound into the proof as a public input. */
  nonce?: string
  /** The commitment's salt; default random. `tcp prove --window LOG` derives it from the window (bind.ts). */
  salt?: bigint
}

export type ProveOutcome =
  | {proved: true; bundle: ProofBundle; opening: Opening; verdict: WindowVerdict; proveSeconds: number}
  | {proved: false; verdict: WindowVerdict; breaks: string}

/** The first bound a window breaks, in words, or null when it passes. */
export function brokenBound(v: WindowVerdict, feature: string): string | null {
  const b = v.bounds
  if (v.unrepresentable > 0) return `${feature}: ${v.unrepresentable} observation(s) outside the baseline's fixed-point range`
  if (!v.meanOk)
    return `${feature}: mean bound broken: sum ${v.sum} ${v.sum < b.sumLower ? `< lower ${b.sumLower}` : `> upper ${b.sumUpper}`} (z = ${v.z.toFixed(2)}, k = ${kText(b.k)}, n = ${v.n})`
  if (!v.varianceOk)
    return `${feature}: variance bound broken: n*sum(x^2) - sum(x)^2 = ${BigInt(v.n) * v.sumSquares - v.sum * v.sum} > n^2*vmax = ${BigInt(v.n) ** 2n * b.vmax} (variance ratio ${v.varianceRatio.toFixed(2)}, factor ${b.varianceFactor})`
  return null
}

const kText = (k: {num: bigint; den: bigint}) => (Number(k.num) / Number(k.den)).toString()

function randomSalt(): bigint {
  // 31 bytes: below 2^248 < BN254_R, so the salt is uniform on its range and never reduced.
  let v = 0n
  for (const b of randomBytes(31)) v = (v << 8n) | BigInt(b)
  if (v >= BN254_R) throw new TcpError('internal', 'salt out of range')
  return v
}

export async function proveWindow(opts: ProveOptions): Promise<ProveOutcome> {
  const kStr = opts.k ?? DEFAULT_K
  const k = parseK(kStr)
  const varianceFactor = opts.varianceFactor ?? DEFAULT_VARIANCE_FACTOR
  const stats = opts.baseline.features[opts.feature]
  if (!stats) throw new TcpError('input', `feature "${opts.feature}" is not in the baseline (it has: ${Object.keys(opts.baseline.features).sort().join(', ')})`)
  const n = opts.values.length
  const size = opts.size ?? sizeFor(n)
  if (n > size) throw new TcpError('input', `window: ${n} observations do not fit circuit size ${size}`)
  const verdict = judgeWindow(opts.values, stats, k, varianceFactor)
  const breaks = brokenBound(verdict, opts.feature)
  if (breaks) return {proved: false, verdict, breaks}

  const inputs = publicInputs({baseline: opts.baseline, digest: opts.digest, feature: opts.feature, n, k, varianceFactor, nonce: opts.nonce})
  const window = fixedWindow(opts.values, stats, size, opts.feature)
  const setup = await loadSetup(opts.cacheDir, size)
  const salt = opts.salt ?? randomSalt()
  const input = witnessInput(window, n, salt, inputs)
  const t0 = performance.now()
  const {proof, publicSignals} = await withCurve((s) => s.groth16.fullProve(input, setup.compiled.wasm, setup.zkey)).catch((e) => {
    throw new TcpError('internal', `proving failed: ${String((e as Error).message ?? e).split('\n')[0]}`)
  })
  const proveSeconds = (performance.now() - t0) / 1000
  const commitment = parseFieldElement(publicSignals[0])
  if (commitment === null) throw new TcpError('internal', 'prover returned a malformed commitment')
  const commitmentInput = {size, values: window.slice(0, n), featureIndex: Number(inputs.featureIndex), baselineDigest: inputs.baselineDigest, salt}
  if (windowCommitment(commitmentInput) !== commitment) throw new TcpError('internal', 'the circuit and commitment.ts disagree on the commitment')
  const expected = publicSignalsOf(commitment, inputs)
  if (publicSignals.length !== expected.length || publicSignals.some((s, i) => s !== expected[i]))
    throw new TcpError('internal', 'prover returned public signals that differ from the statement')
  const bundle: ProofBundle = {
    type: ZK_BUNDLE_TYPE,
    circuit: {id: CIRCUIT_ID, size, hash: setup.compiled.circuitHash},
    baseline: {digest: toHex(opts.digest), subject: opts.baseline.subject, version: opts.baseline.version},
    feature: opts.feature,
    featureIndex: Number(inputs.featureIndex),
    k: kStr,
    varianceFactor,
    n,
    commitment: commitment.toString(),
    bounds: {sumLower: inputs.sumLower.toString(), sumUpper: inputs.sumUpper.toString(), vmax: inputs.vmax.toString(), valueLimit: inputs.valueLimit.toString()},
    proof,
    publicSignals,
    verificationKey: setup.verificationKey,
    verificationKeySha3: setup.record.verificationKeySha3,
    nonce: opts.nonce ?? null,
    created: new Date().toISOString(),
  }
  const opening = makeOpening({...commitmentInput, commitment, feature: opts.feature, digest: opts.digest})
  return {proved: true, bundle, opening, verdict, proveSeconds}
}

/** What `tcp prove --json` prints: plain JSON (no bigint). */
export interface ProveSummary {
  proved: boolean
  feature: string
  n: number
  k: string
  sum: string
  sumLower: string
  sumUpper: string
  z: number
  varianceRatio: number
  breaks?: string
  size?: number
  commitment?: string
  nonce?: string | null
  proveSeconds?: number
}

/** proveWindow on the named feature of parsed observations (src/core/baseline/observations.ts). */
export async function proveWindowValues(
  opts: Omit<ProveOptions, 'values'> & {observations: ObservationSet},
): Promise<ProveOutcome & {summary: ProveSummary}> {
  if (!opts.observations.features.includes(opts.feature))
    throw new TcpError('input', `window: no feature "${opts.feature}" in the observations (they have: ${opts.observations.features.join(', ') || 'none'})`)
  const values = opts.observations.rows.map((r) => r.values[opts.feature]!)
  const r = await proveWindow({...opts, values})
  const v = r.verdict
  const summary: ProveSummary = {
    proved: r.proved,
    feature: opts.feature,
    n: v.n,
    k: opts.k ?? DEFAULT_K,
    sum: v.sum.toString(),
    sumLower: v.bounds.sumLower.toString(),
    sumUpper: v.bounds.sumUpper.toString(),
    z: Number(v.z.toFixed(4)),
    varianceRatio: Number(v.varianceRatio.toFixed(4)),
  }
  if (!r.proved) summary.breaks = r.breaks
  else Object.assign(summary, {size: r.bundle.circuit.size, commitment: r.bundle.commitment, nonce: r.bundle.nonce, proveSeconds: Number(r.proveSeconds.toFixed(3))})
  return {...r, summary}
}
