/** Reading and writing key files on disk (see keys.ts for the formats). */
import {assertAbsent, readFileText} from '../io.js'
import {TcpError} from '../errors.js'
import {fromBase64} from '../bytes.js'
import {recoverPair, replacePair} from './pair.js'
import {decodePublicKeyPem, encodePublicKeyPem, type KeyType} from './pem.js'
import {keyIdOf} from './keyid.js'
// keys.ts (scrypt, XChaCha20, X25519) is loaded only when a private key is read or written: verifying needs
// public keys alone, and start-up time of tcp verify matters.
import type {EncodeOptions, KeyPair, PassphraseSource, PrivateKeyInfo} from './keys.js'

export interface PublicKeyInfo {
  type: KeyType
  publicKey: Uint8Array
  keyId: string
  path?: string
}

const KEY_FILE_MAX = 64 * 1024

export async function readPublicKeyFile(path: string): Promise<PublicKeyInfo> {
  const text = await readFileText(path, {what: 'public key file', maxBytes: KEY_FILE_MAX})
  const {type, publicKey} = decodePublicKeyPem(text, `public key file ${path}`)
  return {type, publicKey, keyId: keyIdOf(publicKey), path}
}

/** A key file's pair, when its name is PATH.key: an interrupted replacement is completed before it is read. */
async function recoverIfPair(path: string): Promise<void> {
  if (path.endsWith('.key')) await recoverPair(keyPaths(path))
}

export async function readPrivateKeyFile(path: string, passphrase: PassphraseSource): Promise<PrivateKeyInfo> {
  await recoverIfPair(path)
  const text = await readFileText(path, {what: 'key file', maxBytes: KEY_FILE_MAX})
  const {decodePrivateKeyFile} = await import('./keys.js')
  return decodePrivateKeyFile(text, passphrase, `key file ${path}`)
}

export interface KeyFileSummary {
  path: string
  kind: 'private' | 'public'
  type: KeyType
  keyId: string
  encrypted: boolean | null
  created: string | null
  kdf: string | null
}

/** What `tcp keys show` prints, from a .key (without decrypting it) or a .pub file. */
export async function describeKeyFile(path: string): Promise<KeyFileSummary> {
  await recoverIfPair(path)
  const text = await readFileText(path, {what: 'key file', maxBytes: KEY_FILE_MAX})
  if (text.includes('-----BEGIN PUBLIC KEY-----')) {
    const {type, publicKey} = decodePublicKeyPem(text, `public key file ${path}`)
    return {path, kind: 'public', type, keyId: keyIdOf(publicKey), encrypted: null, created: null, kdf: null}
  }
  const {parsePrivateKeyFile} = await import('./keys.js')
  const f = parsePrivateKeyFile(text, `key file ${path}`)
  const kdf = f.encryption ? `scrypt N=${f.encryption.params.N} r=${f.encryption.params.r} p=${f.encryption.params.p}` : null
  return {path, kind: 'private', type: f.type, keyId: f.keyId, encrypted: f.encryption !== null, created: f.created, kdf}
}

/** Paths of a key pair: `--out alice` gives alice.key and alice.pub (a trailing .key or .pub is dropped). */
export function keyPaths(base: string): {key: string; pub: string} {
  const b = base.replace(/\.(key|pub)$/, '')
  const name = b.slice(b.lastIndexOf('/') + 1)
  if (name === '' || name === '.' || name === '..')
    throw new TcpError('usage', `--out: expected a path ending in a name such as keys/alice, got ${JSON.stringify(base)}`)
  return {key: `${b}.key`, pub: `${b}.pub`}
}

/**
 * Writes PATH.key (mode 0600) and PATH.pub as one pair: a crash at any instant leaves the old pair or the new one
 * (see pair.ts). Without force, an existing file of either name leaves both untouched.
 */
export async function writeKeyPair(base: string, kp: KeyPair, opts: EncodeOptions & {force?: boolean} = {}): Promise<{key: string; pub: string; keyId: string}> {
  const paths = keyPaths(base)
  if (!opts.force) await assertAbsent(paths.key, 'key file') // before the slow encryption; checked again under the lock
  const {encodePrivateKeyFile} = await import('./keys.js')
  await replacePair(paths, encodePrivateKeyFile(kp, opts), Boolean(opts.force))
  return {...paths, keyId: keyIdOf(kp.publicKey)}
}

/** The public key of a key file, as PEM (`tcp keys show --pub`): the private key file always holds it. */
export async function publicKeyPemOf(path: string): Promise<string> {
  await recoverIfPair(path)
  const text = await readFileText(path, {what: 'key file', maxBytes: KEY_FILE_MAX})
  if (text.includes('-----BEGIN PUBLIC KEY-----')) {
    const {type, publicKey} = decodePublicKeyPem(text, `public key file ${path}`)
    return encodePublicKeyPem(type, publicKey)
  }
  const {parsePrivateKeyFile} = await import('./keys.js')
  const f = parsePrivateKeyFile(text, `key file ${path}`)
  return encodePublicKeyPem(f.type, fromBase64(f.publicKey))
}
