/**
 * Reading observed telemetry: JSONL (one object a line) or CSV with a header. Each record has a `time` (ISO
 * 8601), optionally an `agent`, and numeric features. Every malformed line is reported with its line number; nothing
 * is skipped silently (blank lines and, in CSV, nothing else are ignored).
 */
import {TcpError} from '../errors.js'
import {parseJson} from '../json.js'
import {parseTime} from '../time.js'

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

function parseJsonl(text: string, what: string): ObservationSet {
  let features: string[] | null = null
  const rows: Observation[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '')
    if (raw.trim() === '') continue
    const n = i + 1
    let o: unknown
    try {
      o = parseJson(raw, `${what}:${n}`)
    } catch (e) {
      throw e instanceof TcpError && /duplicate/.test(e.message) ? e : new TcpError('input', `${what}:${n}: not valid JSON`)
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) fail(what, n, 'expected a JSON object')
    const rec = o as Record<string, unknown>
    const time = checkTime(rec.time, what, n)
    const agent = rec.agent === undefined || rec.agent === null ? null : rec.agent
    if (agent !== null && (typeof agent !== 'string' || agent === '')) fail(what, n, '"agent" must be a non-empty string')
    const values: Record<string, number> = {}
    const keys: string[] = []
    for (const [k, v] of Object.entries(rec)) {
      if (RESERVED.has(k)) continue
      if (FORBIDDEN.has(k)) fail(what, n, `"${k}" cannot be a feature name`)
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(what, n, `feature "${k}" must be a finite number, got ${JSON.stringify(v)}`)
      values[k] = v
      keys.push(k)
    }
    features = checkFeatureSet(features, keys, what, n)
    rows.push({agent: agent as string | null, time, values})
  }
  return {features: features ?? [], rows}
}

export function splitCsv(line: string, what: string, n: number): string[] {
  const out: string[] = []
  let cur = ''
  let q = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++
      else if (c === '"') q = false
      else cur += c
    } else if (c === '"' && cur === '') q = true
    else if (c === ',') out.push(cur), (cur = '')
    else cur += c
  }
  if (q) fail(what, n, 'unterminated quoted field')
  out.push(cur)
  return out
}

function parseCsv(text: string, what: string): ObservationSet {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  const headerAt = lines.findIndex((l) => l.trim() !== '')
  if (headerAt < 0) return {features: [], rows: []}
  const header = splitCsv(lines[headerAt]!, what, headerAt + 1).map((h) => h.trim())
  if (new Set(header).size !== header.length) fail(what, headerAt + 1, 'duplicate column in header')
  if (!header.includes('time')) fail(what, headerAt + 1, 'header has no "time" column')
  const features = header.filter((h) => !RESERVED.has(h))
  if (features.length === 0) fail(what, headerAt + 1, 'header has no feature columns')
  if (features.some((f) => f === '')) fail(what, headerAt + 1, 'empty column name in header')
  const bad = features.find((f) => FORBIDDEN.has(f))
  if (bad) fail(what, headerAt + 1, `"${bad}" cannot be a feature name`)
  const rows: Observation[] = []
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue
    const n = i + 1
    const cells = splitCsv(lines[i]!, what, n)
    if (cells.length !== header.length) fail(what, n, `expected ${header.length} fields, got ${cells.length}`)
    const values: Record<string, number> = {}
    let time = 0
    let agent: string | null = null
    header.forEach((h, j) => {
      const cell = cells[j]!.trim()
      if (h === 'time') time = checkTime(cell, what, n)
      else if (h === 'agent') agent = cell === '' ? null : cell
      else {
        if (!NUMBER_RE.test(cell)) fail(what, n, `feature "${h}" must be a number, got ${JSON.stringify(cell)}`)
        const v = Number(cell)
        if (!Number.isFinite(v)) fail(what, n, `feature "${h}" is out of range: ${cell}`)
        values[h] = v
      }
    })
    rows.push({agent, time, values})
  }
  return {features, rows}
}

/** Parses observations; the format is JSONL when the first non-blank character is "{", CSV otherwise. */
export function parseObservations(text: string, what = 'observations'): ObservationSet {
  const first = text.trimStart()[0]
  return first === '{' ? parseJsonl(text, what) : parseCsv(text, what)
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
