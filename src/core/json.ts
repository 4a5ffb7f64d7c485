/**
 * JSON for signed and trusted content. JSON.parse keeps the LAST of duplicate member names, so a reviewer reading
 * the first and a verifier reading the last see different documents (RFC 8259 section 4 leaves duplicates
 * undefined; I-JSON, RFC 7493 section 2.3, forbids them). parseJson rejects them. It also rejects a UTF-8 BOM, bounds
 * the nesting depth (MAX_JSON_DEPTH: every recursive walker downstream, such as the canonical-JSON writer, can then
 * rely on it instead of overflowing the stack on a hostile document) and reports malformed input as a one-line
 * TcpError naming the input.
 */
import {TcpError} from './errors.js'

/** Deepest nesting of objects and arrays parseJson accepts (RFC 8259 section 9 lets a parser set such a limit). */
export const MAX_JSON_DEPTH = 128

/**
 * Throws when an object of the (already syntactically valid) JSON text repeats a member name, or when objects and
 * arrays nest deeper than MAX_JSON_DEPTH.
 */
function assertNoDuplicateKeys(text: string, what: string): void {
  const stack: Array<{keys: Set<string>; expectKey: boolean} | null> = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      // The closing quote is the first one not preceded by an odd number of backslashes (indexOf keeps long
      // base64 strings cheap to skip).
      let j = text.indexOf('"', i + 1)
      for (;;) {
        let b = 0
        while (text.charCodeAt(j - 1 - b) === 0x5c /* \ */) b++
        if (b % 2 === 0) break
        j = text.indexOf('"', j + 1)
      }
      const top = stack[stack.length - 1]
      if (top && top.expectKey) {
        const raw = text.slice(i + 1, j)
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, j + 1)) as string) : raw
        if (top.keys.has(key)) throw new TcpError('input', `${what}: duplicate member name ${JSON.stringify(key)}`)
        top.keys.add(key)
        top.expectKey = false
      }
      i = j
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) throw new TcpError('input', `${what}: nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays)`)
      stack.push(c === 0x7b ? {keys: new Set(), expectKey: true} : null)
    }
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop()
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1]
      if (top) top.expectKey = true
    }
  }
}

export function parseJson(text: string, what: string): unknown {
  if (typeof text !== 'string') throw new TcpError('input', `${what}: expected JSON text`)
  if (text.charCodeAt(0) === 0xfeff) throw new TcpError('input', `${what}: starts with a byte-order mark`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new TcpError('input', `${what}: not valid JSON (${(e as Error).message.split('\n')[0]})`)
  }
  assertNoDuplicateKeys(text, what)
  return value
}
