/** Reading and writing key files on disk (see keys.ts for the formats). */
import {stat} from 'node:fs/promises'
import {readFileText, writeFileAtomic} from '../io.js'
import {TcpError} from '../errors.js'
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

export async function readPrivateKeyFile(path: string, passphrase: PassphraseSource): Promise<PrivateKeyInfo> {
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

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p)
    return true
  } catch {
    return false
  }
}

/** Paths of a key pair: `--out alice` gives alice.key and alice.pub (a trailing .key or .pub is dropped). */
export function keyPaths(base: string): {key: string; pub: string} {
  const b = base.replace(/\.(key|pub)$/, '')
  return {key: `${b}.key`, pub: `${b}.pub`}
}

/**
 * Writes PATH.key (mode 0600) and PATH.pub atomically. Checks both first: without force, an existing file of either
 * name leaves both untouched.
 */
export async function writeKeyPair(base: string, kp: KeyPair, opts: EncodeOptions & {force?: boolean} = {}): Promise<{key: string; pub: string; keyId: string}> {
  const paths = keyPaths(base)
  if (!opts.force)
    for (const p of [paths.key, paths.pub])
      if (await exists(p)) throw new TcpError('exists', `key file already exists: ${p} (use --force to overwrite)`)
  const {encodePrivateKeyFile} = await import('./keys.js')
  const keyText = encodePrivateKeyFile(kp, opts)
  await writeFileAtomic(paths.key, keyText, {force: opts.force, mode: 0o600, what: 'key file'})
  await writeFileAtomic(paths.pub, encodePublicKeyPem(kp.type, kp.publicKey), {force: opts.force, mode: 0o644, what: 'public key file'})
  return {...paths, keyId: keyIdOf(kp.publicKey)}
}
