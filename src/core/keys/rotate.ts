/**
 * Key rotation statements: "key OLD is replaced by key NEW from TIME", a DSSE envelope (payloadType
 * application/vnd.tcp.key-rotation+json, RFC 8785 canonical payload) signed by BOTH keys. The old key's signature
 * says its holder hands over; the new key's says the new holder has the secret (no one can name a key they do not
 * hold as a successor). Payload fields:
 *   type     "tcp.key-rotation/v1"
 *   old,new  {keyId, publicKey (base64, 32 bytes Ed25519)}
 *   time     ISO 8601 UTC, when the rotation takes effect
 *   reason   free text (e.g. "compromised", "scheduled"), at most 256 characters
 * `tcp verify ROTATION.json --pub OLD.pub --pub NEW.pub --threshold 2` checks both signatures like any envelope;
 * verifyRotation below also checks that the signers are exactly the two keys the payload names.
 *
 * Does NOT guarantee: that the old key was not already compromised (an attacker holding it can rotate to their own
 * key: pair a rotation after a compromise with revoking the old key id in trust.json and distributing the new .pub
 * out of band), nor that artifacts signed earlier are re-signed (that is the operator's step, see SECURITY.md).
 */
import {canonicalBytes} from '../canonical/jcs.js'
import {fromBase64, toBase64} from '../bytes.js'
import {ed25519} from '../crypto/ed25519.js'
import {createEnvelope, addSignature, parseEnvelope, pae, type Envelope, type Signer} from '../envelope/dsse.js'
import {TcpError} from '../errors.js'
import {parseTime} from '../time.js'
import {keyIdOf} from './keyid.js'

export const ROTATION_TYPE = 'tcp.key-rotation/v1'
export const ROTATION_PAYLOAD_TYPE = 'application/vnd.tcp.key-rotation+json'

export interface RotationKey {
  keyId: string
  publicKey: string
}

export interface Rotation {
  type: typeof ROTATION_TYPE
  old: RotationKey
  new: RotationKey
  time: string
  reason?: string
}

const keyOf = (publicKey: Uint8Array): RotationKey => ({keyId: keyIdOf(publicKey), publicKey: toBase64(publicKey)})

export function makeRotation(oldKey: Signer, newKey: Signer, time: Date, reason?: string): Envelope {
  if (keyIdOf(oldKey.publicKey) === keyIdOf(newKey.publicKey)) throw new TcpError('usage', `--new: the new key is the old key (${keyIdOf(oldKey.publicKey)})`)
  if (reason !== undefined && reason.length > 256) throw new TcpError('usage', `--reason: at most 256 characters, got ${reason.length}`)
  const r: Rotation = {type: ROTATION_TYPE, old: keyOf(oldKey.publicKey), new: keyOf(newKey.publicKey), time: time.toISOString(), ...(reason ? {reason} : {})}
  const body = canonicalBytes(r)
  return addSignature(createEnvelope(ROTATION_PAYLOAD_TYPE, body, oldKey), newKey)
}

function checkReason(r: unknown): void {
  if (r !== undefined && (typeof r !== 'string' || r.length > 256)) throw new TcpError('input', 'reason: expected text of at most 256 characters')
}

function parseKey(o: unknown, what: string): {keyId: string; publicKey: Uint8Array} {
  const k = o as Record<string, unknown>
  if (!k || typeof k !== 'object' || typeof k.keyId !== 'string' || typeof k.publicKey !== 'string') throw new TcpError('input', `${what}: expected {keyId, publicKey}`)
  const publicKey = fromBase64(k.publicKey, `${what}.publicKey`)
  if (publicKey.length !== 32) throw new TcpError('input', `${what}.publicKey: expected 32 bytes, got ${publicKey.length}`)
  if (keyIdOf(publicKey) !== k.keyId) throw new TcpError('input', `${what}.keyId: ${k.keyId} is not the id of its public key (${keyIdOf(publicKey)})`)
  return {keyId: k.keyId, publicKey}
}

/**
 * The payload checks `tcp verify` adds for a rotation envelope once its signatures are counted: a well-formed,
 * canonical rotation, and both the old and the new key it names among the trusted keys that signed it.
 */
export function rotationPayloadChecks(body: Uint8Array, signers: readonly string[]): Array<{check: string; ok: boolean; detail: string}> {
  let o: Record<string, unknown>
  let oldK: {keyId: string}, newK: {keyId: string}
  try {
    o = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(body))
    if (!o || o.type !== ROTATION_TYPE) throw new TcpError('input', `type expected ${ROTATION_TYPE}, got ${JSON.stringify(o?.type)}`)
    for (const k of Object.keys(o)) if (!['type', 'old', 'new', 'time', 'reason'].includes(k)) throw new TcpError('input', `unknown field "${k}"`)
    oldK = parseKey(o.old, 'old')
    newK = parseKey(o.new, 'new')
    parseTime(o.time, 'time')
    checkReason(o.reason)
  } catch (e) {
    return [{check: 'rotation', ok: false, detail: `not a rotation statement: ${(e as Error).message}`}]
  }
  const canonical = Buffer.from(canonicalBytes(o)).equals(Buffer.from(body))
  const both = signers.includes(oldK.keyId) && signers.includes(newK.keyId) && oldK.keyId !== newK.keyId
  return [
    {check: 'rotation', ok: canonical, detail: canonical ? `key ${oldK.keyId} replaced by ${newK.keyId} from ${String(o.time)}` : 'the payload is not canonical (RFC 8785) JSON'},
    {check: 'rotation-signers', ok: both, detail: both ? 'signed by both the old and the new key' : `needs valid trusted signatures by both ${oldK.keyId} and ${newK.keyId}; got ${signers.join(', ') || 'none'}`},
  ]
}

export interface RotationCheck {
  rotation: Rotation
  checks: Array<{check: string; ok: boolean; detail: string}>
  ok: boolean
}

/**
 * Checks a rotation envelope on its own terms: canonical payload of the right type, exactly two signatures, one
 * by the old and one by the new key it names, both valid. `trustedOld`, when given, must be the old key's id (the
 * key the verifier already trusts): without it the statement only proves that both key holders agreed.
 */
export function verifyRotation(doc: unknown, trustedOld?: string): RotationCheck {
  const {envelope, body} = parseEnvelope(doc, 'rotation')
  if (envelope.payloadType !== ROTATION_PAYLOAD_TYPE) throw new TcpError('input', `rotation: payloadType expected ${ROTATION_PAYLOAD_TYPE}, got ${envelope.payloadType}`)
  let o: Record<string, unknown>
  try {
    o = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(body))
  } catch {
    throw new TcpError('input', 'rotation: payload is not JSON')
  }
  if (!o || o.type !== ROTATION_TYPE) throw new TcpError('input', `rotation: type expected ${ROTATION_TYPE}, got ${JSON.stringify(o?.type)}`)
  for (const k of Object.keys(o)) if (!['type', 'old', 'new', 'time', 'reason'].includes(k)) throw new TcpError('input', `rotation: unknown field "${k}"`)
  const oldK = parseKey(o.old, 'rotation.old')
  const newK = parseKey(o.new, 'rotation.new')
  parseTime(o.time, 'rotation.time')
  checkReason(o.reason)
  const canonical = Buffer.from(canonicalBytes(o)).equals(Buffer.from(body))
  const msg = pae(envelope.payloadType, body)
  const sigBy = (k: {keyId: string; publicKey: Uint8Array}) =>
    envelope.signatures.some((s) => s.keyid === k.keyId && ed25519.verify(fromBase64(s.sig, 'signature'), msg, k.publicKey))
  const checks = [
    {check: 'canonical', ok: canonical, detail: canonical ? 'payload is its RFC 8785 form' : 'payload is not canonical JSON'},
    {check: 'distinct-keys', ok: oldK.keyId !== newK.keyId, detail: `old ${oldK.keyId}, new ${newK.keyId}`},
    {check: 'signatures', ok: envelope.signatures.length === 2, detail: `${envelope.signatures.length} signature(s), expected exactly 2`},
    {check: 'old-signature', ok: sigBy(oldK), detail: `signed by the old key ${oldK.keyId}`},
    {check: 'new-signature', ok: sigBy(newK), detail: `signed by the new key ${newK.keyId}`},
  ]
  if (trustedOld !== undefined) checks.push({check: 'trusted-old', ok: trustedOld === oldK.keyId, detail: `old key ${oldK.keyId}, trusted ${trustedOld}`})
  return {rotation: o as unknown as Rotation, checks, ok: checks.every((c) => c.ok)}
}
