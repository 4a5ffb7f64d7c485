/**
 * The tcp sealed-file format, version 1. A binary header, then a STREAM payload (see stream.ts).
 *
 * The design follows age (C2SP age.md, age-encryption.org/v1): a random file key wrapped once per recipient, a
 * header MAC keyed from the file key, a payload key derived from the file key and a per-file nonce, and a chunked
 * STREAM payload. It is NOT age-compatible: the header is binary, one ephemeral X25519 key serves every recipient
 * of a file, the file key is 32 bytes and every label differs.
 *
 *   offset size  field
 *   0      8     magic 0x89 'T' 'C' 'P' 'S' 'E' 'A' 'L'
 *   8      1     format version = 1
 *   9      1     mode: 1 = X25519 recipients, 2 = scrypt passphrase
 *   10     4     chunk size in plaintext bytes, u32 big-endian, MIN_CHUNK..MAX_CHUNK
 *   14     ...   mode body
 *                X25519: u16 recipient count (1..MAX_RECIPIENTS), 32 ephemeral public key, count x 48 wrapped keys
 *                scrypt: 16 salt, u8 log2(N), u8 r, u8 p, 48 wrapped key
 *   ...    16    payload nonce (HKDF salt of the payload key)
 *   ...    32    header MAC: HMAC-SHA256 over every header byte before it
 *
 * A wrapped key is ChaCha20-Poly1305(wrapKey, nonce 0^12) of the 32-byte file key: 32 + 16 bytes. Every wrap key
 * is used once (fresh ephemeral secret or fresh salt per file), so the fixed nonce is safe, as in age.
 *
 * Parsing never allocates more than the declared sizes allow: counts, chunk size and scrypt costs are bounded
 * before use. Errors: a file that is not a sealed file, or whose fields are out of range, is TcpError('input' or
 * 'unsupported', exit 2); a header cut short is TcpError('rejected', exit 1: truncated).
 */
import {concatBytes} from '../bytes.js'
import {TcpError} from '../errors.js'
import {checkScryptParams, type ScryptParams} from '../crypto/kdf.js'
import {readFull, type ByteSource} from './stream.js'

export const MAGIC = Uint8Array.from([0x89, 0x54, 0x43, 0x50, 0x53, 0x45, 0x41, 0x4c])
export const VERSION = 1
export const MODE_X25519 = 1
export const MODE_SCRYPT = 2

export const FILE_KEY_LENGTH = 32
export const WRAPPED_LENGTH = FILE_KEY_LENGTH + 16
export const NONCE_LENGTH = 16
export const MAC_LENGTH = 32
export const SALT_LENGTH = 16

export const MIN_CHUNK = 16
export const MAX_CHUNK = 1 << 24
/** age uses 64 KiB: small enough to stream, large enough that per-chunk costs vanish (see bench/seal.mjs). */
export const DEFAULT_CHUNK = 1 << 16
export const MAX_RECIPIENTS = 128

/** scrypt costs accepted from a file on top of checkScryptParams: at most 1 GiB of memory, 2 GiB of work. */
const MAX_SCRYPT_MEMORY = 2 ** 30
const MAX_SCRYPT_WORK = 2 ** 31

/** Labels of the key schedule (domain separation between every derived key). */
export const LABEL = {
  x25519: 'tcp-seal/v1/x25519',
  scrypt: 'tcp-seal/v1/scrypt',
  header: 'tcp-seal/v1/header',
  payload: 'tcp-seal/v1/payload',
} as const

export type Stanzas =
  | {mode: 'x25519'; ephemeral: Uint8Array; wrapped: Uint8Array[]}
  | {mode: 'passphrase'; salt: Uint8Array; scrypt: ScryptParams; wrapped: Uint8Array}

export interface Header {
  chunkSize: number
  stanzas: Stanzas
  payloadNonce: Uint8Array
}

export interface ParsedHeader extends Header {
  /** Every header byte before the MAC: what the MAC covers. */
  authenticated: Uint8Array
  mac: Uint8Array
}

export function checkChunkSize(n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < MIN_CHUNK || n > MAX_CHUNK)
    throw new TcpError('input', `chunk size: expected an integer from ${MIN_CHUNK} to ${MAX_CHUNK}, got ${String(n)}`)
  return n
}

/** checkScryptParams plus the memory and work bounds of a file we are asked to open. */
export function checkSealScrypt(p: unknown): ScryptParams {
  const s = checkScryptParams(p)
  const mem = 128 * s.N * s.r
  if (mem > MAX_SCRYPT_MEMORY || mem * s.p > MAX_SCRYPT_WORK)
    throw new TcpError('input', `kdf params: N=${s.N}, r=${s.r}, p=${s.p} needs ${mem * s.p} bytes of scrypt work, over the limit of ${MAX_SCRYPT_WORK}`)
  return s
}

/** Encodes every header byte the MAC covers. */
export function encodeHeader(h: Header): Uint8Array {
  const st = h.stanzas
  const body =
    st.mode === 'x25519' ? 2 + 32 + st.wrapped.length * WRAPPED_LENGTH : SALT_LENGTH + 3 + WRAPPED_LENGTH
  const out = new Uint8Array(14 + body + NONCE_LENGTH)
  const dv = new DataView(out.buffer)
  out.set(MAGIC, 0)
  out[8] = VERSION
  out[9] = st.mode === 'x25519' ? MODE_X25519 : MODE_SCRYPT
  dv.setUint32(10, checkChunkSize(h.chunkSize), false)
  let o = 14
  if (st.mode === 'x25519') {
    dv.setUint16(o, st.wrapped.length, false)
    out.set(st.ephemeral, o + 2)
    o += 34
    for (const w of st.wrapped) {
      out.set(w, o)
      o += WRAPPED_LENGTH
    }
  } else {
    out.set(st.salt, o)
    out[o + 16] = Math.log2(st.scrypt.N)
    out[o + 17] = st.scrypt.r
    out[o + 18] = st.scrypt.p
    out.set(st.wrapped, o + 19)
    o += 19 + WRAPPED_LENGTH
  }
  out.set(h.payloadNonce, o)
  return out
}

/** Reads exactly the header from `src`, leaving it positioned at the first payload byte. */
export async function readHeader(src: ByteSource): Promise<ParsedHeader> {
  const parts: Uint8Array[] = []
  let offset = 0
  const take = async (n: number, field: string): Promise<Uint8Array> => {
    const b = new Uint8Array(n)
    const got = await readFull(src, b, 0, n)
    if (got < n) {
      if (offset + got < MAGIC.length) throw new TcpError('input', `not a tcp sealed file: ${offset + got} bytes, too short for the header`)
      throw new TcpError('rejected', `truncated: the file ends at byte ${offset + got}, inside the header (${field})`)
    }
    offset += n
    parts.push(b)
    return b
  }
  const fixed = await take(14, 'format fields')
  for (let i = 0; i < MAGIC.length; i++)
    if (fixed[i] !== MAGIC[i]) throw new TcpError('input', 'not a tcp sealed file: the first 8 bytes are not the tcp seal magic')
  if (fixed[8] !== VERSION) throw new TcpError('unsupported', `format version: expected ${VERSION}, got ${fixed[8]}`)
  const mode = fixed[9]
  if (mode !== MODE_X25519 && mode !== MODE_SCRYPT)
    throw new TcpError('unsupported', `mode: expected ${MODE_X25519} (X25519) or ${MODE_SCRYPT} (scrypt), got ${mode}`)
  const chunkSize = checkChunkSize(new DataView(fixed.buffer).getUint32(10, false))
  let stanzas: Stanzas
  if (mode === MODE_X25519) {
    const c = await take(2, 'recipient count')
    const count = (c[0]! << 8) | c[1]!
    if (count < 1 || count > MAX_RECIPIENTS)
      throw new TcpError('input', `recipient count: expected 1 to ${MAX_RECIPIENTS}, got ${count}`)
    const ephemeral = await take(32, 'ephemeral key')
    const all = await take(count * WRAPPED_LENGTH, 'wrapped file keys')
    const wrapped = Array.from({length: count}, (_, i) => all.subarray(i * WRAPPED_LENGTH, (i + 1) * WRAPPED_LENGTH))
    stanzas = {mode: 'x25519', ephemeral, wrapped}
  } else {
    const b = await take(SALT_LENGTH + 3, 'scrypt salt and parameters')
    const logN = b[SALT_LENGTH]!
    if (logN < 1 || logN > 30) throw new TcpError('input', `kdf params: log2(N) must be from 1 to 30, got ${logN}`)
    const scrypt = checkSealScrypt({N: 2 ** logN, r: b[SALT_LENGTH + 1], p: b[SALT_LENGTH + 2]})
    const wrapped = await take(WRAPPED_LENGTH, 'wrapped file key')
    stanzas = {mode: 'passphrase', salt: b.subarray(0, SALT_LENGTH), scrypt, wrapped}
  }
  const payloadNonce = await take(NONCE_LENGTH, 'payload nonce')
  const authenticated = concatBytes(...parts)
  const mac = await take(MAC_LENGTH, 'header MAC')
  return {chunkSize, stanzas, payloadNonce, authenticated, mac}
}
