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
/**
 * Sealing in the age v1 format (C2SP age.md, age-encryption.org/v1): files open with `age -d`, rage and the
 * age-encryption package, and tcp opens theirs. Header in format.ts, payload (STREAM) in stream.ts. Key schedule:
 *
 *   fileKey      16 random bytes, fresh per file
 *   X25519       per recipient R a fresh ephemeral e, E = X25519(e, 9), stanza "-> X25519 base64(E)":
 *                wrapKey = HKDF-SHA256(ikm = X25519(e, R), salt = E || R, info = "age-encryption.org/v1/X25519")
 *   scrypt       stanza "-> scrypt base64(salt16) logN", the only stanza of its file:
 *                wrapKey = scrypt(passphrase, salt = "age-encryption.org/v1/scrypt" || salt16, N = 2^logN, r 8, p 1)
 *   body         ChaCha20-Poly1305(wrapKey, nonce 0^12).encrypt(fileKey)                         (RFC 8439)
 *   header MAC   HMAC-SHA256(HKDF(fileKey, salt = empty, info = "header"), header up to "---")  (RFC 2104, 5869)
 *   payloadKey   HKDF(fileKey, salt = 16-byte payload nonce, info = "payload"); then STREAM in 64 KiB chunks
 *
 * Unsealing checks, in order: the header parses (else exit 2), one stanza opens with an identity or the passphrase,
 * the header MAC verifies, every chunk authenticates and the final chunk is last (else TcpError 'rejected', exit 1).
 * Stanzas of other types (other recipients' plugins, grease) are skipped, as age does.
 * File output is published only after the final chunk authenticated.
 *
 * Does NOT guarantee: who sealed a file (anyone can seal to a public key, and any recipient of a multi-recipient
 * file holds the file key, so it can forge a different file for the other recipients); hiding the plaintext length;
 * hiding the number of recipients. scrypt work factors above 2^MAX_LOG_N are refused (age accepts up to 2^22).
 */
import {createHmac} from 'node:crypto'
import {assertBytes, concatBytes, equalBytes, utf8, wipe} from '../bytes.js'
import {TcpError} from '../errors.js'
import {chacha20poly1305, hkdfSha256, randomBytes, scryptAsync, SCRYPT_DEFAULT, x25519} from '../crypto/index.js'
import {keyIdOf} from '../keys/keys.js'
import {b64decode, b64encode, CHUNK, encodeHeader, encodeMacLine, FILE_KEY_LENGTH, LABEL, MAX_RECIPIENTS, NONCE_LENGTH, readHeader, SALT_LENGTH, type Stanza} from './format.js'
import {decryptPayload, encryptPayload, memorySink, memorySource, readFull, type AeadFactory, type ByteSink, type ByteSource} from './stream.js'
import {createOutput, openInput} from './files.js'

export {CHUNK} from './format.js'

/** Seal to X25519 public keys (32 bytes each), or to a passphrase (UTF-8 bytes). */
export type SealTo = {recipients: Uint8Array[]} | {passphrase: Uint8Array}
/** Open with X25519 secret keys (32 bytes each), or a passphrase. */
export type UnsealWith = {identity: Uint8Array} | {identities: Uint8Array[]} | {passphrase: Uint8Array}

/** The largest scrypt work factor accepted from a file: 2^20 x r 8 x 128 bytes = 1 GiB of memory. */
export const MAX_LOG_N = 20

export interface SealOptions {
  /** scrypt log2(N) for passphrase mode (default log2 of SCRYPT_DEFAULT.N). Tests pass cheap values. */
  logN?: number
  /** Replace an existing output file. */
  force?: boolean
  /** AEAD of the payload chunks (default node:crypto; tests pass crypto/aead.ts or chacha20poly1305Noble). */
  aead?: AeadFactory
  /** Source of the file key, ephemeral keys, salt and nonce. Tests only: a seeded source makes output reproducible. */
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
  /** The index of the stanza that opened, and of the identity that opened it (X25519 mode). */
  stanza?: number
  identity?: number
}

const ZERO_NONCE = new Uint8Array(12)

function sharedSecret(secret: Uint8Array, pub: Uint8Array): Uint8Array | undefined {
  try {
    return x25519.getSharedSecret(secret, pub) // throws on an all-zero result (low-order point, RFC 7748 section 6.1)
  } catch {
    return undefined
  }
}

const x25519WrapKey = (shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array =>
  hkdfSha256(shared, concatBytes(ephemeral, recipient), utf8(LABEL.x25519), 32)

// On libuv's thread pool (scryptAsync), so a spinner keeps moving during the seconds scrypt takes.
const scryptWrapKey = (passphrase: Uint8Array, salt: Uint8Array, logN: number): Promise<Uint8Array> =>
  scryptAsync(passphrase, concatBytes(utf8(LABEL.scrypt), salt), {N: 2 ** logN, r: 8, p: 1}, 32)

function headerMac(fileKey: Uint8Array, authenticated: Uint8Array): Uint8Array {
  const k = hkdfSha256(fileKey, new Uint8Array(0), utf8(LABEL.header), 32)
  const mac = new Uint8Array(createHmac('sha256', k).update(authenticated).digest())
  wipe(k)
  return mac
}

const payloadKey = (fileKey: Uint8Array, nonce: Uint8Array): Uint8Array => hkdfSha256(fileKey, nonce, utf8(LABEL.payload), 32)

function checkPassphrase(p: unknown): Uint8Array {
  assertBytes('passphrase', p)
  if (p.length === 0) throw new TcpError('passphrase', 'passphrase: empty')
  return p
}

function checkLogN(n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_LOG_N)
    throw new TcpError('unsupported', `scrypt work factor: log2(N) must be from 1 to ${MAX_LOG_N}, got ${String(n)}`)
  return n
}

const aeadOpen = (wrapKey: Uint8Array, body: Uint8Array): Uint8Array | undefined => {
  try {
    return chacha20poly1305(wrapKey, ZERO_NONCE).decrypt(body)
  } catch {
    return undefined
  }
}

async function wrapStanzas(to: SealTo, fileKey: Uint8Array, opts: SealOptions): Promise<Stanza[]> {
  const rnd = opts.random ?? randomBytes
  if ('passphrase' in to) {
    const logN = checkLogN(opts.logN ?? Math.log2(SCRYPT_DEFAULT.N))
    const salt = rnd(SALT_LENGTH)
    const wrapKey = await scryptWrapKey(checkPassphrase(to.passphrase), salt, logN)
    const body = chacha20poly1305(wrapKey, ZERO_NONCE).encrypt(fileKey)
    wipe(wrapKey)
    return [{type: 'scrypt', args: [b64encode(salt), String(logN)], body}]
  }
  const rs = to.recipients
  if (!Array.isArray(rs) || rs.length === 0) throw new TcpError('usage', 'recipients: expected at least one X25519 public key')
  if (rs.length > MAX_RECIPIENTS) throw new TcpError('usage', `recipients: at most ${MAX_RECIPIENTS}, got ${rs.length}`)
  const seen = new Set<string>()
  return rs.map((r, i) => {
    assertBytes(`recipient ${i + 1}`, r, 32)
    const id = keyIdOf(r)
    if (seen.has(id)) throw new TcpError('usage', `recipient ${i + 1}: key ${id} is listed twice`)
    seen.add(id)
    const e = rnd(32)
    const ephemeral = x25519.getPublicKey(e)
    const shared = sharedSecret(e, r)
    wipe(e)
    if (!shared) throw new TcpError('input', `recipient ${i + 1} (key ${id}): not a usable X25519 public key (low-order point)`)
    const wrapKey = x25519WrapKey(shared, ephemeral, r)
    const body = chacha20poly1305(wrapKey, ZERO_NONCE).encrypt(fileKey)
    wipe(shared, wrapKey)
    return {type: 'X25519', args: [b64encode(ephemeral)], body}
  })
}

/** Tries the identities or passphrase on the stanzas; returns the file key and the stanza index, or rejects. */
async function unwrapFileKey(stanzas: Stanza[], withKey: UnsealWith): Promise<{fileKey: Uint8Array; stanza: number; mode: SealResult['mode']; identity?: number}> {
  const scryptAt = stanzas.findIndex((s) => s.type === 'scrypt')
  if (scryptAt >= 0) {
    if (stanzas.length !== 1) throw new TcpError('input', 'age header: an scrypt stanza must be the only stanza of its file')
    const st = stanzas[0]!
    if (!('passphrase' in withKey)) throw new TcpError('usage', 'this file is sealed to a passphrase: unseal it with --passphrase, not an identity')
    if (st.args.length !== 2 || !/^[1-9][0-9]*$/.test(st.args[1]!)) throw new TcpError('input', 'age header: malformed scrypt stanza arguments')
    const salt = b64decode(st.args[0]!, 'scrypt salt')
    if (salt.length !== SALT_LENGTH || st.body.length !== FILE_KEY_LENGTH + 16) throw new TcpError('input', 'age header: malformed scrypt stanza')
    const wrapKey = await scryptWrapKey(checkPassphrase(withKey.passphrase), salt, checkLogN(Number(st.args[1])))
    const fileKey = aeadOpen(wrapKey, st.body)
    wipe(wrapKey)
    if (!fileKey) throw new TcpError('rejected', 'wrong passphrase, or the header was altered')
    return {fileKey, stanza: 0, mode: 'passphrase'}
  }
  if ('passphrase' in withKey)
    throw new TcpError('rejected', `no scrypt stanza: this file is sealed to ${stanzas.length} recipient stanza(s), not a passphrase (unseal it with --identity)`)
  const ids = 'identity' in withKey ? [withKey.identity] : withKey.identities
  ids.forEach((id, i) => assertBytes(`identity ${i + 1}`, id, 32))
  const pubs = ids.map((id) => x25519.getPublicKey(id))
  for (const [i, st] of stanzas.entries()) {
    if (st.type !== 'X25519') continue
    if (st.args.length !== 1) throw new TcpError('input', `age header: X25519 stanza ${i + 1} needs exactly one argument`)
    const ephemeral = b64decode(st.args[0]!, `X25519 stanza ${i + 1} share`)
    if (ephemeral.length !== 32 || st.body.length !== FILE_KEY_LENGTH + 16) throw new TcpError('input', `age header: malformed X25519 stanza ${i + 1}`)
    for (const [j, id] of ids.entries()) {
      const shared = sharedSecret(id, ephemeral)
      // An all-zero shared secret (low-order share) makes the file malformed, whoever opens it (C2SP age.md).
      if (!shared) throw new TcpError('input', `age header: X25519 stanza ${i + 1} has a low-order share`)
      const wrapKey = x25519WrapKey(shared, ephemeral, pubs[j]!)
      const fileKey = aeadOpen(wrapKey, st.body)
      wipe(shared, wrapKey)
      if (fileKey) return {fileKey, stanza: i, mode: 'x25519', identity: j}
    }
  }
  const types = [...new Set(stanzas.map((s) => s.type))].join(', ')
  throw new TcpError(
    'rejected',
    `no recipient stanza (${types}) opens with identit${ids.length > 1 ? 'ies' : 'y'} ${pubs.map((p) => keyIdOf(p)).join(', ')}: the file was sealed to other keys, or its header was altered`,
  )
}

async function sealStream(src: ByteSource, sink: ByteSink, to: SealTo, opts: SealOptions): Promise<SealResult> {
  const rnd = opts.random ?? randomBytes
  const fileKey = rnd(FILE_KEY_LENGTH)
  try {
    const stanzas = await wrapStanzas(to, fileKey, opts)
    const payloadNonce = rnd(NONCE_LENGTH)
    const authenticated = encodeHeader(stanzas)
    const macLine = encodeMacLine(headerMac(fileKey, authenticated))
    await sink.write([authenticated, macLine, payloadNonce])
    const key = payloadKey(fileKey, payloadNonce)
    const s = await encryptPayload({src, sink, key, chunkSize: CHUNK, aead: opts.aead})
    wipe(key)
    const sealedBytes = authenticated.length + macLine.length + NONCE_LENGTH + s.payloadBytes
    return {mode: 'passphrase' in to ? 'passphrase' : 'x25519', recipients: stanzas.length, chunkSize: CHUNK, chunks: s.chunks, plaintextBytes: s.plaintextBytes, sealedBytes}
  } finally {
    wipe(fileKey)
  }
}

async function unsealStream(input: ByteSource, sink: ByteSink, withKey: UnsealWith, opts: UnsealOptions): Promise<UnsealResult> {
  const h = await readHeader(input)
  const {fileKey, stanza, mode, identity} = await unwrapFileKey(h.stanzas, withKey)
  try {
    if (!equalBytes(headerMac(fileKey, h.authenticated), h.mac))
      throw new TcpError('rejected', 'header MAC mismatch: the header (recipients, their stanzas or the scrypt parameters) was altered')
    const payloadNonce = new Uint8Array(NONCE_LENGTH)
    const got = await readFull(h.rest, payloadNonce, 0, NONCE_LENGTH)
    // age counts the nonce as part of the header: a file cut inside it is malformed (C2SP test vectors).
    if (got < NONCE_LENGTH) throw new TcpError('input', `malformed: the file ends ${got} bytes into the 16-byte payload nonce`)
    const key = payloadKey(fileKey, payloadNonce)
    const s = await decryptPayload({src: h.rest, sink, key, chunkSize: CHUNK, aead: opts.aead})
    wipe(key)
    return {
      mode,
      recipients: h.stanzas.length,
      chunkSize: CHUNK,
      chunks: s.chunks,
      plaintextBytes: s.plaintextBytes,
      sealedBytes: h.length + NONCE_LENGTH + s.payloadBytes,
      ...(mode === 'x25519' ? {stanza, identity} : {}),
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

/** An input: a path, or a stream source ("-" on the command line). */
export type InputEnd = string | ByteSource
/** An output: a path (published atomically), or a stream sink (written as it goes: see the note on unseal). */
export type OutputEnd = string | ByteSink

async function endToEnd<T>(
  inp: InputEnd,
  out: OutputEnd,
  what: {input: string; output: string; mode: number; force?: boolean},
  run: (src: ByteSource, sink: ByteSink) => Promise<T>,
): Promise<T> {
  const input = typeof inp === 'string' ? await openInput(inp, what.input) : {source: inp, close: async () => {}}
  try {
    const o = typeof out === 'string' ? await createOutput(out, {force: what.force, mode: what.mode, what: what.output}) : {sink: out, commit: async () => {}, abort: async () => {}}
    try {
      const r = await run(input.source, o.sink)
      await o.commit()
      return r
    } catch (e) {
      await o.abort()
      throw e
    }
  } finally {
    await input.close()
  }
}

/** Seals a file or stream to a file (mode 0644, published when complete) or a stream, in constant memory. */
export function sealFile(inPath: InputEnd, outPath: OutputEnd, to: SealTo, opts: SealOptions = {}): Promise<SealResult> {
  return endToEnd(inPath, outPath, {input: 'input file', output: 'sealed file', mode: 0o644, force: opts.force}, (src, sink) =>
    sealStream(src, sink, to, opts),
  )
}

/**
 * Unseals to a file (mode 0600) that appears only if everything authenticated, or to a stream sink, which receives
 * each chunk as it authenticates: a stream reader sees the plaintext before a later chunk can fail (as with age -d).
 */
export function unsealFile(inPath: InputEnd, outPath: OutputEnd, withKey: UnsealWith, opts: UnsealOptions = {}): Promise<UnsealResult> {
  return endToEnd(inPath, outPath, {input: 'sealed file', output: 'output file', mode: 0o600, force: opts.force}, (src, sink) =>
    unsealStream(src, sink, withKey, opts),
  )
}
