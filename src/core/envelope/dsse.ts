/**
 * DSSE envelopes (github.com/secure-systems-lab/dsse, protocol.md and envelope.md, v1.0.0):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,  LEN = ASCII decimal byte length
 *   envelope = {payloadType, payload: base64(body), signatures: [{keyid, sig: base64}]}
 * Signatures are Ed25519 (RFC 8032) over the PAE bytes. Parsing is strict: unknown fields, bad base64, empty
 * signature lists and duplicate key ids are errors.
 */
import {concatBytes, fromBase64, fromUtf8, toBase64, utf8} from '../bytes.js'
import {TcpError} from '../errors.js'
import {ed25519} from '../crypto/ed25519.js'
import {keyIdOf} from '../keys/keyid.js'

export interface DsseSignature {
  keyid: string
  sig: string
}

export interface Envelope {
  payloadType: string
  payload: string
  signatures: DsseSignature[]
}

export function pae(payloadType: string, body: Uint8Array): Uint8Array {
  const type = utf8(payloadType)
  return concatBytes(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${body.length} `), body)
}

const ENVELOPE_FIELDS = ['payloadType', 'payload', 'signatures']

/** Checks the envelope's structure; returns it with its decoded payload. Malformed input is TcpError('input'). */
export function parseEnvelope(doc: unknown, what = 'envelope'): {envelope: Envelope; body: Uint8Array} {
  const o = doc as Record<string, unknown>
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TcpError('input', `${what}: expected a JSON object`)
  for (const k of Object.keys(o)) if (!ENVELOPE_FIELDS.includes(k)) throw new TcpError('input', `${what}: unknown field "${k}"`)
  if (typeof o.payloadType !== 'string' || o.payloadType.length === 0)
    throw new TcpError('input', `${what}: payloadType must be a non-empty string`)
  if (typeof o.payload !== 'string') throw new TcpError('input', `${what}: payload must be a base64 string`)
  const body = fromBase64(o.payload, `${what}: payload`)
  if (!Array.isArray(o.signatures) || o.signatures.length === 0)
    throw new TcpError('input', `${what}: signatures must be a non-empty array`)
  const seen = new Set<string>()
  const signatures: DsseSignature[] = o.signatures.map((s: unknown, i: number) => {
    const so = s as Record<string, unknown>
    if (!so || typeof so !== 'object' || Array.isArray(so)) throw new TcpError('input', `${what}: signatures[${i}] must be an object`)
    for (const k of Object.keys(so)) if (k !== 'keyid' && k !== 'sig') throw new TcpError('input', `${what}: signatures[${i}]: unknown field "${k}"`)
    if (typeof so.sig !== 'string') throw new TcpError('input', `${what}: signatures[${i}].sig must be a base64 string`)
    fromBase64(so.sig, `${what}: signatures[${i}].sig`)
    const keyid = so.keyid === undefined ? '' : so.keyid
    if (typeof keyid !== 'string') throw new TcpError('input', `${what}: signatures[${i}].keyid must be a string`)
    if (keyid && seen.has(keyid)) throw new TcpError('input', `${what}: key id ${keyid} signed twice`)
    seen.add(keyid)
    return {keyid, sig: so.sig}
  })
  return {envelope: {payloadType: o.payloadType, payload: o.payload, signatures}, body}
}

export interface Signer {
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export function signatureFor(payloadType: string, body: Uint8Array, signer: Signer): DsseSignature {
  return {keyid: keyIdOf(signer.publicKey), sig: toBase64(ed25519.sign(pae(payloadType, body), signer.secretKey))}
}

export function createEnvelope(payloadType: string, body: Uint8Array, signer: Signer): Envelope {
  return {payloadType, payload: toBase64(body), signatures: [signatureFor(payloadType, body, signer)]}
}

/** Adds a signature by another key. Signing twice with the same key is an error, not a silent duplicate. */
export function addSignature(doc: unknown, signer: Signer): Envelope {
  const {envelope, body} = parseEnvelope(doc)
  const sig = signatureFor(envelope.payloadType, body, signer)
  if (envelope.signatures.some((s) => s.keyid === sig.keyid))
    throw new TcpError('exists', `envelope: already signed by key ${sig.keyid}`)
  return {...envelope, signatures: [...envelope.signatures, sig]}
}

export function payloadText(body: Uint8Array, what = 'payload'): string {
  return fromUtf8(body, what)
}

export function encodeEnvelope(env: Envelope): string {
  return JSON.stringify(env, null, 2) + '\n'
}
