/**
 * The library form of `tcp verify`: detect what a document is and run every check of its kind. The table below is
 * keyed by the closed `ArtifactKind` union (detect.ts), so a kind added there without a verifier here does not
 * compile. Each verifier is imported lazily: verifying an envelope never loads snarkjs or the TPM structures.
 *
 * Returns the report whether or not it passed (`report.ok`); `requireAllPassed(report)` turns a failure into a
 * TcpError('rejected'). Options a kind needs and does not get, or gets and does not use, are a TcpError('usage'):
 * a caller must not believe a check ran that did not.
 */
import {TcpError} from '../errors.js'
import {assertBytes} from '../bytes.js'
import {isWeakPublicKey} from '../crypto/ed25519.js'
import {keyIdOf} from '../keys/keyid.js'
import type {TrustStore} from '../envelope/trust.js'
import {detectArtifact, type ArtifactKind} from './detect.js'
import type {VerifyReport} from './report.js'

export interface VerifyArtifactOptions {
  /** Trusted Ed25519 keys (envelopes, and the signed baseline of a proof bundle). See trustFromPublicKeys. */
  trust?: TrustStore
  /** Distinct trusted signers required (default 1). */
  threshold?: number
  /** Verification time in ms since the epoch (default now). */
  now?: number
  /** Envelope of an in-toto statement: the original file, whose SHA3-256 must be a subject. */
  file?: {name: string; bytes: Uint8Array}
  /** Envelope of a baseline: the previous signed baseline (parsed JSON) the chain must link to. */
  previous?: unknown
  /** Proof bundle: the signed baseline (parsed DSSE envelope) the proof is about. */
  signedBaseline?: unknown
  /** Proof bundle: the k the verifier requires (default '3'). */
  k?: string
  /** Proof bundle: pinned verification-key SHA3-256 digests (hex); without them the local setup is the pin. */
  vkeySha3?: string[]
  /** Proof bundle: the cache folder of compiled circuits and setups (default TCP_CACHE_DIR or ~/.cache/tcp). */
  cacheDir?: string
  /** TPM quote: the trusted attestation key file bytes (PEM or TPM2B_PUBLIC). */
  ak?: Uint8Array
  /** TPM quote: the nonce this verifier issued. */
  nonce?: Uint8Array
  /** TPM quote: parsed `tcp.attest.policy/v1` golden values. */
  policy?: unknown
  /** TPM quote: the PCR selection the verifier asked for, e.g. `sha256:0,1,2`. */
  pcrs?: string
  /** Aggregate inclusion proof: the signed aggregate root (parsed DSSE envelope) it claims. */
  root?: unknown
  /** Log: tolerated clock skew in ms (default 2000). */
  maxSkewMs?: number
  /** Log: reject a head older than this many ms at `now`. */
  freshWithinMs?: number
}

type Verifier = {uses: Array<keyof VerifyArtifactOptions>; verify(doc: unknown, o: VerifyArtifactOptions): Promise<VerifyReport>}

const need = <T>(v: T | undefined, what: string, kind: string): T => {
  if (v === undefined) throw new TcpError('usage', `a ${kind} needs the option ${what}`)
  return v
}

const VERIFIERS: {[K in ArtifactKind]: Verifier} = {
  'dsse-envelope': {
    uses: ['trust', 'threshold', 'now', 'file', 'previous'],
    async verify(doc, o) {
      const {verifyEnvelopeReport} = await import('../envelope/verify.js')
      const {baseline: _b, ...report} = verifyEnvelopeReport(doc, {...o, trust: need(o.trust, 'trust', 'DSSE envelope')})
      return report
    },
  },
  'zk-proof-bundle': {
    uses: ['trust', 'threshold', 'now', 'signedBaseline', 'k', 'vkeySha3', 'cacheDir'],
    async verify(doc, o) {
      const {verifySignedProofBundle} = await import('../zk/verify.js')
      const {resolveCacheDir} = await import('../zk/artifacts.js')
      const {homedir} = await import('node:os')
      const {join} = await import('node:path')
      const signed = need(o.signedBaseline, 'signedBaseline', 'proof bundle')
      const trust = need(o.trust, 'trust', 'proof bundle')
      const cacheDir = o.cacheDir ?? resolveCacheDir(join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tcp'))
      return verifySignedProofBundle(doc, signed, {trust, threshold: o.threshold, now: o.now, k: o.k, vkeySha3: o.vkeySha3 ?? [], cacheDir})
    },
  },
  'tcp-log': {
    uses: ['trust', 'now', 'maxSkewMs', 'freshWithinMs'],
    async verify(doc, o) {
      const {verifyLogBytes} = await import('../log/verify.js')
      if (!(doc instanceof Uint8Array)) throw new TcpError('usage', 'a tcp.log/v1 log is given as its bytes (Uint8Array), not parsed JSON')
      const trust = need(o.trust, 'trust', 'tcp.log/v1 log')
      return verifyLogBytes(doc, 'log', {trust, now: o.now, maxSkewMs: o.maxSkewMs, freshWithinMs: o.freshWithinMs})
    },
  },
  'aggregate-root': {
    uses: ['trust', 'now'],
    async verify(doc, o) {
      const {verifyAggregateRoot} = await import('../aggregate/verify-root.js')
      return verifyAggregateRoot(doc, need(o.trust, 'trust', 'aggregate root'), o.now)
    },
  },
  'aggregate-inclusion': {
    uses: ['trust', 'now', 'root'],
    async verify(doc, o) {
      const {verifyInclusionProof} = await import('../aggregate/prove.js')
      return verifyInclusionProof(doc, need(o.root, 'root', 'inclusion proof'), need(o.trust, 'trust', 'inclusion proof'), o.now)
    },
  },
  'tpm-quote-bundle': {
    uses: ['ak', 'nonce', 'policy', 'pcrs'],
    async verify(doc, o) {
      const {verifyQuoteBundle} = await import('../attest/verify/quote.js')
      return verifyQuoteBundle(doc, {ak: need(o.ak, 'ak', 'TPM quote bundle'), nonce: need(o.nonce, 'nonce', 'TPM quote bundle'), policy: o.policy, pcrs: o.pcrs})
    },
  },
}

/**
 * Detects the kind of `doc` (a parsed JSON artifact, or the bytes of a JSON Lines `tcp.log/v1` log) and runs all of
 * that kind's checks.
 */
export async function verifyArtifact(doc: unknown, opts: VerifyArtifactOptions, what = 'artifact'): Promise<VerifyReport> {
  const kind: ArtifactKind = doc instanceof Uint8Array ? 'tcp-log' : detectArtifact(doc, what)
  const v = VERIFIERS[kind]
  const foreign = (Object.keys(opts) as Array<keyof VerifyArtifactOptions>).find((k) => opts[k] !== undefined && !v.uses.includes(k))
  if (foreign) throw new TcpError('usage', `the option ${foreign} does not apply to a ${kind}`)
  const report = await v.verify(doc, opts)
  // As in tcp verify, every report names where its trusted keys came from (a TPM quote: the pinned attestation key).
  report.trust ??= opts.trust?.source ?? 'the ak option'
  return report
}

/** A trust store of raw 32-byte Ed25519 public keys (no expiry, nothing revoked). Weak keys are refused. */
export function trustFromPublicKeys(publicKeys: Uint8Array[], source = 'library caller'): TrustStore {
  if (publicKeys.length === 0) throw new TcpError('usage', 'trust: at least one public key is needed')
  const keys = publicKeys.map((pk, i) => {
    assertBytes(`publicKeys[${i}]`, pk, 32)
    if (isWeakPublicKey(pk)) throw new TcpError('input', `publicKeys[${i}]: a small-order or non-canonical Ed25519 key cannot be trusted`)
    return {type: 'ed25519' as const, publicKey: pk, keyId: keyIdOf(pk)}
  })
  return {keys, revoked: new Set(), source}
}
