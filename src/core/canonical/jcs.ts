/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Object members sorted by their UTF-16 code units (section 3.2.3),
 * numbers in ECMAScript Number-to-String form (section 3.2.2.3, what JSON.stringify emits for finite numbers),
 * strings escaped as JSON.stringify does (section 3.2.2.2). Rejects what JCS cannot represent: non-finite numbers,
 * lone surrogates, undefined, functions, symbols, bigint, cycles.
 * Does NOT check I-JSON limits beyond that (integers above 2^53 are already rounded by JSON.parse).
 */
import {TcpError} from '../errors.js'
import {utf8} from '../bytes.js'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
// String.prototype.isWellFormed (ES2024, in Node 20) answers the same question without a regular expression.
const wellFormed: (s: string) => boolean =
  typeof (String.prototype as {isWellFormed?: unknown}).isWellFormed === 'function'
    ? (s) => (s as unknown as {isWellFormed(): boolean}).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s)

/** The JSONPath-like name of the value being written, built only for an error message. */
function pathOf(keys: Array<string | number>): string {
  return '$' + keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')
}

function ser(v: unknown, keys: Array<string | number>, seen: Set<object>): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(v)) throw new TcpError('input', `canonical JSON: ${pathOf(keys)} is ${v}, not a finite number`)
      return String(v) // the ECMAScript Number-to-String form, as JSON.stringify writes it (-0 as 0)
    case 'string':
      if (!wellFormed(v)) throw new TcpError('input', `canonical JSON: ${pathOf(keys)} holds a lone surrogate`)
      return JSON.stringify(v)
    case 'object': {
      if (seen.has(v as object)) throw new TcpError('input', `canonical JSON: ${pathOf(keys)} is a cycle`)
      seen.add(v as object)
      let out: string
      if (Array.isArray(v)) {
        out = '['
        for (let i = 0; i < v.length; i++) {
          keys.push(i)
          out += (i ? ',' : '') + ser(v[i], keys, seen)
          keys.pop()
        }
        out += ']'
      } else {
        const o = v as Record<string, unknown>
        const names = Object.keys(o).sort() // sort() compares UTF-16 code units: exactly RFC 8785 section 3.2.3
        out = '{'
        let first = true
        for (const k of names) {
          if (o[k] === undefined) continue
          if (!wellFormed(k)) throw new TcpError('input', `canonical JSON: a key of ${pathOf(keys)} holds a lone surrogate`)
          keys.push(k)
          out += (first ? '' : ',') + JSON.stringify(k) + ':' + ser(o[k], keys, seen)
          keys.pop()
          first = false
        }
        out += '}'
      }
      seen.delete(v as object)
      return out
    }
    default:
      throw new TcpError('input', `canonical JSON: ${pathOf(keys)} is a ${typeof v}, which JSON cannot hold`)
  }
}

export function canonicalize(value: unknown): string {
  return ser(value, [], new Set())
}

export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value))
}
