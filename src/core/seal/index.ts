/**
 * Sealing: authenticated encryption of a file to X25519 recipients or to a passphrase, streamed in constant memory.
 * Format in format.ts, payload construction in stream.ts. Key schedule (labels in format.ts LABEL):
 *
 *   fileKey      32 random bytes, fresh per file
 *   X25519       one ephemeral secret e per file, E = X25519(e, 9); for each recipient public key R:
 *                wrapKey = HKDF-SHA256(ikm = X25519(e, R), salt = E || R, info = LABEL.x25519)   (RFC 7748, RFC 5869)
 *   passphrase   wrapKey = scrypt(passphrase, salt = LABEL.scrypt || salt16, N, r, p)            (RFC 7914)
 *   wrapped      ChaCha20-Poly1305(wrapKey, nonce 0^12).encrypt(fileKey)                         (RFC 8439)
 *   header MAC   HMAC-SHA256(HKDF(fileKey, salt = empty, info = LABEL.header), header bytes)     (RFC 2104)
 *   payloadKey   HKDF(fileKey, salt = payload nonce, info = LABEL.payload); then STREAM
 *
 * The same shape as age's X25519 and scrypt recipients (C2SP age.md), with one ephemeral key shared by all
 * recipients of a file (each wrap key still differs: the salt names the recipient).
 *
 * Unsealing checks, in order: the header parses (else exit 2), one stanza opens with the identity or passphrase,
 * the header MAC verifies, every chunk authenticates and the final chunk is last (else TcpError 'rejected', exit 1).
 * File output is published only after the final chunk authenticated.
 *
 * Does NOT guarantee: who sealed a file (there is no sender authentication: anyone can seal to a public key, and
 * any recipient of a multi-recipient file holds the file key, so it can forge a different file for the other
 * recipients); hiding the plaintext length (visible to the chunk); hiding the number of recipients.
 */
import {createHmac} from 'node:crypto'
import {assertBytes, concatBytes, equalBytes, utf8, wipe} from '../bytes.js'
import {TcpError} from '../errors.js'
import {chacha20poly1305, hkdfSha256, randomBytes, scryptAsync, SCRYPT_DEFAULT, x25519, type ScryptParams} from '../crypto/index.js'
import {keyIdOf} from '../keys/keys.js'
import {
  checkChunkSize,
  checkSealScrypt,
  DEFAULT_CHUNK,
  encodeHeader,
  FILE_KEY_LENGTH,
  LABEL,
  MAX_RECIPIENTS,
  NONCE_LENGTH,
  readHeader,
  SALT_LENGTH,
  type Stanzas,
} from './format.js'
import {decryptPayload, encryptPayload, memorySink, memorySource, type AeadFactory, type ByteSink, type ByteSource} from './stream.js'
import {createOutput, openInput} from './files.js'

export {DEFAULT_CHUNK, MAX_CHUNK, MIN_CHUNK} from './format.js'

/** Seal to X25519 public keys (32 bytes each), or to a passphrase (UTF-8 bytes). */
export type SealTo = {recipients: Uint8Array[]} | {passphrase: Uint8Array}
/** Open with an X25519 secret key (32 bytes), or a passphrase. */
export type UnsealWith = {identity: Uint8Array} | {passphrase: Uint8Array}

export interface SealOptions {
  /** Plaintext bytes per chunk (default 64 KiB). Small values make small test files with many chunks. */
  chunkSize?: number
  /** scrypt cost for passphrase mode (default SCRYPT_DEFAULT). Tests pass cheap parameters here. */
  scrypt?: ScryptParams
  /** Replace an existing output file. */
  force?: boolean
  /** AEAD of the payload chunks (default node:crypto; tests pass crypto/aead.ts or chacha20poly1305Noble). */
  aead?: AeadFactory
  /** Source of the file key, ephemeral key, salt and nonce. Tests only: a seeded source makes output reproducible. */
  random?: (n: number) => Uint8Array
}

export interface UnsealOptions {
  force?: boolean
  aead?: AeadFactory
}

export interface SealResult {
  mode: 'x25519' | 'passphrase'
  recipients: number
  chunkSize: number
  chunks: number
  plaintextBytes: number
  sealedBytes: number
}

export interface UnsealResult extends SealResult {
  /** The index of the recipient stanza that opened (X25519 mode). */
  stanza?: number
}

const ZERO_NONCE = new Uint8Array(12)

function sharedSecret(secret: Uint8Array, pub: Uint8Array): Uint8Array | undefined {
  try {
    return x25519.getSharedSecret(secret, pub) // throws on an all-zero result (low-order point, RFC 7748 section 6.1)
  } catch {
    return undefined
  }
}

function x25519WrapKey(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return hkdfSha256(shared, concatBytes(ephemeral, recipient), utf8(LABEL.x25519), 32)
}

function scryptWrapKey(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(passphrase, concatBytes(utf8(LABEL.scrypt), salt), params, 32)
}

function headerMac(fileKey: Uint8Array, authenticated: Uint8Array): Uint8Array {
  const k = hkdfSha256(fileKey, new Uint8Array(0), utf8(LABEL.header), 32)
  const mac = new Uint8Array(createHmac('sha256', k).update(authenticated).digest())
  wipe(k)
  return mac
}

const payloadKey = (fileKey: Uint8Array, nonce: Uint8Array): Uint8Array =>
  hkdfSha256(fileKey, nonce, utf8(LABEL.payload), 32)

function checkPassphrase(p: unknown): Uint8Array {
  assertBytes('passphrase', p)
  if (p.length === 0) throw new TcpError('passphrase', 'passphrase: empty')
  return p
}

async function wrapStanzas(to: SealTo, fileKey: Uint8Array, opts: SealOptions): Promise<Stanzas> {
  const rnd = opts.random ?? randomBytes
  if ('passphrase' in to) {
    const params = checkSealScrypt(opts.scrypt ?? SCRYPT_DEFAULT)
    const salt = rnd(SALT_LENGTH)
    const wrapKey = await scryptWrapKey(checkPassphrase(to.passphrase), salt, params)
    const wrapped = chacha20poly1305(wrapKey, ZERO_NONCE).encrypt(fileKey)
    wipe(wrapKey)
    return {mode: 'passphrase', salt, scrypt: params, wrapped}
  }
  const rs = to.recipients
  if (!Array.isArray(rs) || rs.length === 0) throw new TcpError('usage', 'recipients: expected at least one X25519 public key')
  if (rs.length > MAX_RECIPIENTS) throw new TcpError('usage', `recipients: at most ${MAX_RECIPIENTS}, got ${rs.length}`)
  const seen = new Set<string>()
  rs.forEach((r, i) => {
    assertBytes(`recipient ${i + 1}`, r, 32)
    const id = keyIdOf(r)
    if (seen.has(id)) throw new TcpError('usage', `recipient ${i + 1}: key ${id} is listed twice`)
    seen.add(id)
  })
  const e = rnd(32)
  const ephemeral = x25519.getPublicKey(e)
  const wrapped = rs.map((r, i) => {
    const shared = sharedSecret(e, r)
    if (!shared) throw new TcpError('input', `recipient ${i + 1} (key ${keyIdOf(r)}): not a usable X25519 public key (low-order point)`)
    const wrapKey = x25519WrapKey(shared, ephemeral, r)
    const w = chacha20poly1305(wrapKey, ZERO_NONCE).encrypt(fileKey)
    wipe(shared, wrapKey)
    return w
  })
  wipe(e)
  return {mode: 'x25519', ephemeral, wrapped}
}

/** Tries the identity or passphrase on the stanzas; returns the file key and the stanza index, or rejects. */
async function unwrapFileKey(st: Stanzas, withKey: UnsealWith): Promise<{fileKey: Uint8Array; stanza: number}> {
  const open = (wrapKey: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined => {
    try {
      return chacha20poly1305(wrapKey, ZERO_NONCE).decrypt(wrapped)
    } catch {
      return undefined
    }
  }
  if (st.mode === 'passphrase') {
    if (!('passphrase' in withKey))
      throw new TcpError('usage', 'this file is sealed to a passphrase: unseal it with --passphrase, not an identity')
    const wrapKey = await scryptWrapKey(checkPassphrase(withKey.passphrase), st.salt, st.scrypt)
    const fileKey = open(wrapKey, st.wrapped)
    wipe(wrapKey)
    if (!fileKey) throw new TcpError('rejected', 'wrong passphrase, or the header was altered')
    return {fileKey, stanza: 0}
  }
  if (!('identity' in withKey))
    throw new TcpError('usage', `this file is sealed to ${st.wrapped.length} X25519 recipient(s): unseal it with --identity, not a passphrase`)
  assertBytes('identity', withKey.identity, 32)
  const pub = x25519.getPublicKey(withKey.identity)
  const shared = sharedSecret(withKey.identity, st.ephemeral)
  if (shared) {
    const wrapKey = x25519WrapKey(shared, st.ephemeral, pub)
    wipe(shared)
    // Every stanza is tried, so the time taken does not say which one opened.
    let found: {fileKey: Uint8Array; stanza: number} | undefined
    st.wrapped.forEach((w, i) => {
      const k = open(wrapKey, w)
      if (k && !found) found = {fileKey: k, stanza: i}
    })
    wipe(wrapKey)
    if (found) return found
  }
  throw new TcpError(
    'rejected',
    `no recipient stanza opens with identity ${keyIdOf(pub)}: the file was sealed to other keys, or its header was altered`,
  )
}

async function sealStream(src: ByteSource, sink: ByteSink, to: SealTo, opts: SealOptions): Promise<SealResult> {
  const chunkSize = checkChunkSize(opts.chunkSize ?? DEFAULT_CHUNK)
  const rnd = opts.random ?? randomBytes
  const fileKey = rnd(FILE_KEY_LENGTH)
  try {
    const stanzas = await wrapStanzas(to, fileKey, opts)
    const payloadNonce = rnd(NONCE_LENGTH)
    const authenticated = encodeHeader({chunkSize, stanzas, payloadNonce})
    const mac = headerMac(fileKey, authenticated)
    await sink.write([authenticated, mac])
    const key = payloadKey(fileKey, payloadNonce)
    const s = await encryptPayload({src, sink, key, chunkSize, aead: opts.aead})
    wipe(key)
    const recipients = stanzas.mode === 'x25519' ? stanzas.wrapped.length : 1
    const sealedBytes = authenticated.length + mac.length + s.payloadBytes
    return {mode: stanzas.mode, recipients, chunkSize, chunks: s.chunks, plaintextBytes: s.plaintextBytes, sealedBytes}
  } finally {
    wipe(fileKey)
  }
}

async function unsealStream(src: ByteSource, sink: ByteSink, withKey: UnsealWith, opts: UnsealOptions): Promise<UnsealResult> {
  const h = await readHeader(src)
  const {fileKey, stanza} = await unwrapFileKey(h.stanzas, withKey)
  try {
    if (!equalBytes(headerMac(fileKey, h.authenticated), h.mac))
      throw new TcpError('rejected', 'header MAC mismatch: the header (version, chunk size, recipients or KDF parameters) was altered')
    const key = payloadKey(fileKey, h.payloadNonce)
    const s = await decryptPayload({src, sink, key, chunkSize: h.chunkSize, aead: opts.aead})
    wipe(key)
    const st = h.stanzas
    return {
      mode: st.mode,
      recipients: st.mode === 'x25519' ? st.wrapped.length : 1,
      chunkSize: h.chunkSize,
      chunks: s.chunks,
      plaintextBytes: s.plaintextBytes,
      sealedBytes: h.authenticated.length + h.mac.length + s.payloadBytes,
      ...(st.mode === 'x25519' ? {stanza} : {}),
    }
  } finally {
    wipe(fileKey)
  }
}

/** Seals bytes held in memory. */
export async function sealBytes(plaintext: Uint8Array, to: SealTo, opts: SealOptions = {}): Promise<Uint8Array> {
  assertBytes('plaintext', plaintext)
  const sink = memorySink()
  await sealStream(memorySource(plaintext), sink, to, opts)
  return concatBytes(...sink.parts)
}

/** Opens a sealed file held in memory; returns the plaintext only when every check passed. */
export async function unsealBytes(sealed: Uint8Array, withKey: UnsealWith, opts: UnsealOptions = {}): Promise<Uint8Array> {
  assertBytes('sealed', sealed)
  const sink = memorySink()
  await unsealStream(memorySource(sealed), sink, withKey, opts)
  return concatBytes(...sink.parts)
}

async function fileToFile<T>(
  inPath: string,
  outPath: string,
  what: {input: string; output: string; mode: number; force?: boolean},
  run: (src: ByteSource, sink: ByteSink) => Promise<T>,
): Promise<T> {
  const input = await openInput(inPath, what.input)
  try {
    const out = await createOutput(outPath, {force: what.force, mode: what.mode, what: what.output})
    try {
      const r = await run(input.source, out.sink)
      await out.commit()
      return r
    } catch (e) {
      await out.abort()
      throw e
    }
  } finally {
    await input.close()
  }
}

/** Seals the file at inPath to outPath (mode 0644), streaming. */
export function sealFile(inPath: string, outPath: string, to: SealTo, opts: SealOptions = {}): Promise<SealResult> {
  return fileToFile(inPath, outPath, {input: 'input file', output: 'sealed file', mode: 0o644, force: opts.force}, (src, sink) =>
    sealStream(src, sink, to, opts),
  )
}

/** Unseals inPath to outPath (mode 0600, plaintext), streaming; outPath appears only if everything authenticated. */
export function unsealFile(inPath: string, outPath: string, withKey: UnsealWith, opts: UnsealOptions = {}): Promise<UnsealResult> {
  return fileToFile(inPath, outPath, {input: 'sealed file', output: 'output file', mode: 0o600, force: opts.force}, (src, sink) =>
    unsealStream(src, sink, withKey, opts),
  )
}
