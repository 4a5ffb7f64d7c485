/**
 * Key pairs and key files.
 *
 * PATH.pub: PEM SubjectPublicKeyInfo. PATH.key: a JSON document (format tcp-private-key/v1) holding the raw
 * 32-byte secret, encrypted by default with XChaCha20-Poly1305 under a key derived by scrypt (RFC 7914) from the
 * passphrase; the KDF parameters, salt and nonce are stored in the file. Every other field of the file (type, key
 * id, public key, created, KDF parameters) is bound as associated data, so changing any byte of the file makes
 * decryption fail. After decryption the public key is recomputed from the secret and must match.
 *
 * Key id: hex of the first 8 bytes of SHA3-256 of the raw public key.
 * What this does NOT protect: a weak passphrase (scrypt only slows guessing), or the secret once it is in memory.
 */
import {x25519} from '@noble/curves/ed25519.js'
import {equalBytes, fromBase64, toBase64, utf8, wipe} from '../bytes.js'
import {TcpError} from '../errors.js'
import {ed25519} from '../crypto/ed25519.js'
import {randomBytes} from '../crypto/random.js'
import {xchacha20poly1305} from '../crypto/aead.js'
import {SCRYPT_DEFAULT, checkScryptParams, scrypt, scryptAsync, type ScryptParams} from '../crypto/kdf.js'
import {canonicalize} from '../canonical/jcs.js'
import {parseJson} from '../json.js'
import {parseTime} from '../time.js'
import {KEY_TYPES, type KeyType} from './pem.js'
import {keyIdOf} from './keyid.js'

export {keyIdOf}

export const PRIVATE_KEY_FORMAT = 'tcp-private-key/v1'

export interface KeyPair {
  type: KeyType
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export interface PrivateKeyInfo extends KeyPair {
  keyId: string
  created: string
  encrypted: boolean
}

export function publicKeyOf(type: KeyType, secretKey: Uint8Array): Uint8Array {
  return type === 'ed25519' ? ed25519.getPublicKey(secretKey) : x25519.getPublicKey(secretKey)
}

export function generateKeyPair(type: KeyType = 'ed25519'): KeyPair {
  if (!KEY_TYPES.includes(type)) throw new TcpError('usage', `key type: expected ed25519 or x25519, got "${type}"`)
  const secretKey = randomBytes(32)
  return {type, secretKey, publicKey: publicKeyOf(type, secretKey)}
}

interface KeyFileV1 {
  format: typeof PRIVATE_KEY_FORMAT
  type: KeyType
  keyId: string
  publicKey: string
  created: string
  encryption: null | {kdf: 'scrypt'; params: ScryptParams; salt: string; cipher: 'xchacha20-poly1305'; nonce: string}
  /** base64: the raw secret when unencrypted, ciphertext || tag when encrypted. */
  secretKey: string
}

/** The associated data: every field of the file but the secret itself, in canonical (JCS) form. */
function associatedData(f: Omit<KeyFileV1, 'secretKey'>): Uint8Array {
  return utf8(canonicalize({format: f.format, type: f.type, keyId: f.keyId, publicKey: f.publicKey, created: f.created, encryption: f.encryption}))
}

export interface EncodeOptions {
  /** Encrypt under this passphrase; omit for an unencrypted file. */
  passphrase?: Uint8Array
  scrypt?: ScryptParams
  created?: string
}

export function encodePrivateKeyFile(kp: KeyPair, opts: EncodeOptions = {}): string {
  const created = opts.created ?? new Date().toISOString()
  const head: Omit<KeyFileV1, 'secretKey'> = {
    format: PRIVATE_KEY_FORMAT,
    type: kp.type,
    keyId: keyIdOf(kp.publicKey),
    publicKey: toBase64(kp.publicKey),
    created,
    encryption: null,
  }
  let secret: Uint8Array
  if (opts.passphrase) {
    if (opts.passphrase.length === 0) throw new TcpError('passphrase', 'passphrase: must not be empty')
    const params = checkScryptParams(opts.scrypt ?? SCRYPT_DEFAULT)
    const salt = randomBytes(16)
    const nonce = randomBytes(24)
    head.encryption = {kdf: 'scrypt', params, salt: toBase64(salt), cipher: 'xchacha20-poly1305', nonce: toBase64(nonce)}
    const kek = scrypt(opts.passphrase, salt, params)
    secret = xchacha20poly1305(kek, nonce, associatedData(head)).encrypt(kp.secretKey)
    wipe(kek)
  } else secret = kp.secretKey
  const file: KeyFileV1 = {...head, secretKey: toBase64(secret)}
  return JSON.stringify(file, null, 2) + '\n'
}

const FIELDS = ['format', 'type', 'keyId', 'publicKey', 'created', 'encryption', 'secretKey']

/** Parses and checks the structure of a key file without decrypting it. */
export function parsePrivateKeyFile(text: string, what = 'key file'): KeyFileV1 {
  if (text.trimStart().startsWith('-----BEGIN'))
    throw new TcpError('input', `${what}: a PEM file, not a tcp key file; to import an openssl PEM use tcp keys import`)
  const doc = parseJson(text, what)
  const o = doc as Record<string, unknown>
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TcpError('input', `${what}: expected a JSON object`)
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new TcpError('input', `${what}: unknown field "${k}"`)
  if (o.format !== PRIVATE_KEY_FORMAT) throw new TcpError('input', `${what}: format must be "${PRIVATE_KEY_FORMAT}", got ${JSON.stringify(o.format)}`)
  if (!KEY_TYPES.includes(o.type as KeyType)) throw new TcpError('unsupported', `${what}: unknown key type ${JSON.stringify(o.type)}`)
  for (const k of ['keyId', 'publicKey', 'created', 'secretKey'])
    if (typeof o[k] !== 'string') throw new TcpError('input', `${what}: "${k}" must be a string`)
  parseTime(o.created, `${what}: "created"`)
  const e = o.encryption as Record<string, unknown> | null
  if (e !== null) {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new TcpError('input', `${what}: "encryption" must be an object or null`)
    const allowed = ['kdf', 'params', 'salt', 'cipher', 'nonce']
    for (const k of Object.keys(e)) if (!allowed.includes(k)) throw new TcpError('input', `${what}: unknown encryption field "${k}"`)
    if (e.kdf !== 'scrypt') throw new TcpError('unsupported', `${what}: kdf ${JSON.stringify(e.kdf)} is not supported (scrypt)`)
    if (e.cipher !== 'xchacha20-poly1305') throw new TcpError('unsupported', `${what}: cipher ${JSON.stringify(e.cipher)} is not supported`)
    checkScryptParams(e.params)
    const p = e.params as Record<string, unknown>
    if (Object.keys(p).length !== 3) throw new TcpError('input', `${what}: kdf params must be exactly {N, r, p}`)
    if (typeof e.salt !== 'string' || typeof e.nonce !== 'string') throw new TcpError('input', `${what}: salt and nonce must be base64 strings`)
    if (fromBase64(e.salt, `${what}: salt`).length !== 16) throw new TcpError('input', `${what}: salt: expected 16 bytes`)
    if (fromBase64(e.nonce, `${what}: nonce`).length !== 24) throw new TcpError('input', `${what}: nonce: expected 24 bytes`)
  }
  const pub = fromBase64(o.publicKey as string, `${what}: publicKey`)
  if (pub.length !== 32) throw new TcpError('input', `${what}: publicKey: expected 32 bytes, got ${pub.length}`)
  if (o.keyId !== keyIdOf(pub)) throw new TcpError('input', `${what}: keyId ${String(o.keyId)} does not match the public key (${keyIdOf(pub)})`)
  return o as unknown as KeyFileV1
}

export type PassphraseSource = () => Promise<Uint8Array>

/** Decodes (and decrypts when needed) a key file. A wrong passphrase or a changed file is TcpError('passphrase'). */
export async function decodePrivateKeyFile(text: string, passphrase: PassphraseSource, what = 'key file'): Promise<PrivateKeyInfo> {
  const f = parsePrivateKeyFile(text, what)
  const publicKey = fromBase64(f.publicKey, `${what}: publicKey`)
  const sealed = fromBase64(f.secretKey, `${what}: secretKey`)
  let secretKey: Uint8Array
  if (f.encryption) {
    const pass = await passphrase()
    const kek = await scryptAsync(pass, fromBase64(f.encryption.salt), f.encryption.params)
    try {
      secretKey = xchacha20poly1305(kek, fromBase64(f.encryption.nonce), associatedData(f)).decrypt(sealed)
    } catch {
      throw new TcpError('passphrase', `${what}: wrong passphrase, or the key file was changed`)
    } finally {
      wipe(kek)
    }
  } else secretKey = sealed
  if (secretKey.length !== 32) throw new TcpError('input', `${what}: secret key: expected 32 bytes, got ${secretKey.length}`)
  if (!equalBytes(publicKeyOf(f.type, secretKey), publicKey))
    throw new TcpError('input', `${what}: the secret key does not match the public key in the file`)
  return {type: f.type, secretKey, publicKey, keyId: f.keyId, created: f.created, encrypted: f.encryption !== null}
}
