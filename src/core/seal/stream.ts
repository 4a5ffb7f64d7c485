/**
 * The STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizar ("Online Authenticated-Encryption and its
 * Nonce-Reuse Misuse-Resistance", CRYPTO 2015, section 7), instantiated as age does (C2SP age.md, "Payload"):
 * ChaCha20-Poly1305 (RFC 8439) over fixed-size plaintext chunks, chunk i under the 12-byte nonce
 *
 *     i as an 11-byte big-endian counter || last-chunk flag (0x00, or 0x01 on the final chunk)
 *
 * so that reordering or swapping chunks (wrong counter), truncating at a chunk boundary (no chunk carries the final
 * flag there), appending data (the real final chunk is no longer last) and altering any byte (Poly1305) all fail
 * authentication. Every chunk but the final one is exactly `chunkSize` plaintext bytes; the final one holds 0 to
 * chunkSize bytes, and is empty only when the whole plaintext is empty, so each plaintext has one encoding.
 *
 * The payload key must be fresh per file (derived from a random file key and nonce): STREAM's nonces repeat across
 * files by design. Memory is constant: one block of IO_BLOCK bytes (at least one chunk) plus one byte of
 * look-ahead, which is how the last chunk is recognised without knowing the length in advance.
 *
 * Does NOT guarantee: that decrypted chunks are withheld from the sink until the end. Callers that must not
 * release unauthenticated plaintext (unseal) write to a private temporary file and publish it only after
 * decryptPayload returns (files.ts).
 */
import {createCipheriv} from 'node:crypto'
import {assertBytes} from '../bytes.js'
import {TcpError} from '../errors.js'
import {chacha20poly1305, TAG_LENGTH, type Aead} from '../crypto/aead.js'

export interface ByteSource {
  /** Reads up to `length` bytes into buf[offset..]; returns how many, 0 at the end. */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>
}

export interface ByteSink {
  write(parts: Uint8Array[]): Promise<void>
}

/** The AEAD constructor: crypto/aead.ts chacha20poly1305 (native) or chacha20poly1305Noble (reference). */
export type AeadFactory = (key: Uint8Array, nonce: Uint8Array) => Aead

/** Bytes read per I/O call, rounded down to whole chunks (at least one). Measured in bench/seal.mjs. */
export const IO_BLOCK = 1 << 20

export async function readFull(src: ByteSource, buf: Uint8Array, offset: number, length: number): Promise<number> {
  let n = 0
  while (n < length) {
    const r = await src.read(buf, offset + n, length - n)
    if (r === 0) break
    n += r
  }
  return n
}

export function chunkNonce(counter: number, last: boolean): Uint8Array {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new TcpError('internal', `chunk counter out of range: ${counter}`)
  const n = new Uint8Array(12)
  new DataView(n.buffer).setBigUint64(3, BigInt(counter), false)
  n[11] = last ? 1 : 0
  return n
}

export interface PayloadStats {
  chunks: number
  plaintextBytes: number
  payloadBytes: number
}

/**
 * Cuts the input into units (chunkSize plaintext bytes, or chunkSize + 16 sealed bytes) and writes `step(unit,
 * counter, last)` of each, reading IO_BLOCK at a time plus one byte of look-ahead: a unit is the last one exactly
 * when nothing follows it. An empty input is one empty last unit. Returns the unit count and bytes in and out.
 *
 * Pipelined: while block k is encrypted on the main thread, block k+1 is being read and block k-1 written (file
 * I/O runs on libuv's thread pool). Memory: two input blocks and at most two output blocks.
 */
async function transform(
  src: ByteSource,
  sink: ByteSink,
  unit: number,
  step: (piece: Uint8Array, counter: number, last: boolean) => Uint8Array[],
): Promise<{units: number; bytesIn: number; bytesOut: number}> {
  const per = Math.max(1, Math.floor(IO_BLOCK / unit))
  const size = per * unit + 1
  const bufs = [new Uint8Array(size), new Uint8Array(size)] as const
  let counter = 0
  let bytesIn = 0
  let bytesOut = 0
  const cut = (buf: Uint8Array, len: number, atEnd: boolean): Uint8Array[] => {
    const n = atEnd ? Math.max(1, Math.ceil(len / unit)) : per
    const parts: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      const piece = buf.subarray(i * unit, Math.min(len, (i + 1) * unit))
      bytesIn += piece.length
      for (const out of step(piece, counter++, atEnd && i === n - 1)) {
        bytesOut += out.length
        parts.push(out)
      }
    }
    return parts
  }
  let cur = 0
  let have = await readFull(src, bufs[0], 0, size)
  let writing: Promise<void> = Promise.resolve()
  let reading: Promise<number> = Promise.resolve(0)
  try {
    while (have === size) {
      const buf = bufs[cur]!
      const next = bufs[cur ^ 1]!
      next[0] = buf[size - 1]!
      reading = readFull(src, next, 1, size - 1)
      reading.catch(() => {}) // handled below; a failure while nobody awaits it must not be an unhandled rejection
      const parts = cut(buf, size - 1, false)
      await writing
      writing = sink.write(parts)
      writing.catch(() => {}) // awaited on the next block or at the end
      have = 1 + (await reading)
      cur ^= 1
    }
    const parts = cut(bufs[cur]!, have, true)
    await writing
    await sink.write(parts)
  } catch (e) {
    // Let in-flight I/O settle before the caller closes the files; the first error is the one reported.
    await Promise.allSettled([reading, writing])
    throw e
  }
  return {units: counter, bytesIn, bytesOut}
}

export interface PayloadJob {
  src: ByteSource
  sink: ByteSink
  /** The payload key: fresh per file. */
  key: Uint8Array
  chunkSize: number
  /** Default: node:crypto. Tests pass crypto/aead.ts chacha20poly1305 or chacha20poly1305Noble to compare. */
  aead?: AeadFactory
}

/**
 * ChaCha20-Poly1305 encryption of one chunk on node:crypto, returned as [ciphertext, tag] so that a 64 KiB chunk is
 * not copied again to append its tag (crypto/aead.ts concatenates; measured slower in bench/seal.mjs). The tests
 * check that it gives the same bytes as crypto/aead.ts and noble.
 */
function sealChunkNative(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array): Uint8Array[] {
  const c = createCipheriv('chacha20-poly1305', key, nonce, {authTagLength: TAG_LENGTH})
  const body = c.update(pt)
  c.final()
  return [body, c.getAuthTag()]
}

export async function encryptPayload({src, sink, key, chunkSize, aead}: PayloadJob): Promise<PayloadStats> {
  assertBytes('payload key', key, 32)
  const seal = aead
    ? (pt: Uint8Array, counter: number, last: boolean) => [aead(key, chunkNonce(counter, last)).encrypt(pt)]
    : (pt: Uint8Array, counter: number, last: boolean) => sealChunkNative(key, chunkNonce(counter, last), pt)
  const r = await transform(src, sink, chunkSize, seal)
  return {chunks: r.units, plaintextBytes: r.bytesIn, payloadBytes: r.bytesOut}
}

function tryOpen(aead: AeadFactory, key: Uint8Array, counter: number, last: boolean, ct: Uint8Array): Uint8Array | undefined {
  try {
    return aead(key, chunkNonce(counter, last)).decrypt(ct)
  } catch (e) {
    if (e instanceof TcpError && e.code === 'rejected') return undefined
    throw e
  }
}

/** Opens chunk `counter`; on failure, names the likely cause (the diagnostic attempt releases nothing). */
function openChunk(aead: AeadFactory, key: Uint8Array, counter: number, last: boolean, ct: Uint8Array): Uint8Array {
  if (last && ct.length === 0) throw new TcpError('rejected', 'truncated: the payload is missing (no final chunk after the header)')
  if (last && ct.length < TAG_LENGTH)
    throw new TcpError('rejected', `truncated: the file ends ${ct.length} bytes into chunk ${counter}, shorter than its ${TAG_LENGTH}-byte tag`)
  if (last && ct.length === TAG_LENGTH && counter > 0)
    throw new TcpError('rejected', `malformed payload: empty final chunk ${counter} after data (tcp seal never writes one)`)
  const pt = tryOpen(aead, key, counter, last, ct)
  if (pt) return pt
  if (tryOpen(aead, key, counter, !last, ct)) {
    throw new TcpError(
      'rejected',
      last
        ? `truncated: the file ends after chunk ${counter}, which is not the final chunk`
        : `appended data: chunk ${counter} is the final chunk, but more bytes follow it`,
    )
  }
  throw new TcpError('rejected', `chunk ${counter} failed authentication: the file was altered, its chunks reordered, or it was spliced from another file`)
}

export async function decryptPayload({src, sink, key, chunkSize, aead}: PayloadJob): Promise<PayloadStats> {
  const r = await transform(src, sink, chunkSize + TAG_LENGTH, (ct, counter, last) => [openChunk(aead ?? chacha20poly1305, key, counter, last, ct)])
  return {chunks: r.units, plaintextBytes: r.bytesOut, payloadBytes: r.bytesIn}
}

/** A source over bytes in memory (tests, small payloads). */
export function memorySource(data: Uint8Array): ByteSource {
  let pos = 0
  return {
    async read(buf, offset, length) {
      const n = Math.min(length, data.length - pos)
      buf.set(data.subarray(pos, pos + n), offset)
      pos += n
      return n
    },
  }
}

/** A sink that collects everything written (tests, small payloads). */
export function memorySink(): ByteSink & {parts: Uint8Array[]} {
  const parts: Uint8Array[] = []
  return {parts, write: async (p) => void parts.push(...p)}
}
