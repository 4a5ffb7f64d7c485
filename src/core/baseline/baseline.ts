/**
 * Creating, parsing and digesting baselines. Canonical bytes: RFC 8785 (JCS) of the document; digest: SHA3-256 of
 * those bytes. A chain links each version to the digest of the one before it.
 */
import {TcpError} from '../errors.js'
import {parseTime} from '../time.js'
import {toHex} from '../bytes.js'
import {sha3_256} from '../crypto/hash.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {assertDecimals, decodeMoments, encodeMoments, momentsOfQuantized, quantize} from '../aggregate/moments.js'
import {Welford, featureStats} from './stats.js'
import type {ObservationSet} from './observations.js'
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

export function createBaseline(obs: ObservationSet, opts: CreateOptions): Baseline {
  if (!SUBJECT_RE.test(opts.subject)) throw new TcpError('usage', `--subject: 1 to 200 printable ASCII characters without spaces, got ${JSON.stringify(opts.subject)}`)
  if (obs.rows.length < 2) throw new TcpError('input', `observations: a baseline needs at least 2 observations, got ${obs.rows.length}`)
  const created = opts.created ?? new Date().toISOString()
  let notAfter: string | null = null
  if (opts.notAfter) {
    const t = parseTime(opts.notAfter, '--not-after')
    if (t <= Date.parse(created)) throw new TcpError('usage', `--not-after: ${opts.notAfter} is not after the creation time ${created}`)
    notAfter = new Date(t).toISOString()
  }
  const acc = new Map(obs.features.map((f) => [f, new Welford()]))
  let start = Infinity
  let end = -Infinity
  for (const r of obs.rows) {
    if (r.time < start) start = r.time
    if (r.time > end) end = r.time
    for (const [f, w] of acc) w.push(r.values[f]!)
  }
  const features: Record<string, FeatureStats> = {}
  for (const f of [...obs.features].sort()) features[f] = featureStats(acc.get(f)!)
  const moments = opts.momentsDecimals === undefined ? undefined : exactMoments(obs, opts.momentsDecimals)
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
    window: {start: new Date(start).toISOString(), end: new Date(end).toISOString(), observations: obs.rows.length},
    features,
    ...(moments ? {moments} : {}),
  }
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
