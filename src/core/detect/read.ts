/**
 * Reading a fleet's telemetry from a file, streamed line by line into typed arrays (never one object per line):
 * JSONL (one object a line, as `tcp sample` writes) or CSV with a header, both with `agent`, `time` (RFC 3339) and
 * numeric features. Every malformed line is an input error naming the file and the line.
 *
 * Formats are a table keyed by TelemetryFormat. Hook for verified logs: the signed `tcp log` format (branch `log`)
 * becomes one more entry here, whose reader checks the log's signatures and chain before it yields a single record,
 * and whose report says where trust came from; detectFleet then runs unchanged on the records it yields.
 *
 * Alignment: agents are aligned by observation index. Each agent's records are sorted by time; an agent with two
 * records at one time is refused (a replay); T is the median count over the agents; agents with more keep their
 * last T (the report counts them), agents with fewer are left out and named (they are NOT examined). The timeline's clock is that of the first agent in the file.
 */
import {createReadStream} from 'node:fs'
import {createInterface} from 'node:readline'
import {TcpError} from '../errors.js'
import {grown} from '../bytes.js'
import {parseTime} from '../time.js'
import {NUMBER_RE, notJsonLine, splitCsv} from '../baseline/observations.js'
import {MAX_FEATURES, MemoryFleet} from './fleet.js'
import {medianInPlace} from './stats.js'

export type TelemetryFormat = 'jsonl' | 'csv'
export const MAX_LINES = 50_000_000
/** Records x features held in memory at most (1.6 GB of float64). */
export const MAX_VALUES = 200_000_000

interface LineReader {
  /** Called for every non-blank line; `emit` stores one record. */
  line(text: string, n: number): void
}

export interface RecordSink {
  features: string[] | null
  emit(agent: string, time: number, values: ArrayLike<number>): void
}

const RESERVED = new Set(['agent', 'time'])
/** Control characters (C0, DEL, C1) and Unicode line/bidi controls: an agent name carrying them could rewrite the terminal line that names it. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const MAX_AGENT = 256

/** Why an agent name is refused, or null: it is printed in reports, on terminals and in the SVG. */
function agentError(agent: unknown): string | null {
  if (typeof agent !== 'string' || agent === '') return '"agent" must be a non-empty string'
  if (agent.length > MAX_AGENT) return `"agent" is longer than ${MAX_AGENT} characters`
  if (CONTROL.test(agent)) return `"agent" ${JSON.stringify(agent)} contains a control character`
  return null
}
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

function jsonlReader(what: string, sink: RecordSink): LineReader {
  const vals: number[] = []
  // Files are usually time-major (every agent at one time, then the next): the last time string parsed is reused.
  let lastTime: string | null = null
  let lastMs = 0
  return {
    line(text, n) {
      let o: unknown
      try {
        o = JSON.parse(text)
      } catch {
        throw notJsonLine(what, n, text)
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TcpError('input', `${what}:${n}: expected a JSON object`)
      const rec = o as Record<string, unknown>
      const agent = rec.agent
      const badAgent = agentError(agent)
      if (badAgent) throw new TcpError('input', `${what}:${n}: ${badAgent}`)
      const name = agent as string
      const time = typeof rec.time === 'string' && rec.time === lastTime ? lastMs : parseTime(rec.time, `${what}:${n}: "time"`)
      lastTime = rec.time as string
      lastMs = time
      if (sink.features === null) {
        const keys = Object.keys(rec).filter((k) => !RESERVED.has(k))
        if (keys.length === 0) throw new TcpError('input', `${what}:${n}: no numeric features`)
        if (keys.length > MAX_FEATURES) throw new TcpError('input', `${what}:${n}: at most ${MAX_FEATURES} features, got ${keys.length}`)
        const bad = keys.find((k) => FORBIDDEN.has(k))
        if (bad) throw new TcpError('input', `${what}:${n}: "${bad}" cannot be a feature name`)
        sink.features = keys
      }
      const fs = sink.features
      let count = 0
      for (const k in rec) if (!RESERVED.has(k)) count++
      if (count !== fs.length) throw new TcpError('input', `${what}:${n}: expected the ${fs.length} features of the first line, got ${count}`)
      vals.length = 0
      for (const k of fs) {
        const v = rec[k]
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new TcpError('input', `${what}:${n}: feature "${k}" must be a finite number, got ${JSON.stringify(v) ?? 'nothing'}`)
        vals.push(v)
      }
      sink.emit(name, time, vals)
    },
  }
}

function csvReader(what: string, sink: RecordSink): LineReader {
  let header: string[] | null = null
  let ai = -1
  let ti = -1
  let fi: number[] = []
  const vals: number[] = []
  let lastTime: string | null = null
  let lastMs = 0
  return {
    line(text, n) {
      const cells = splitCsv(text, what, n).map((c) => c.trim())
      if (header === null) {
        header = cells
        if (new Set(header).size !== header.length) throw new TcpError('input', `${what}:${n}: duplicate column in header`)
        ai = header.indexOf('agent')
        ti = header.indexOf('time')
        if (ai < 0 || ti < 0) throw new TcpError('input', `${what}:${n}: header needs "agent" and "time" columns`)
        fi = header.map((_, j) => j).filter((j) => j !== ai && j !== ti)
        const fs = fi.map((j) => header![j]!)
        if (fs.length === 0 || fs.length > MAX_FEATURES) throw new TcpError('input', `${what}:${n}: expected 1 to ${MAX_FEATURES} feature columns, got ${fs.length}`)
        const bad = fs.find((f) => f === '' || FORBIDDEN.has(f))
        if (bad !== undefined) throw new TcpError('input', `${what}:${n}: "${bad}" cannot be a feature name`)
        sink.features = fs
        return
      }
      if (cells.length !== header.length) throw new TcpError('input', `${what}:${n}: expected ${header.length} fields, got ${cells.length}`)
      const agent = cells[ai]!
      const badAgent = agentError(agent)
      if (badAgent) throw new TcpError('input', `${what}:${n}: ${badAgent}`)
      const time = cells[ti] === lastTime ? lastMs : parseTime(cells[ti], `${what}:${n}: "time"`)
      lastTime = cells[ti]!
      lastMs = time
      vals.length = 0
      for (const j of fi) {
        const c = cells[j]!
        const v = Number(c)
        if (!NUMBER_RE.test(c) || !Number.isFinite(v)) throw new TcpError('input', `${what}:${n}: feature "${header[j]}" must be a number, got ${JSON.stringify(c)}`)
        vals.push(v)
      }
      sink.emit(agent, time, vals)
    },
  }
}

export const TELEMETRY_FORMATS: Record<TelemetryFormat, (what: string, sink: RecordSink) => LineReader> = {
  jsonl: jsonlReader,
  csv: csvReader,
}

/** Accumulates records in growable typed arrays, then aligns them into a MemoryFleet. */
export class FleetBuilder implements RecordSink {
  features: string[] | null = null
  private ids = new Map<string, number>()
  private names: string[] = []
  private agentOf = new Int32Array(1024)
  private timeOf = new Float64Array(1024)
  private vals = new Float64Array(1024)
  private count = 0

  constructor(private readonly what: string) {}

  get records(): number {
    return this.count
  }

  emit(agent: string, time: number, values: ArrayLike<number>): void {
    const F = values.length
    if ((this.count + 1) * F > MAX_VALUES) throw new TcpError('input', `${this.what}: more than ${MAX_VALUES.toLocaleString('en-US')} values`)
    if (this.count === this.agentOf.length) {
      this.agentOf = grown(this.agentOf, this.count * 2)
      this.timeOf = grown(this.timeOf, this.count * 2)
    }
    if ((this.count + 1) * F > this.vals.length) {
      const b = new Float64Array(Math.max(this.vals.length * 2, (this.count + 1) * F))
      b.set(this.vals)
      this.vals = b
    }
    let id = this.ids.get(agent)
    if (id === undefined) {
      id = this.names.length
      this.ids.set(agent, id)
      this.names.push(agent)
    }
    this.agentOf[this.count] = id
    this.timeOf[this.count] = time
    for (let f = 0; f < F; f++) this.vals[this.count * F + f] = values[f]!
    this.count++
  }

  build(): {fleet: MemoryFleet; truncatedAgents: number; shortAgents: string[]} {
    const what = this.what
    const F = this.features?.length ?? 0
    const n = this.names.length
    if (n < 2) throw new TcpError('input', `${what}: expected telemetry of at least 2 agents, got ${n}`)
    const counts = new Int32Array(n + 1)
    for (let r = 0; r < this.count; r++) counts[this.agentOf[r]! + 1]!++
    // T is the median count: one agent that reports 8 observations must not shorten the whole fleet's series (a
    // blinding attack); agents with fewer than T are left out and listed, never dropped silently.
    const T = Math.floor(medianInPlace(Float64Array.from(counts.subarray(1))))
    if (T < 8) throw new TcpError('input', `${what}: agents have a median of ${T} observations; at least 8 are needed`)
    const short: string[] = []
    for (let a = 0; a < n; a++) if (counts[a + 1]! < T) short.push(this.names[a]!)
    if (n - short.length < 2) throw new TcpError('input', `${what}: fewer than 2 agents have ${T} observations`)
    for (let a = 0; a < n; a++) counts[a + 1]! += counts[a]!
    const order = new Int32Array(this.count)
    const next = counts.slice(0, n)
    for (let r = 0; r < this.count; r++) order[next[this.agentOf[r]!]!++] = r
    const kept = n - short.length
    const values = new Float64Array(kept * T * F)
    const times = new Float64Array(T)
    const ids: string[] = []
    let truncated = 0
    for (let a = 0; a < n; a++) {
      const rows = order.subarray(counts[a]!, counts[a + 1]!)
      if (rows.length < T) continue
      const slot = ids.length
      ids.push(this.names[a]!)
      let sorted = true
      for (let k = 1; k < rows.length; k++) if (this.timeOf[rows[k]!]! < this.timeOf[rows[k - 1]!]!) sorted = false
      if (!sorted) rows.sort((x, y) => this.timeOf[x]! - this.timeOf[y]!)
      for (let k = 1; k < rows.length; k++)
        if (this.timeOf[rows[k]!] === this.timeOf[rows[k - 1]!])
          throw new TcpError('input', `${what}: agent "${this.names[a]}" has two observations at ${new Date(this.timeOf[rows[k]!]!).toISOString()}`)
      if (rows.length > T) truncated++
      const keep = rows.subarray(rows.length - T)
      for (let t = 0; t < T; t++) {
        const r = keep[t]!
        if (slot === 0) times[t] = this.timeOf[r]!
        for (let f = 0; f < F; f++) values[(slot * T + t) * F + f] = this.vals[r * F + f]!
      }
    }
    return {fleet: new MemoryFleet({agents: ids, features: this.features!, observations: T, values, times}), truncatedAgents: truncated, shortAgents: short}
  }
}

export interface ReadFleetResult {
  fleet: MemoryFleet
  format: TelemetryFormat
  lines: number
  truncatedAgents: number
  /** Agents left out because they have fewer observations than the median T: they were NOT examined. */
  shortAgents: string[]
}

/** Streams a JSONL or CSV file (by its first non-blank character: "{" is JSONL) into a fleet. */
export async function readFleet(path: string, opts: {maxLines?: number} = {}): Promise<ReadFleetResult> {
  const maxLines = opts.maxLines ?? MAX_LINES
  const sink = new FleetBuilder(path)
  let reader: LineReader | null = null
  let format: TelemetryFormat = 'jsonl'
  let n = 0
  const stream = createReadStream(path, {encoding: 'utf8'})
  const lines = createInterface({input: stream, crlfDelay: Infinity})
  try {
    for await (const raw of lines) {
      n++
      if (n > maxLines) throw new TcpError('input', `${path}: more than ${maxLines.toLocaleString('en-US')} lines`)
      if (raw.trim() === '') continue
      if (reader === null) {
        format = raw.trimStart().startsWith('{') ? 'jsonl' : 'csv'
        reader = TELEMETRY_FORMATS[format](path, sink)
      }
      reader.line(raw, n)
    }
  } catch (e) {
    if (e instanceof TcpError) throw e
    const code = (e as {code?: string}).code
    if (code === 'ENOENT') throw new TcpError('not_found', `${path}: no such file`)
    throw new TcpError('io', `${path}: cannot read: ${(e as Error).message}`)
  } finally {
    lines.close()
    stream.destroy()
  }
  if (reader === null) throw new TcpError('input', `${path}: no telemetry (empty file)`)
  const {fleet, truncatedAgents, shortAgents} = sink.build()
  return {fleet, format, lines: n, truncatedAgents, shortAgents}
}
