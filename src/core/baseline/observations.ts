/**
 * Reading observed telemetry: JSONL (one object a line) or CSV with a header. Each record has a `time` (ISO
 * 8601), optionally an `agent`, and numeric features. Every malformed line is reported with its line number; nothing
 * is skipped silently (blank lines and, in CSV, nothing else are ignored).
 */
import {TcpError, quote} from '../errors.js'
import {parseJson} from '../json.js'
import {parseTime} from '../time.js'
import {forEachLine} from '../io.js'
import {flatWithoutDuplicates} from './fastline.js'
import {fastUtcTime} from '../time.js'

export interface Observation {
  agent: string | null
  time: number
  values: Record<string, number>
}

export interface ObservationSet {
  features: string[]
  rows: Observation[]
}

const RESERVED = new Set(['agent', 'time'])
// Names that would reach Object.prototype instead of becoming a feature.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])
export const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

function fail(what: string, line: number, msg: string): never {
  throw new TcpError('input', `${what}:${line}: ${msg}`)
}

function checkTime(v: unknown, what: string, line: number): number {
  return parseTime(v, `${what}:${line}: "time"`)
}

function checkFeatureSet(features: string[] | null, keys: string[], what: string, line: number): string[] {
  if (keys.length === 0) fail(what, line, 'no numeric features')
  if (features === null) return keys
  const missing = features.filter((f) => !keys.includes(f))
  const extra = keys.filter((k) => !features.includes(k))
  if (missing.length) fail(what, line, `missing feature "${missing[0]}"`)
  if (extra.length) fail(what, line, `unexpected feature "${extra[0]}" (not on the first line)`)
  return features
}

/**
 * One record of JSONL or CSV at a time: the same checks whether the input is a string in memory or a stream of
 * lines (streamObservations), so memory does not grow with the input.
 */
export class ObservationParser {
  features: string[] | null = null
  private format: 'jsonl' | 'csv' | null = null
  private header: string[] | null = null

  /** `format`: decided by the caller (a part of a file), else by the first non-blank line. */
  constructor(
    readonly what: string,
    format: 'jsonl' | 'csv' | null = null,
  ) {
    this.format = format
  }

  /** Parses line `n` (1-based, without its newline). Null for a blank line or the CSV header. */
  line(raw: string, n: number): Observation | null {
    if (raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1)
    if (raw.trim() === '') return null
    if (this.format === null) this.format = raw.trimStart()[0] === '{' ? 'jsonl' : 'csv'
    if (this.format === 'jsonl') return this.jsonl(raw, n)
    if (this.header === null) {
      this.csvHeader(raw, n)
      return null
    }
    return this.csvRow(raw, n)
  }

  private jsonl(raw: string, n: number): Observation {
    const what = this.what
    let o: unknown
    try {
      o = JSON.parse(raw)
      // JSON.parse keeps the last of duplicate names: unless the cheap check proves there is none, scan.
      if (!o || typeof o !== 'object' || Array.isArray(o) || !flatWithoutDuplicates(raw, o as Record<string, unknown>)) o = parseJson(raw, `${what}:${n}`)
    } catch (e) {
      if (e instanceof TcpError && /duplicate/.test(e.message)) throw e
      throw notJsonLine(what, n, raw)
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) fail(what, n, 'expected a JSON object')
    const rec = o as Record<string, unknown>
    const ft = typeof rec.time === 'string' ? fastUtcTime(rec.time) : NaN
    const time = Number.isNaN(ft) ? checkTime(rec.time, what, n) : ft
    const agent = rec.agent === undefined || rec.agent === null ? null : rec.agent
    if (agent !== null && (typeof agent !== 'string' || agent === '')) fail(what, n, '"agent" must be a non-empty string')
    const values: Record<string, number> = {}
    // Most lines name the same features in the same order as the first: compare in place, and build the list of
    // names (for checkFeatureSet's messages) only when they differ.
    const f = this.features
    let same = f !== null
    let count = 0
    for (const k in rec) {
      if (k === 'time' || k === 'agent') continue
      const v = rec[k]
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') fail(what, n, `"${k}" cannot be a feature name`)
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(what, n, `feature "${k}" must be a finite number, got ${quote(v)}`)
      values[k] = v
      if (same && f![count] !== k) same = false
      count++
    }
    if (!same || f!.length !== count) this.features = checkFeatureSet(f, Object.keys(values), what, n)
    return {agent: agent as string | null, time, values}
  }

  private csvHeader(raw: string, n: number): void {
    const what = this.what
    const header = splitCsv(raw, what, n).map((h) => h.trim())
    if (new Set(header).size !== header.length) fail(what, n, 'duplicate column in header')
    if (!header.includes('time')) fail(what, n, 'header has no "time" column')
    const features = header.filter((h) => !RESERVED.has(h))
    if (features.length === 0) fail(what, n, 'header has no feature columns')
    if (features.some((f) => f === '')) fail(what, n, 'empty column name in header')
    const bad = features.find((f) => FORBIDDEN.has(f))
    if (bad) fail(what, n, `"${bad}" cannot be a feature name`)
    this.header = header
    this.features = features
  }

  private csvRow(raw: string, n: number): Observation {
    const what = this.what
    const header = this.header!
    const cells = splitCsv(raw, what, n)
    if (cells.length !== header.length) fail(what, n, `expected ${header.length} fields, got ${cells.length}`)
    const values: Record<string, number> = {}
    let time = 0
    let agent: string | null = null
    for (let j = 0; j < header.length; j++) {
      const h = header[j]!
      const cell = cells[j]!.trim()
      if (h === 'time') time = checkTime(cell, what, n)
      else if (h === 'agent') agent = cell === '' ? null : cell
      else {
        if (!NUMBER_RE.test(cell)) fail(what, n, `feature "${h}" must be a number, got ${quote(cell)}`)
        const v = Number(cell)
        if (!Number.isFinite(v)) fail(what, n, `feature "${h}" is out of range: ${quote(cell)}`)
        values[h] = v
      }
    }
    return {agent, time, values}
  }
}

/**
 * Splits one CSV record (RFC 4180 quoting; a quote opens a quoted field only at the start of a field). Linear in
 * the line's length: fields are sliced, never built a character at a time.
 */
export function splitCsv(line: string, what: string, n: number): string[] {
  const out: string[] = []
  let i = 0
  for (;;) {
    let field: string
    if (line.charCodeAt(i) === 0x22 /* " */) {
      const parts: string[] = []
      let j = i + 1
      for (;;) {
        const k = line.indexOf('"', j)
        if (k < 0) fail(what, n, 'unterminated quoted field')
        parts.push(line.slice(j, k))
        if (line.charCodeAt(k + 1) === 0x22) {
          parts.push('"')
          j = k + 2
        } else {
          i = k + 1
          break
        }
      }
      const c = line.indexOf(',', i)
      parts.push(line.slice(i, c < 0 ? line.length : c)) // text after the closing quote is kept as it is
      field = parts.join('')
      i = c
    } else {
      const c = line.indexOf(',', i)
      field = line.slice(i, c < 0 ? line.length : c)
      i = c
    }
    out.push(field)
    if (i < 0) return out
    i++
  }
}

/** Parses observations held in memory; the format is JSONL when the first non-blank character is "{", CSV otherwise. */
export function parseObservations(text: string, what = 'observations'): ObservationSet {
  const p = new ObservationParser(what)
  const rows: Observation[] = []
  let n = 0
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const o = p.line(text.slice(start, end), ++n)
    if (o) rows.push(o)
    start = end + 1
  }
  return {features: p.features ?? [], rows}
}

/**
 * Streams the observations of a file through `onRow`, one line at a time: memory stays bounded by the longest
 * line (at most `maxLine` characters), whatever the file's size. Returns the feature names.
 */
export async function streamObservations(path: string, onRow: (o: Observation) => void, opts: {what?: string; maxLine?: number} = {}): Promise<string[]> {
  const what = opts.what ?? path
  const p = new ObservationParser(what)
  await forEachLine(path, (line, n) => {
    const o = p.line(line, n)
    if (o) onRow(o)
  }, {what: 'observations', maxLine: opts.maxLine})
  return p.features ?? []
}

export function filterAgent(set: ObservationSet, agent: string | undefined, what = 'observations'): ObservationSet {
  if (agent === undefined) return set
  const rows = set.rows.filter((r) => r.agent === agent)
  if (rows.length === 0) {
    const known = [...new Set(set.rows.map((r) => r.agent).filter(Boolean))].slice(0, 5)
    throw new TcpError('input', `${what}: no observations of agent "${agent}"${known.length ? ` (agents seen: ${known.join(', ')}...)` : ''}`)
  }
  return {features: set.features, rows}
}

/** Line n of a JSONL input is not JSON; a line that only opens a JSON document (a pretty-printed envelope) says so. */
export function notJsonLine(what: string, n: number, raw: string): TcpError {
  const doc = /^\s*[[{]\s*$/.test(raw) ? ': observations are one JSON object per line, and this line opens a multi-line JSON document' : ''
  return new TcpError('input', `${what}:${n}: not valid JSON${doc}`)
}
