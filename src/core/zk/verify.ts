/**
 * Verifying a proof bundle (tcp.zk.proof-bundle/v1) against a signed baseline the caller has already opened and
 * the verifier's own policy (k, variance factor, pinned verification keys). Every public input is recomputed from
 * the baseline (statement.ts); the bundle's own copies of bounds are never read. Fails closed: every check below
 * must run and pass, and the Groth16 check runs only on well-formed, in-field, expected public signals.
 *
 * Checks: baseline-signature (from the caller), bundle (shape), circuit (the bundle's circuit hash is the one this
 * tcp ships for the size), baseline-digest, feature, policy (k and variance factor), nonce (the verifier's, when it
 * gave one), min-n (n at least the verifier's minimum), field-range (every public signal a canonical decimal below
 * the BN254 modulus), public-signals (equal to the recomputed ones), verification-key (not a key anyone forges
 * under, see vkey.ts; its SHA3-256 equals the bundle's and a pinned one), groth16; with a log, log-binding (bind.ts).
 * What it does NOT establish: anything about observations outside the committed window (see prove.ts); without a
 * log, that the window was recorded at all (the prover may have chosen it).
 */
import {bn254} from '@noble/curves/bn254.js'
import {toHex} from '../bytes.js'
import {parseK, DEFAULT_K, DEFAULT_VARIANCE_FACTOR} from '../baseline/bounds.js'
import type {Baseline} from '../baseline/types.js'
import {ZK_BUNDLE_TYPE} from '../verify/detect.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {TcpError} from '../errors.js'
import {parseTime} from '../time.js'
import {baselineDigest} from '../baseline/baseline.js'
import {verifyEnvelopeReport, type EnvelopeVerifyOptions} from '../envelope/verify.js'
import {cachedVerificationKeySha3, verificationKeySha3} from './setup.js'
import type {Groth16Proof, VerificationKey} from './snark.js'
import {groth16Verify} from './groth16.js'
import {verificationKeyWeakness} from './vkey.js'
import {checkLogBinding} from './bind.js'
import {circuitHash} from './artifacts.js'
import type {SetupPin} from './ceremony.js'
import {CIRCUIT_ID, DEFAULT_MIN_N, SIGNAL_NAMES, nonceToField, SIZES, featureIndexOf, parseFieldElement, publicInputs, publicSignalsOf, type CircuitSize} from './statement.js'

export interface BundleVerifyOptions {
  baseline: Baseline
  digest: Uint8Array
  /** The result of verifying the baseline's signature (from the envelope verifier); must be one passing check. */
  baselineCheck: Check
  k?: string
  varianceFactor?: number
  /** The nonce this verifier gave the prover: the bundle must carry it (else any nonce, or none, is accepted). */
  nonce?: string
  /** The least n this verifier accepts (default DEFAULT_MIN_N). */
  minN?: number
  /** SHA3-256 hex of trusted verification keys for this circuit (--setup-pin, --vkey-sha3, --vkey, or the local setup). */
  pinnedVerificationKeys: (size: CircuitSize, circuitHash: string) => Promise<string[]>
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** BN254 base field modulus: proof coordinates are elements of F_q (q > r, so the scalar bound would be wrong). */
export const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

/** A base-field coordinate as snarkjs writes it: a canonical decimal below q. */
const isFq = (v: unknown): v is string => typeof v === 'string' && /^(0|[1-9]\d{0,76})$/.test(v) && BigInt(v) < BN254_Q

/**
 * Shape of a snarkjs Groth16 proof on bn128, in the one encoding snarkjs writes: affine points with z = 1
 * (pi_b's z is [1, 0]), every coordinate a canonical decimal below q. snarkjs alone would also take any other
 * projective z (another encoding of the same point) and z = 0 (the identity, whatever x and y say). pi_b must be in
 * the prime-order subgroup of G2 (EIP-197; snarkjs checks only that it is on the curve). G1 has cofactor 1, so
 * the on-curve check of pi_a and pi_c (groth16.ts) suffices there.
 */
function proofShape(p: unknown): string | null {
  if (!isObj(p)) return 'proof: expected an object'
  if (p.protocol !== 'groth16' || p.curve !== 'bn128') return `proof: expected groth16 on bn128, got ${String(p.protocol)} on ${String(p.curve)}`
  const a = p.pi_a
  const b = p.pi_b
  const c = p.pi_c
  const g1 = (v: unknown) => Array.isArray(v) && v.length === 3 && isFq(v[0]) && isFq(v[1]) && v[2] === '1'
  if (!g1(a)) return 'proof.pi_a: expected an affine point [x, y, "1"] of canonical decimals below q'
  if (!g1(c)) return 'proof.pi_c: expected an affine point [x, y, "1"] of canonical decimals below q'
  const pair = (r: unknown): r is [string, string] => Array.isArray(r) && r.length === 2 && r.every(isFq)
  const one = (r: unknown) => Array.isArray(r) && r.length === 2 && r[0] === '1' && r[1] === '0'
  if (!Array.isArray(b) || b.length !== 3 || !pair(b[0]) || !pair(b[1]) || !one(b[2]))
    return 'proof.pi_b: expected an affine point [[x0, x1], [y0, y1], ["1", "0"]] of canonical decimals below q'
  try {
    const F = bn254.fields.Fp2
    const xy = (r: [string, string]) => F.fromBigTuple([BigInt(r[0]), BigInt(r[1])])
    bn254.G2.Point.fromAffine({x: xy(b[0]), y: xy(b[1])}).assertValidity()
  } catch {
    return 'proof.pi_b: not a point of the prime-order subgroup of G2'
  }
  return null
}

function bundleShape(doc: Record<string, unknown>): string | null {
  if (doc.type !== ZK_BUNDLE_TYPE) return `type: expected ${ZK_BUNDLE_TYPE}`
  const c = doc.circuit
  if (!isObj(c) || c.id !== CIRCUIT_ID || !(SIZES as readonly unknown[]).includes(c.size) || typeof c.hash !== 'string') return `circuit: expected {id: "${CIRCUIT_ID}", size: ${SIZES.join('|')}, hash}`
  if (!isObj(doc.baseline) || typeof doc.baseline.digest !== 'string') return 'baseline.digest: expected a hex string'
  if (typeof doc.feature !== 'string') return 'feature: expected a string'
  if (typeof doc.k !== 'string') return 'k: expected a decimal string'
  if (!Number.isSafeInteger(doc.varianceFactor)) return 'varianceFactor: expected an integer'
  if (!Number.isSafeInteger(doc.n) || (doc.n as number) < 1 || (doc.n as number) > (c.size as number)) return `n: expected an integer from 1 to ${String(c.size)}`
  if (typeof doc.commitment !== 'string') return 'commitment: expected a decimal string'
  if (doc.nonce !== null && (typeof doc.nonce !== 'string' || doc.nonce.length < 1 || doc.nonce.length > 256)) return 'nonce: expected null or 1 to 256 characters'
  if (!Array.isArray(doc.publicSignals) || doc.publicSignals.length !== SIGNAL_NAMES.length)
    return `publicSignals: expected ${SIGNAL_NAMES.length} values, got ${Array.isArray(doc.publicSignals) ? doc.publicSignals.length : typeof doc.publicSignals}`
  if (!isObj(doc.verificationKey)) return 'verificationKey: expected an object'
  if (typeof doc.verificationKeySha3 !== 'string') return 'verificationKeySha3: expected a hex string'
  if (doc.created !== undefined) {
    try {
      parseTime(doc.created, 'created')
    } catch (e) {
      return (e as Error).message
    }
  }
  return boundsShape(doc.bounds) ?? proofShape(doc.proof)
}

const BOUND_NAMES = ['sumLower', 'sumUpper', 'vmax', 'valueLimit'] as const

/**
 * The bundle's informational copy of its bounds: optional, but when present every field is a canonical decimal
 * (the verifier then also requires it to equal the recomputed value: a bundle's description of itself must not lie).
 */
function boundsShape(b: unknown): string | null {
  if (b === undefined) return null
  if (!isObj(b)) return 'bounds: expected an object'
  for (const k of Object.keys(b)) if (!(BOUND_NAMES as readonly string[]).includes(k)) return `bounds: unknown field "${k}"`
  for (const k of BOUND_NAMES) if (typeof b[k] !== 'string' || !/^(0|[1-9]\d{0,77})$/.test(b[k] as string)) return `bounds.${k}: expected a canonical decimal string, got ${JSON.stringify(b[k])?.slice(0, 40)}`
  return null
}

const sameRational = (a: {num: bigint; den: bigint}, b: {num: bigint; den: bigint}) => a.num * b.den === b.num * a.den

export async function verifyProofBundle(doc: unknown, opts: BundleVerifyOptions): Promise<VerifyReport> {
  const checks: Check[] = [opts.baselineCheck]
  const done = (extra: Record<string, unknown> = {}) => makeReport('zk-proof-bundle', checks, extra)
  if (!isObj(doc)) {
    checks.push({check: 'bundle', ok: false, detail: 'expected a JSON object'})
    return done()
  }
  const shape = bundleShape(doc)
  checks.push({check: 'bundle', ok: shape === null, detail: shape ?? 'well-formed'})
  if (shape) return done()
  const size = (doc.circuit as {size: CircuitSize}).size
  const feature = doc.feature as string
  const n = doc.n as number
  const signals = doc.publicSignals as unknown[]

  const shipped = await circuitHash(size)
  const claimed = String((doc.circuit as {hash?: unknown}).hash)
  checks.push({check: 'circuit', ok: claimed === shipped, detail: claimed === shipped ? `${CIRCUIT_ID}-${size} ${shipped.slice(0, 16)}..., the circuit this tcp ships` : `bundle was made with circuit ${claimed.slice(0, 16)}..., this tcp ships ${shipped.slice(0, 16)}... for ${CIRCUIT_ID}-${size}`})

  const digestHex = toHex(opts.digest)
  const named = String((doc.baseline as {digest: string}).digest)
  const digestOk = named === digestHex
  checks.push({check: 'baseline-digest', ok: digestOk, detail: digestOk ? `bundle names baseline ${digestHex.slice(0, 16)}...` : `bundle names baseline ${named.slice(0, 16)}..., the given one is ${digestHex.slice(0, 16)}...`})

  let featureIndex = -1
  try {
    featureIndex = featureIndexOf(opts.baseline, feature)
  } catch {
    // reported below
  }
  const featureOk = featureIndex >= 0 && doc.featureIndex === featureIndex
  checks.push({check: 'feature', ok: featureOk, detail: featureIndex < 0 ? `feature "${feature}" is not in the baseline` : featureOk ? `"${feature}" is feature ${featureIndex}` : `featureIndex ${String(doc.featureIndex)} is not ${featureIndex} ("${feature}")`})

  const kWant = parseK(opts.k ?? DEFAULT_K)
  const vfWant = opts.varianceFactor ?? DEFAULT_VARIANCE_FACTOR
  let policyOk = doc.varianceFactor === vfWant
  try {
    policyOk &&= sameRational(parseK(doc.k as string), kWant)
  } catch {
    policyOk = false
  }
  checks.push({check: 'policy', ok: policyOk, detail: policyOk ? `k = ${opts.k ?? DEFAULT_K}, variance factor ${vfWant}` : `bundle was made for k = ${String(doc.k)}, variance factor ${String(doc.varianceFactor)}; this verifier requires k = ${opts.k ?? DEFAULT_K}, factor ${vfWant}`})

  const nonce = doc.nonce as string | null
  const nonceOk = opts.nonce === undefined || nonce === opts.nonce
  checks.push({check: 'nonce', ok: nonceOk, detail: opts.nonce === undefined ? `not required (the bundle carries ${nonce === null ? 'none' : `"${nonce}"`}): freshness is not checked, the proof may be replayed` : nonceOk ? `the proof carries this verifier's nonce "${opts.nonce}"` : `the bundle carries ${nonce === null ? 'no nonce' : `nonce "${nonce}"`}, this verifier requires "${opts.nonce}" (stale or replayed)`})
  const minN = opts.minN ?? DEFAULT_MIN_N
  checks.push({check: 'min-n', ok: n >= minN, detail: n >= minN ? `n = ${n} >= ${minN}` : `n = ${n} is below this verifier's minimum ${minN} (--min-n)`})

  const bad = signals.findIndex((s) => parseFieldElement(s) === null)
  checks.push({check: 'field-range', ok: bad < 0, detail: bad < 0 ? 'every public signal is a canonical field element' : `publicSignals[${bad}] (${SIGNAL_NAMES[bad]}) is not a canonical decimal below the BN254 modulus`})

  let signalsOk = false
  let signalsDetail = 'not compared: an earlier check failed'
  if (bad < 0 && featureIndex >= 0 && policyOk && nonceOk) {
    try {
      const inputs = publicInputs({baseline: opts.baseline, digest: opts.digest, feature, n, k: kWant, varianceFactor: vfWant, nonce: opts.nonce ?? nonce})
      const commitment = parseFieldElement(doc.commitment)
      if (commitment === null) signalsDetail = 'commitment is not a canonical field element'
      else {
        const want = publicSignalsOf(commitment, inputs)
        const diff = want.findIndex((w, i) => w !== signals[i])
        const bounds = doc.bounds as Record<string, string> | undefined
        const lie = bounds ? BOUND_NAMES.find((k) => bounds[k] !== inputs[k].toString()) : undefined
        signalsOk = diff < 0 && lie === undefined
        signalsDetail = signalsOk
          ? `recomputed from the baseline for n = ${n}: sum in [${inputs.sumLower}, ${inputs.sumUpper}], vmax ${inputs.vmax}`
          : diff >= 0
            ? `${SIGNAL_NAMES[diff]} is ${String(signals[diff])}, the baseline gives ${want[diff]}`
            : `bounds.${lie} says ${bounds![lie!]}, the baseline gives ${inputs[lie!]}`
      }
    } catch (e) {
      signalsDetail = `cannot recompute: ${(e as Error).message}`
    }
  }
  checks.push({check: 'public-signals', ok: signalsOk, detail: signalsDetail})

  const vk = doc.verificationKey as VerificationKey
  let vkOk = false
  let vkDetail: string
  let weak: string | null
  try {
    const h = verificationKeySha3(vk)
    const pinned = await opts.pinnedVerificationKeys(size, shipped)
    if (h !== doc.verificationKeySha3) vkDetail = `bundle's verificationKeySha3 is not the SHA3-256 of its key (${h.slice(0, 16)}...)`
    else if ((weak = verificationKeyWeakness(vk, SIGNAL_NAMES.length)) !== null) vkDetail = `key refused: ${weak}`
    else if (pinned.length === 0) vkDetail = `no pinned key for ${CIRCUIT_ID}-${size} (circuit ${shipped.slice(0, 16)}...): pass --setup-pin, --vkey-sha3 or --vkey, or run tcp zk setup --size ${size} here`
    else if (!pinned.includes(h)) vkDetail = `key ${h.slice(0, 16)}... is not a pinned one (${pinned.map((p) => p.slice(0, 16) + '...').join(', ')})`
    else {
      vkOk = true
      vkDetail = `pinned key ${h.slice(0, 16)}...`
    }
  } catch (e) {
    vkDetail = `unusable: ${(e as Error).message}`
  }
  checks.push({check: 'verification-key', ok: vkOk, detail: vkDetail})

  if (checks.every((c) => c.ok)) {
    let ok = false
    let why = 'proof does not verify'
    try {
      ok = groth16Verify(vk, (signals as string[]).map((x) => BigInt(x)), doc.proof as Groth16Proof)
    } catch (e) {
      why = `proof does not verify: ${String((e as Error).message ?? e).split('\n')[0]}`
    }
    checks.push({check: 'groth16', ok, detail: ok ? `Groth16 proof verifies (${CIRCUIT_ID}-${size})` : why})
  } else checks.push({check: 'groth16', ok: false, detail: 'not run: an earlier check failed'})
  return done({feature, n, size, commitment: doc.commitment, baselineDigest: digestHex})
}

export interface SignedBundleOptions extends EnvelopeVerifyOptions {
  k?: string
  varianceFactor?: number
  nonce?: string
  minN?: number
  cacheDir: string
  /** Pinned verification key hashes (hex), for any circuit; with setupPins empty too, the local setup is the pin. */
  vkeySha3?: string[]
  /** Setup pins (tcp zk verify-setup --out): each pins a key for one circuit size and hash. */
  setupPins?: SetupPin[]
  /** A tcp.log/v1 log the proof must be bound to (check log-binding, bind.ts); verified under the same trust. */
  log?: string
}

/**
 * The whole check of `tcp verify BUNDLE --baseline SIGNED`: the envelope's signatures under the trust store (a
 * failure there is the first failed check and nothing else runs), then verifyProofBundle. The report's `caveats`
 * say what the run did not establish: without `log` the window may be any chosen values, without `nonce` the proof
 * may be replayed.
 */
export async function verifySignedProofBundle(doc: unknown, signedBaseline: unknown, opts: SignedBundleOptions): Promise<VerifyReport> {
  const report = await signedBundleReport(doc, signedBaseline, opts)
  const caveats = opts.log === undefined ? ['that the window is a checkpointed window of a signed log (pass --log LOG)'] : []
  if (opts.nonce === undefined) caveats.push('freshness: the proof carries no nonce of this verifier and may be replayed (pass --nonce)')
  return {...report, caveats}
}

async function signedBundleReport(doc: unknown, signedBaseline: unknown, opts: SignedBundleOptions): Promise<VerifyReport> {
  const {baseline, ...env} = verifyEnvelopeReport(signedBaseline, opts)
  const failed = env.checks.find((c) => !c.ok)
  if (!env.ok || !baseline) {
    const detail = failed ? `${failed.check}: ${failed.detail ?? 'failed'}` : 'the envelope does not hold a baseline'
    return makeReport('zk-proof-bundle', [{check: 'baseline-signature', ok: false, detail}], {baselineReport: env})
  }
  if (opts.nonce !== undefined) nonceToField(opts.nonce) // a usage error (exit 2) for an empty or overlong --nonce
  const pinned = (opts.vkeySha3 ?? []).map((h) => h.toLowerCase())
  for (const h of pinned) if (!/^[0-9a-f]{64}$/.test(h)) throw new TcpError('usage', `--vkey-sha3: expected 64 hex digits, got "${h}"`)
  const digest = baselineDigest(baseline)
  const report = await verifyProofBundle(doc, {
    baseline,
    digest,
    baselineCheck: {check: 'baseline-signature', ok: true, detail: `baseline ${baseline.subject} v${baseline.version} signed by ${env.signerKeyIds.join(', ')}`},
    k: opts.k,
    varianceFactor: opts.varianceFactor,
    nonce: opts.nonce,
    minN: opts.minN,
    pinnedVerificationKeys: async (size, circuit) => {
      const pins = opts.setupPins ?? []
      if (pinned.length === 0 && pins.length === 0) return cachedVerificationKeySha3(opts.cacheDir, size)
      return [...pinned, ...pins.filter((p) => p.circuit.size === size && p.circuit.hash === circuit).map((p) => p.verificationKeySha3)]
    },
  })
  if (opts.log === undefined) return report
  // Fail closed: the binding is judged only on a bundle whose every other check passed.
  if (!report.ok) return makeReport('zk-proof-bundle', [...report.checks, {check: 'log-binding', ok: false, detail: 'not run: an earlier check failed'}], extraOf(report))
  const b = checkLogBinding(doc as Parameters<typeof checkLogBinding>[0], {baseline, digest, path: opts.log, log: {trust: opts.trust, now: opts.now}, baselineSigners: env.signerKeyIds, threshold: opts.threshold ?? 1})
  return makeReport('zk-proof-bundle', [...report.checks, b.check], {...extraOf(report), ...(b.window ? {log: {path: opts.log, agent: b.agent, head: b.head, window: b.window}} : {})})
}

const extraOf = ({kind: _k, ok: _o, checks: _c, ...extra}: VerifyReport) => extra
