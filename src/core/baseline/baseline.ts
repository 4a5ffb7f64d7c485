/**
 * Creating, parsing and digesting baselines. Canonical bytes: RFC 8785 (JCS) of the document; digest: SHA3-256 of
 * those bytes. A chain links each version to the digest of the one before it.
 */
import {TcpError, quote} from '../errors.js'
import {parseTime} from '../time.js'
import {toHex} from '../bytes.js'
import {sha3_256} from '../crypto/hash.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {assertDecimals, decodeMoments, encodeMoments, momentsOfQuantized, quantize} from '../aggregate/moments.js'
import {Welford, featureStats} from './stats.js'
import type {Observation, ObservationSet} from './observations.js'
import {BASELINE_SCHEMA, type Baseline, type FeatureStats} from './types.js'

export interface CreateOptions {
  subject: string
  agent?: string | null
  notAfter?: string | null
  previous?: Baseline | null
  created?: string
  /** Record exact moments of the observations quantised to this many decimals (for tcp aggregate). */
  momentsDecimals?: number
}

const SUBJECT_RE = /^[\x21-\x7e]{1,200}$/

function checkSubject(subject: string): void {
  if (!SUBJECT_RE.test(subject)) throw new TcpError('usage', `--subject: 1 to 200 printable ASCII characters without spaces, got ${quote(subject)}`)
}

/**
 * Accumulates observations one at a time (Welford per feature, the time window, the agents seen): memory does
 * not grow with the number of observations. `agent` keeps only that agent's rows.
 */
export interface BuilderState {
  acc: Array<[string, {n: number; mean: number; m2: number; min: number; max: number}]>
  start: number
  end: number
  rows: number
  agentsSeen: string[]
}

export class BaselineBuilder {
  private acc = new Map<string, Welford>()
  private start = Infinity
  private end = -Infinity
  rows = 0
  /** Up to 5 distinct agents seen, for the error when `agent` matched nothing. */
  readonly agentsSeen = new Set<string>()

  constructor(private readonly agent?: string) {}

  /** Plain data for another thread (see parallel.ts). */
  state(): BuilderState {
    return {
      acc: [...this.acc].map(([f, w]) => [f, {n: w.n, mean: w.mean, m2: w.m2, min: w.min, max: w.max}]),
      start: this.start,
      end: this.end,
      rows: this.rows,
      agentsSeen: [...this.agentsSeen],
    }
  }

  /** Adds the observations of a later part of the input (parts must be absorbed in input order). */
  absorb(s: BuilderState): void {
    for (const [f, o] of s.acc) {
      let w = this.acc.get(f)
      if (!w) this.acc.set(f, (w = new Welford()))
      w.merge(o)
    }
    if (s.start < this.start) this.start = s.start
    if (s.end > this.end) this.end = s.end
    this.rows += s.rows
    for (const a of s.agentsSeen) if (this.agentsSeen.size < 5) this.agentsSeen.add(a)
  }

  add(r: Observation): void {
    if (r.agent !== null && this.agentsSeen.size < 5) this.agentsSeen.add(r.agent)
    if (this.agent !== undefined && r.agent !== this.agent) return
    this.rows++
    if (r.time < this.start) this.start = r.time
    if (r.time > this.end) this.end = r.time
    for (const f in r.values) {
      let w = this.acc.get(f)
      if (!w) this.acc.set(f, (w = new Welford()))
      w.push(r.values[f]!)
    }
  }

  finish(opts: CreateOptions, what = 'observations'): Baseline {
    checkSubject(opts.subject)
    if (this.agent !== undefined && this.rows === 0) {
      const known = [...this.agentsSeen]
      throw new TcpError('input', `${what}: no observations of agent "${this.agent}"${known.length ? ` (agents seen: ${known.join(', ')}...)` : ''}`)
    }
    if (this.rows < 2) throw new TcpError('input', `observations: a baseline needs at least 2 observations, got ${this.rows}`)
    const created = opts.created ?? new Date().toISOString()
    let notAfter: string | null = null
    if (opts.notAfter) {
      const t = parseTime(opts.notAfter, '--not-after')
      if (t <= Date.parse(created)) throw new TcpError('usage', `--not-after: ${opts.notAfter} is not after the creation time ${created}`)
      notAfter = new Date(t).toISOString()
    }
    const features: Record<string, FeatureStats> = {}
    for (const f of [...this.acc.keys()].sort()) features[f] = featureStats(this.acc.get(f)!, f)
    const prev = opts.previous ?? null
    if (prev && prev.subject !== opts.subject)
      throw new TcpError('usage', `--previous: its subject is "${prev.subject}", not "${opts.subject}"`)
    return {
      schema: BASELINE_SCHEMA,
      subject: opts.subject,
      agent: opts.agent ?? null,
      version: prev ? prev.version + 1 : 1,
      previous: prev ? toHex(baselineDigest(prev)) : null,
      created,
      notAfter,
      window: {start: new Date(this.start).toISOString(), end: new Date(this.end).toISOString(), observations: this.rows},
      features,
    }
  }
}

export function createBaseline(obs: ObservationSet, opts: CreateOptions): Baseline {
  const b = new BaselineBuilder()
  for (const r of obs.rows) b.add(r)
  const base = b.finish(opts)
  const moments = opts.momentsDecimals === undefined ? undefined : exactMoments(obs, opts.momentsDecimals)
  return moments ? {...base, moments} : base
}

/**
 * Builds a baseline from an observations file without holding it in memory (see parallel.ts). With
 * `opts.agent`, only that agent's observations count.
 */
export async function createBaselineFromFile(path: string, opts: CreateOptions & {agent?: string}): Promise<Baseline> {
  // Refuse bad options before reading what may be gigabytes.
  checkSubject(opts.subject)
  if (opts.notAfter) parseTime(opts.notAfter, '--not-after')
  const {accumulateFile} = await import('./parallel.js')
  const b = await accumulateFile(path, opts.agent ?? undefined)
  return b.finish(opts, path)
}

function exactMoments(obs: ObservationSet, decimals: number): NonNullable<Baseline['moments']> {
  assertDecimals(decimals, '--decimals')
  const features: NonNullable<Baseline['moments']>['features'] = {}
  for (const f of [...obs.features].sort())
    features[f] = encodeMoments(momentsOfQuantized(obs.rows.map((r, i) => quantize(r.values[f]!, decimals, `observation ${i + 1} feature "${f}"`))))
  return {decimals, features}
}

export function baselineBytes(b: Baseline): Uint8Array {
  return canonicalBytes(b)
}

export function baselineDigest(b: Baseline): Uint8Array {
  return sha3_256(baselineBytes(b))
}

// ---- strict parsing ----

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function exactKeys(o: Record<string, unknown>, keys: string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new TcpError('input', `${what}: unknown field "${k}"`)
  for (const k of keys) if (!(k in o)) throw new TcpError('input', `${what}: missing field "${k}"`)
}

function num(o: Record<string, unknown>, k: string, what: string, int = false): number {
  const v = o[k]
  if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isSafeInteger(v)))
    throw new TcpError('input', `${what}.${k}: expected ${int ? 'an integer' : 'a finite number'}, got ${JSON.stringify(v)}`)
  return v
}

function iso(v: unknown, what: string, nullable = false): void {
  if (nullable && v === null) return
  parseTime(v, what)
}

export function parseBaseline(doc: unknown, what = 'baseline'): Baseline {
  if (!isObj(doc)) throw new TcpError('input', `${what}: expected a JSON object`)
  if (doc.schema !== BASELINE_SCHEMA) throw new TcpError('input', `${what}: schema must be "${BASELINE_SCHEMA}", got ${JSON.stringify(doc.schema)}`)
  const {moments, ...core} = doc
  exactKeys(core, ['schema', 'subject', 'agent', 'version', 'previous', 'created', 'notAfter', 'window', 'features'], what)
  if (typeof doc.subject !== 'string' || !SUBJECT_RE.test(doc.subject)) throw new TcpError('input', `${what}.subject: expected a printable name`)
  if (doc.agent !== null && typeof doc.agent !== 'string') throw new TcpError('input', `${what}.agent: expected a string or null`)
  const version = num(doc, 'version', what, true)
  if (version < 1) throw new TcpError('input', `${what}.version: expected >= 1, got ${version}`)
  if (doc.previous !== null && (typeof doc.previous !== 'string' || !/^[0-9a-f]{64}$/.test(doc.previous)))
    throw new TcpError('input', `${what}.previous: expected 64 hex digits or null`)
  if ((version === 1) !== (doc.previous === null))
    throw new TcpError('input', `${what}: version ${version} ${version === 1 ? 'must not' : 'must'} name a previous baseline`)
  iso(doc.created, `${what}.created`)
  iso(doc.notAfter, `${what}.notAfter`, true)
  if (!isObj(doc.window)) throw new TcpError('input', `${what}.window: expected an object`)
  exactKeys(doc.window, ['start', 'end', 'observations'], `${what}.window`)
  iso(doc.window.start, `${what}.window.start`)
  iso(doc.window.end, `${what}.window.end`)
  num(doc.window, 'observations', `${what}.window`, true)
  if (!isObj(doc.features) || Object.keys(doc.features).length === 0) throw new TcpError('input', `${what}.features: expected a non-empty object`)
  for (const [name, f] of Object.entries(doc.features)) {
    const w = `${what}.features.${name}`
    if (!isObj(f)) throw new TcpError('input', `${w}: expected an object`)
    exactKeys(f, ['count', 'mean', 'variance', 'sd', 'min', 'max', 'fixed'], w)
    for (const k of ['mean', 'sd', 'min', 'max']) num(f, k, w)
    if (num(f, 'count', w, true) < 1) throw new TcpError('input', `${w}.count: expected >= 1`)
    if (num(f, 'variance', w) < 0) throw new TcpError('input', `${w}.variance: must not be negative`)
    if (!isObj(f.fixed)) throw new TcpError('input', `${w}.fixed: expected an object`)
    exactKeys(f.fixed, ['scale', 'decimals', 'offset', 'bits', 'mean', 'variance', 'min', 'max'], `${w}.fixed`)
    const decimals = num(f.fixed, 'decimals', `${w}.fixed`, true)
    if (decimals < 0 || decimals > 6 || num(f.fixed, 'scale', `${w}.fixed`, true) !== 10 ** decimals)
      throw new TcpError('input', `${w}.fixed: scale must be 10^decimals with decimals 0..6`)
    num(f.fixed, 'offset', `${w}.fixed`)
    const bits = num(f.fixed, 'bits', `${w}.fixed`, true)
    if (bits < 1 || bits > 64) throw new TcpError('input', `${w}.fixed.bits: expected 1..64, got ${bits}`)
    for (const k of ['mean', 'variance', 'min', 'max']) if (num(f.fixed, k, `${w}.fixed`, true) < 0) throw new TcpError('input', `${w}.fixed.${k}: must not be negative`)
  }
  if (moments !== undefined) parseMoments(moments, Object.keys(doc.features), (doc.window as {observations: number}).observations, `${what}.moments`)
  return doc as unknown as Baseline
}

function parseMoments(m: unknown, features: string[], observations: number, what: string): void {
  if (!isObj(m)) throw new TcpError('input', `${what}: expected an object`)
  exactKeys(m, ['decimals', 'features'], what)
  assertDecimals(m.decimals as number, `${what}.decimals`)
  if (!isObj(m.features)) throw new TcpError('input', `${what}.features: expected an object`)
  exactKeys(m.features, features, `${what}.features`)
  for (const f of features)
    if (decodeMoments(m.features[f], `${what}.features.${f}`).n !== BigInt(observations))
      throw new TcpError('input', `${what}.features.${f}.n: expected the window's ${observations} observations`)
}
