/**
 * The one place for byte checks, encodings and constant-time comparison.
 * Every core function validates its byte inputs through `assertBytes` so that the error names the field and
 * both lengths ("publicKey: expected 32 bytes, got 31").
 */
import {timingSafeEqual} from 'node:crypto'
import {TcpError} from './errors.js'

export function isBytes(a: unknown): a is Uint8Array {
  return a instanceof Uint8Array || (ArrayBuffer.isView(a) && a.constructor.name === 'Uint8Array')
}

/** Throws TcpError('input') unless `value` is a Uint8Array (of exactly `length` bytes when given). */
export function assertBytes(name: string, value: unknown, length?: number): asserts value is Uint8Array {
  if (!isBytes(value)) throw new TcpError('input', `${name}: expected bytes, got ${value === null ? 'null' : typeof value}`)
  if (length !== undefined && value.length !== length)
    throw new TcpError('input', `${name}: expected ${length} bytes, got ${value.length}`)
}

/**
 * Constant-time equality for equal-length inputs (node:crypto timingSafeEqual). Different lengths return false at
 * once: the length is not secret anywhere this is used. Does NOT hide which of two calls was made.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  if (a.length === 0) return true
  return timingSafeEqual(a, b)
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

/** Strict hex decoding: even length, hex digits only. `name` is used in the error. */
export function fromHex(hex: string, name = 'hex', length?: number): Uint8Array {
  if (typeof hex !== 'string') throw new TcpError('input', `${name}: expected a hex string, got ${typeof hex}`)
  const h = hex.startsWith('0x') ? hex.slice(2) : hex
  if (!HEX_RE.test(h)) {
    const bad = /[^0-9a-fA-F]/.exec(h)
    if (bad) throw new TcpError('input', `${name}: not hex: ${JSON.stringify(bad[0])} at character ${bad.index + 1 + (h === hex ? 0 : 2)}`)
    throw new TcpError('input', `${name}: an odd number of hex digits (${h.length})`)
  }
  const out = new Uint8Array(Buffer.from(h, 'hex'))
  if (length !== undefined && out.length !== length)
    throw new TcpError('input', `${name}: expected ${length} bytes, got ${out.length}`)
  return out
}

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/
const B64URL_RE = /^[A-Za-z0-9_-]*={0,2}$/

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
}

/** Strict base64 (standard or URL alphabet, as DSSE allows both); rejects stray characters and bad padding. */
export function fromBase64(s: string, name = 'base64'): Uint8Array {
  if (typeof s !== 'string') throw new TcpError('input', `${name}: expected a base64 string, got ${typeof s}`)
  const std = B64_RE.test(s)
  if (!std && !B64URL_RE.test(s)) throw new TcpError('input', `${name}: not valid base64`)
  const enc = std ? 'base64' : 'base64url'
  const body = s.replace(/=+$/, '')
  if (body.length % 4 === 1) throw new TcpError('input', `${name}: not valid base64 (length)`)
  if (s.length !== body.length && s.length % 4 !== 0) throw new TcpError('input', `${name}: bad base64 padding`)
  const buf = Buffer.from(body, enc)
  // Canonical form: unused low bits of the last character must be zero. Re-encoding the last quantum (at most
  // 3 bytes) is enough to check it, in constant time per call rather than per byte.
  const tail = buf.length % 3 === 0 ? 3 : buf.length % 3
  const last = buf.subarray(Math.max(0, buf.length - tail)).toString(enc).replace(/=+$/, '')
  if (buf.length > 0 && !body.endsWith(last)) throw new TcpError('input', `${name}: not canonical base64`)
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', {fatal: true})

export const utf8 = (s: string): Uint8Array => enc.encode(s)

export function fromUtf8(b: Uint8Array, name = 'text'): string {
  try {
    return dec.decode(b)
  } catch {
    throw new TcpError('input', `${name}: not valid UTF-8`)
  }
}

/** Overwrites secret material in place. Best effort: JS engines may keep copies. */
export function wipe(...arrays: Uint8Array[]): void {
  for (const a of arrays) a.fill(0)
}

export function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n >>> 0, false)
  return b
}

export function u64be(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false)
  return b
}

/** A copy of a typed array in a new one of `length` elements (at least a's), zero-filled past a's end. */
export function grown<T extends Uint8Array | Int32Array | Float64Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length)
  b.set(a)
  return b
}
