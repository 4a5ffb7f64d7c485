/**
 * Public keys as PEM SubjectPublicKeyInfo (RFC 8410: id-Ed25519 1.3.101.112, id-X25519 1.3.101.110), which
 * `openssl pkey -pubin` reads, and openssl-made PKCS#8 private keys (RFC 8410 section 7) for `tcp keys import`.
 */
import {createPrivateKey} from 'node:crypto'
import {concatBytes, equalBytes, fromBase64, toBase64} from '../bytes.js'
import {TcpError} from '../errors.js'
import {ED25519_SPKI_PREFIX, isWeakPublicKey} from '../crypto/ed25519.js'

export type KeyType = 'ed25519' | 'x25519'
export const KEY_TYPES: readonly KeyType[] = ['ed25519', 'x25519']

const SPKI_PREFIX: Record<KeyType, Uint8Array> = {
  ed25519: ED25519_SPKI_PREFIX,
  x25519: Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]),
}

function armor(label: string, der: Uint8Array): string {
  const b64 = toBase64(der)
  const lines = b64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** Extracts the DER of the single PEM block with this label; anything else in the text is an error. */
export function dearmor(text: string, label: string, what: string): Uint8Array {
  const re = new RegExp(`^-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)\\r?\\n?-----END ${label}-----\\s*$`)
  const m = re.exec(text.trim() + '\n')
  if (!m) throw new TcpError('input', `${what}: expected one PEM block "${label}"`)
  return fromBase64(m[1]!.replace(/\r?\n/g, ''), what)
}

export function encodePublicKeyPem(type: KeyType, publicKey: Uint8Array): string {
  return armor('PUBLIC KEY', concatBytes(SPKI_PREFIX[type], publicKey))
}

export function decodePublicKeyPem(text: string, what = 'public key'): {type: KeyType; publicKey: Uint8Array} {
  const der = dearmor(text, 'PUBLIC KEY', what)
  for (const type of KEY_TYPES) {
    const prefix = SPKI_PREFIX[type]
    if (der.length === prefix.length + 32 && equalBytes(der.subarray(0, prefix.length), prefix)) {
      const publicKey = der.slice(prefix.length)
      if (type === 'ed25519' && isWeakPublicKey(publicKey))
        throw new TcpError('input', `${what}: a small-order or non-canonical Ed25519 point; signatures under it can be forged`)
      return {type, publicKey}
    }
  }
  throw new TcpError('unsupported', `${what}: not an Ed25519 or X25519 SubjectPublicKeyInfo (${der.length} bytes of DER)`)
}

/** Reads an unencrypted PKCS#8 PEM (as `openssl genpkey -algorithm ed25519` writes) into raw key bytes. */
export function decodePkcs8Pem(text: string, what = 'private key'): {type: KeyType; secretKey: Uint8Array; publicKey: Uint8Array} {
  if (/ENCRYPTED PRIVATE KEY/.test(text))
    throw new TcpError('unsupported', `${what}: encrypted PKCS#8 is not supported; decrypt it first (openssl pkey -in K -out plain.pem)`)
  const der = dearmor(text, 'PRIVATE KEY', what)
  let jwk: {kty?: string; crv?: string; d?: string; x?: string}
  try {
    jwk = createPrivateKey({key: Buffer.from(der), format: 'der', type: 'pkcs8'}).export({format: 'jwk'}) as typeof jwk
  } catch (e) {
    throw new TcpError('input', `${what}: not a valid PKCS#8 private key (${(e as Error).message})`)
  }
  const type = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'ed25519' : jwk.kty === 'OKP' && jwk.crv === 'X25519' ? 'x25519' : null
  if (!type || !jwk.d || !jwk.x)
    throw new TcpError('unsupported', `${what}: key type ${jwk.crv ?? jwk.kty ?? 'unknown'} is not supported (Ed25519 or X25519)`)
  return {type, secretKey: fromBase64(jwk.d, what), publicKey: fromBase64(jwk.x, what)}
}
