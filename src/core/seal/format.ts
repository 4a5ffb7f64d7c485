/**
 * The age v1 file header (C2SP age.md, "age-encryption.org/v1"), text:
 *
 *   age-encryption.org/v1\n
 *   -> TYPE ARG...\n           one stanza per recipient: a type, arguments (1*VCHAR each, space separated),
 *   BODY (base64)\n            then its body in canonical unpadded standard base64, 64 columns a line; the last
 *   ...                        body line is shorter than 64 columns (an empty line when the body is a multiple of 48 bytes)
 *   --- MAC\n                  HMAC-SHA256 over every header byte up to and including "---", base64 (43 columns)
 *
 * then the binary payload: a 16-byte nonce and the STREAM chunks (stream.ts). The payload nonce is read with the
 * payload, not here.
 *
 * Parsing is strict (non-canonical base64, bad line lengths, empty arguments are malformed) and bounded: the header
 * may take at most MAX_HEADER bytes and MAX_STANZAS stanzas. A file that is not an age file, or whose header is
 * malformed, is TcpError('input', exit 2); a header cut short is TcpError('rejected', exit 1: truncated).
 */
import {utf8} from '../bytes.js'
import {TcpError} from '../errors.js'
import type {ByteSource} from './stream.js'

export const INTRO = 'age-encryption.org/v1'
export const FILE_KEY_LENGTH = 16
export const NONCE_LENGTH = 16
export const MAC_LENGTH = 32
export const SALT_LENGTH = 16
/** age's chunk size: 64 KiB of plaintext, fixed by the format. */
export const CHUNK = 1 << 16
export const MAX_RECIPIENTS = 128
export const MAX_HEADER = 1 << 20
export const MAX_STANZAS = 1024

/** Labels of the age key schedule (C2SP age.md). */
export const LABEL = {
  x25519: 'age-encryption.org/v1/X25519',
  scrypt: 'age-encryption.org/v1/scrypt',
  header: 'header',
  payload: 'payload',
} as const

export interface Stanza {
  type: string
  args: string[]
  body: Uint8Array
}

export interface ParsedHeader {
  stanzas: Stanza[]
  /** Every header byte the MAC covers: up to and including "---". */
  authenticated: Uint8Array
  mac: Uint8Array
  /** The header's length in bytes, MAC line included. */
  length: number
  /** The rest of the input: the payload nonce and chunks. */
  rest: ByteSource
}

const B64 = /^[A-Za-z0-9+/]*$/
const VCHAR = /^[\x21-\x7e]+$/

export function b64encode(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64').replace(/=+$/, '')
}

/** Canonical unpadded standard base64 (the re-encoding must give the same text). */
export function b64decode(s: string, what: string): Uint8Array {
  if (!B64.test(s) || s.length % 4 === 1) throw new TcpError('input', `${what}: not unpadded base64`)
  const b = new Uint8Array(Buffer.from(s, 'base64'))
  if (b64encode(b) !== s) throw new TcpError('input', `${what}: non-canonical base64`)
  return b
}

export function encodeStanza(s: Stanza): string {
  for (const a of [s.type, ...s.args]) if (!VCHAR.test(a)) throw new TcpError('internal', `stanza argument ${JSON.stringify(a)} is not 1*VCHAR`)
  const b = b64encode(s.body)
  const lines: string[] = []
  for (let i = 0; i <= b.length; i += 64) lines.push(b.slice(i, i + 64))
  return `-> ${[s.type, ...s.args].join(' ')}\n${lines.join('\n')}\n`
}

/** The bytes the header MAC covers: intro, stanzas and "---". */
export function encodeHeader(stanzas: Stanza[]): Uint8Array {
  return utf8(`${INTRO}\n${stanzas.map(encodeStanza).join('')}---`)
}

export function encodeMacLine(mac: Uint8Array): Uint8Array {
  return utf8(` ${b64encode(mac)}\n`)
}

function parseLines(text: string): {stanzas: Stanza[]; macB64: string; authLength: number} {
  const lines = text.split('\n')
  lines.pop() // the text ends with "\n"
  if (lines[0] !== INTRO) throw new TcpError('input', 'not an age file: the first line is not "age-encryption.org/v1"')
  const stanzas: Stanza[] = []
  let i = 1
  let authLength = INTRO.length + 1
  for (;;) {
    const line = lines[i]
    if (line === undefined) throw new TcpError('input', 'age header: no "---" line')
    if (line.startsWith('---')) {
      if (line.length !== 4 + 43 || line[3] !== ' ') throw new TcpError('input', 'age header: malformed MAC line')
      return {stanzas, macB64: line.slice(4), authLength: authLength + 3}
    }
    if (!line.startsWith('-> ')) throw new TcpError('input', `age header line ${i + 1}: expected a stanza ("-> ") or "---"`)
    const words = line.slice(3).split(' ')
    for (const w of words) if (!VCHAR.test(w)) throw new TcpError('input', `age header line ${i + 1}: empty or non-printable stanza argument`)
    authLength += line.length + 1
    i++
    let b = ''
    for (;;) {
      const body = lines[i]
      if (body === undefined) throw new TcpError('input', `age header: stanza "${words[0]}" has no body`)
      if (body.length > 64) throw new TcpError('input', `age header line ${i + 1}: body line longer than 64 columns`)
      b += body
      authLength += body.length + 1
      i++
      if (body.length < 64) break
    }
    stanzas.push({type: words[0]!, args: words.slice(1), body: b64decode(b, `age header: stanza "${words[0]}" body`)})
    if (stanzas.length > MAX_STANZAS) throw new TcpError('input', `age header: more than ${MAX_STANZAS} stanzas`)
  }
}

/** Reads the header from `src` (a block at a time, bounded by MAX_HEADER); `rest` continues after it. */
export async function readHeader(src: ByteSource): Promise<ParsedHeader> {
  // One growing buffer (doubling), searched only where new bytes arrived: linear in the header, whatever the read
  // sizes (a pipe may deliver a byte at a time).
  let store = new Uint8Array(4096)
  let len = 0
  let end = -1
  // Where the MAC line starts once seen: its end may arrive in a later read.
  let dashes = -1
  const intro = utf8(`${INTRO}\n`)
  while (end < 0) {
    if (len === store.length) {
      const bigger = new Uint8Array(store.length * 2)
      bigger.set(store)
      store = bigger
    }
    const n = await src.read(store, len, Math.min(4096, store.length - len))
    const seen = Buffer.from(store.buffer, store.byteOffset, len + n)
    if (n === 0) {
      if (len < intro.length || !intro.every((c, k) => store[k] === c)) throw new TcpError('input', `not an age file: it does not start with "${INTRO}"`)
      throw new TcpError('rejected', `truncated: the file ends at byte ${len}, inside the age header`)
    }
    for (let k = len; k < Math.min(len + n, intro.length); k++) if (store[k] !== intro[k]) throw new TcpError('input', `not an age file: it does not start with "${INTRO}"`)
    // The MAC line is the first line that starts with "---" (stanza lines start with "->", body lines are base64).
    if (dashes < 0) dashes = seen.indexOf('\n---', Math.max(0, len - 3), 'latin1')
    if (dashes >= 0) {
      const nl = seen.indexOf(10, Math.max(dashes + 1, len))
      if (nl >= 0) end = nl + 1
    }
    len += n
    if ((end < 0 ? len : end) > MAX_HEADER) throw new TcpError('input', `age header: longer than ${MAX_HEADER} bytes`)
  }
  const buf = store.subarray(0, len)
  const headerBytes = buf.subarray(0, end)
  if (headerBytes.some((c) => c > 0x7e || (c < 0x20 && c !== 0x0a))) throw new TcpError('input', 'age header: non-ASCII byte')
  const {stanzas, macB64, authLength} = parseLines(Buffer.from(headerBytes).toString('latin1'))
  const mac = b64decode(macB64, 'age header MAC')
  if (mac.length !== MAC_LENGTH) throw new TcpError('input', `age header MAC: expected ${MAC_LENGTH} bytes, got ${mac.length}`)
  let left = buf.subarray(end)
  const rest: ByteSource = {
    async read(b, offset, length) {
      if (left.length === 0) return src.read(b, offset, length)
      const n = Math.min(length, left.length)
      b.set(left.subarray(0, n), offset)
      left = left.subarray(n)
      return n
    },
  }
  return {stanzas, authenticated: headerBytes.subarray(0, authLength), mac, length: end, rest}
}
