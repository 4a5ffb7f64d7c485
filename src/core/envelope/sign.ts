/**
 * What `tcp sign` does with a file: a DSSE envelope gets one more signature; a tcp baseline is signed as its
 * canonical (JCS) bytes with payloadType application/vnd.tcp.baseline+json; any other file is wrapped in an in-toto
 * Statement v1 naming its SHA3-256. The result is verified with the signer's own key before it is returned.
 */
import {fromUtf8} from '../bytes.js'
import {parseJson} from '../json.js'
import {TcpError} from '../errors.js'
import {baselineBytes, parseBaseline} from '../baseline/baseline.js'
import {BASELINE_PAYLOAD_TYPE, BASELINE_SCHEMA} from '../baseline/types.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {addSignature, createEnvelope, type Envelope, type Signer} from './dsse.js'
import {INTOTO_PAYLOAD_TYPE, fileStatement} from './statement.js'
import {countTrustedSignatures} from './verify.js'
import {keyIdOf} from '../keys/keyid.js'
import type {TrustStore} from './trust.js'

export type SignedKind = 'baseline' | 'statement' | 'countersignature'

/** The file as JSON when it is JSON (strictly: duplicate member names are an error), else undefined. */
function tryJson(bytes: Uint8Array, name: string): unknown {
  let text: string
  try {
    text = fromUtf8(bytes)
    JSON.parse(text)
  } catch {
    return undefined
  }
  return parseJson(text, name)
}

export interface SignOptions {
  /** Required to add a signature to an existing envelope: every signature already on it must verify under it. */
  trust?: TrustStore
}

export function signFile(name: string, bytes: Uint8Array, signer: Signer & {type: string}, opts: SignOptions = {}): {envelope: Envelope; kind: SignedKind} {
  if (signer.type !== 'ed25519') throw new TcpError('unsupported', `signing key: a ${signer.type} key cannot sign (Ed25519 needed)`)
  const doc = tryJson(bytes, name) as Record<string, unknown> | undefined
  let envelope: Envelope
  let kind: SignedKind
  if (doc && typeof doc === 'object' && 'payloadType' in doc && 'signatures' in doc) {
    // Never co-sign what the earlier signers did not sign: check their signatures first.
    if (!opts.trust)
      throw new TcpError('usage', `${name}: adding a signature to an envelope needs --pub or --trust to check the signatures already on it`)
    const existing = countTrustedSignatures(doc, opts.trust, 1, Date.now())
    if (existing.invalid > 0 || existing.untrusted > 0 || existing.signers.length === 0)
      throw new TcpError('rejected', `${name}: refusing to add a signature: ${existing.checks[0]!.detail}`)
    envelope = addSignature(doc, signer)
    kind = 'countersignature'
  } else if (doc && typeof doc === 'object' && (doc as {schema?: unknown}).schema === BASELINE_SCHEMA) {
    envelope = createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes(parseBaseline(doc, name)), signer)
    kind = 'baseline'
  } else {
    envelope = createEnvelope(INTOTO_PAYLOAD_TYPE, canonicalBytes(fileStatement(name, bytes)), signer)
    kind = 'statement'
  }
  // Verify our own output before anyone writes it.
  const self = {keys: [{type: 'ed25519' as const, publicKey: signer.publicKey, keyId: keyIdOf(signer.publicKey)}], revoked: new Set<string>(), source: 'signer'}
  const check = countTrustedSignatures(envelope, self, 1, Date.now())
  if (!check.signers.includes(keyIdOf(signer.publicKey))) throw new TcpError('internal', 'the new signature does not verify; nothing was written')
  return {envelope, kind}
}

