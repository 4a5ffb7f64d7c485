/**
 * The `tcp.log/v1` format: JSON Lines, one agent per file. Two kinds of line, each one exact RFC 8785 (JCS)
 * document, so a log has exactly one byte form and any edit of a byte changes what is hashed or signed:
 *
 *   entry       {"agent","clock","obs","prev","seq","time","type":"tcp.log/v1"}
 *   checkpoint  {"agent","commitments"?,"head","key","seq","sig","time","type":"tcp.log.checkpoint/v1"}
 *
 * An entry's hash is SHA3-256(ENTRY_DOMAIN || its line bytes); `prev` of entry n is the hash of entry n-1 (64 zeros
 * for seq 0). A checkpoint signs (Ed25519, RFC 8032, over CHECKPOINT_DOMAIN || JCS of the checkpoint without "sig")
 * the hash `head` of the entry with sequence `seq` just before it: by the chain it commits every entry up to it.
 * Entries after the last checkpoint are not committed (a crash between writing entries and their checkpoint);
 * verifiers reject them by name rather than keep them.
 *
 * `clock` holds only the components that changed since this agent's previous entry: {"agent-b": [seq, hash]} says
 * "I have now seen agent-b's entry number seq, whose hash is hash". The full vector clock at an entry is the fold of
 * the deltas up to it. A component names a signed entry, not a bare counter: with the other agent's log at hand, a
 * raised or invented component does not resolve.
 *
 * Does NOT guarantee: that `time` is true (only that it is monotone, not in the future beyond the skew, and
 * consistent with causality within the skew), or that an agent logged everything it did.
 */
import {hash} from 'node:crypto'
import {TcpError} from '../errors.js'
import {canonicalize} from '../canonical/jcs.js'
import {utf8} from '../bytes.js'
import {fastUtcTime} from '../time.js'

export const LOG_ENTRY_TYPE = 'tcp.log/v1'
export const LOG_CHECKPOINT_TYPE = 'tcp.log.checkpoint/v1'
/** Domain-separation prefixes: an entry hash or a checkpoint signature can never be mistaken for another tcp object. */
export const ENTRY_DOMAIN = utf8('tcp.log/v1 entry\0')
export const CHECKPOINT_DOMAIN = utf8('tcp.log/v1 checkpoint\0')
export const ZERO_HASH = '0'.repeat(64)
const ENTRY_PREFIX = 'tcp.log/v1 entry\0'

/** SHA3-256(ENTRY_DOMAIN || utf8(line)): the hash of an entry line (without its newline). */
export function entryHash(line: string): Buffer {
  return hash('sha3-256', ENTRY_PREFIX + line, 'buffer') as Buffer
}

// Names that would reach Object.prototype, or clash with an observation's own fields, when a log becomes a baseline.
const RESERVED_OBS = new Set(['__proto__', 'constructor', 'prototype', 'agent', 'time'])
export const AGENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const HASH_RE = /^[0-9a-f]{64}$/
const KEYID_RE = /^[0-9a-f]{16}$/
const SIG_RE = /^[A-Za-z0-9+/]{86}==$/
/** Times are written in one form only (Date.prototype.toISOString): UTC, milliseconds, "Z". */
/** A clock component: [sequence number, entry hash] of the latest entry seen of another agent. */
export type ClockRef = [number, string]

export interface LogEntry {
  type: typeof LOG_ENTRY_TYPE
  agent: string
  seq: number
  time: string
  prev: string
  obs: Record<string, number>
  clock: Record<string, ClockRef>
}

/**
 * A commitment a checkpoint signs over a fixed window of entries [from, to] (the hook for binding proofs to
 * recorded observations). Schemes are a closed set (commit.ts); an unknown scheme is rejected.
 */
export interface WindowCommitment {
  scheme: string
  from: number
  to: number
  value: string
}

export interface LogCheckpoint {
  type: typeof LOG_CHECKPOINT_TYPE
  agent: string
  key: string
  seq: number
  head: string
  time: string
  commitments?: WindowCommitment[]
  sig: string
}

export type LogLine = {kind: 'entry'; entry: LogEntry} | {kind: 'checkpoint'; checkpoint: LogCheckpoint}

/** Bounds on what a verifier accepts from a line: attacker-controlled input, so work per line stays bounded. */
export const MAX_LINE_BYTES = 1 << 20
export const MAX_OBS_FIELDS = 256
export const MAX_CLOCK_COMPONENTS = 4096
export const MAX_COMMITMENTS = 1024

export function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

/**
 * Milliseconds of a log time, or NaN when it is not in the one accepted form (what toISOString writes for years
 * 1000-9999: always with milliseconds).
 */
export function logTimeMs(v: unknown): number {
  return typeof v === 'string' && v.length === 24 ? fastUtcTime(v) : NaN
}

export const formatLogTime = (ms: number): string => new Date(ms).toISOString()

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], optional: readonly string[] = []): string | null {
  for (const k of Object.keys(o)) if (!allowed.includes(k) && !optional.includes(k)) return `unknown field "${k}"`
  for (const k of allowed) if (!(k in o)) return `missing field "${k}"`
  return null
}

const ENTRY_KEYS = ['type', 'agent', 'seq', 'time', 'prev', 'obs', 'clock'] as const
const CHECKPOINT_KEYS = ['type', 'agent', 'key', 'seq', 'head', 'time', 'sig'] as const

/**
 * Checks the shape of one parsed line; returns the reason it is malformed, or null. Does not check the chain,
 * signatures or order: verify.ts does.
 */
export function lineShapeError(o: unknown): string | null {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not a JSON object'
  const r = o as Record<string, unknown>
  if (r.type === LOG_ENTRY_TYPE) {
    const bad = onlyKeys(r, ENTRY_KEYS)
    if (bad) return bad
    if (typeof r.agent !== 'string' || !AGENT_RE.test(r.agent)) return 'bad "agent"'
    if (!isSeq(r.seq)) return 'bad "seq"'
    if (Number.isNaN(logTimeMs(r.time))) return 'bad "time" (expected UTC with milliseconds, e.g. 2026-01-01T00:00:00.000Z)'
    if (typeof r.prev !== 'string' || !HASH_RE.test(r.prev)) return 'bad "prev"'
    const obs = r.obs as Record<string, unknown>
    if (!obs || typeof obs !== 'object' || Array.isArray(obs)) return '"obs" must be an object'
    const ok = Object.keys(obs)
    if (ok.length > MAX_OBS_FIELDS) return `"obs" has more than ${MAX_OBS_FIELDS} fields`
    for (const k of ok) {
      if (typeof obs[k] !== 'number' || !Number.isFinite(obs[k])) return `"obs.${k}" is not a finite number`
      if (RESERVED_OBS.has(k)) return `"obs.${k}" cannot be a feature name`
    }
    const clock = r.clock as Record<string, unknown>
    if (!clock || typeof clock !== 'object' || Array.isArray(clock)) return '"clock" must be an object'
    const ck = Object.keys(clock)
    if (ck.length > MAX_CLOCK_COMPONENTS) return `"clock" has more than ${MAX_CLOCK_COMPONENTS} components`
    for (const k of ck) {
      if (!AGENT_RE.test(k)) return `"clock" names a bad agent ${JSON.stringify(k)}`
      const c = clock[k]
      if (!Array.isArray(c) || c.length !== 2 || !isSeq(c[0]) || typeof c[1] !== 'string' || !HASH_RE.test(c[1]))
        return `"clock.${k}" must be [seq, hash]`
    }
    return null
  }
  if (r.type === LOG_CHECKPOINT_TYPE) {
    const bad = onlyKeys(r, CHECKPOINT_KEYS, ['commitments'])
    if (bad) return bad
    if (typeof r.agent !== 'string' || !AGENT_RE.test(r.agent)) return 'bad "agent"'
    if (typeof r.key !== 'string' || !KEYID_RE.test(r.key)) return 'bad "key" (expected a 16-hex-digit key id)'
    if (!isSeq(r.seq)) return 'bad "seq"'
    if (typeof r.head !== 'string' || !HASH_RE.test(r.head)) return 'bad "head"'
    if (Number.isNaN(logTimeMs(r.time))) return 'bad "time"'
    if (typeof r.sig !== 'string' || !SIG_RE.test(r.sig)) return 'bad "sig" (expected 64 bytes in base64)'
    if (r.commitments !== undefined) {
      if (!Array.isArray(r.commitments) || r.commitments.length === 0 || r.commitments.length > MAX_COMMITMENTS) return 'bad "commitments"'
      for (const c of r.commitments as Array<Record<string, unknown>>) {
        if (!c || typeof c !== 'object' || onlyKeys(c, ['scheme', 'from', 'to', 'value'])) return 'bad commitment (expected scheme, from, to, value)'
        if (typeof c.scheme !== 'string' || !isSeq(c.from) || !isSeq(c.to) || c.to < c.from || typeof c.value !== 'string' || c.value.length > 200) return 'bad commitment'
      }
    }
    return null
  }
  return `unknown "type" ${JSON.stringify(r.type)} (expected "${LOG_ENTRY_TYPE}" or "${LOG_CHECKPOINT_TYPE}")`
}

const PLAIN_KEY = /^[\x20-\x7e]*$/

/**
 * The JCS form of an entry of the checked shape, written directly for its fixed fields (the hot path of append and
 * verify). Equal to canonicalize(e) (test/core/log: compared on random entries); falls back to it for an
 * observation name outside printable ASCII, where JCS's surrogate rules apply.
 */
export function encodeEntry(e: LogEntry): string {
  let clock = ''
  for (const k of Object.keys(e.clock).sort()) {
    const c = e.clock[k]!
    clock += (clock ? ',' : '') + JSON.stringify(k) + ':[' + JSON.stringify(c[0]) + ',' + JSON.stringify(c[1]) + ']'
  }
  let obs = ''
  for (const k of Object.keys(e.obs).sort()) {
    const v = e.obs[k]!
    if (!PLAIN_KEY.test(k) || !Number.isFinite(v)) return canonicalize(e)
    obs += (obs ? ',' : '') + JSON.stringify(k) + ':' + JSON.stringify(v)
  }
  return `{"agent":${JSON.stringify(e.agent)},"clock":{${clock}},"obs":{${obs}},"prev":${JSON.stringify(e.prev)},"seq":${JSON.stringify(e.seq)},"time":${JSON.stringify(e.time)},"type":${JSON.stringify(e.type)}}`
}

/** The one byte form of a line (JCS), without the newline. */
export function encodeLine(o: LogEntry | LogCheckpoint | Omit<LogCheckpoint, 'sig'>): string {
  return canonicalize(o)
}

/** The bytes a checkpoint's signature covers. */
export function checkpointMessage(cp: Omit<LogCheckpoint, 'sig'> | LogCheckpoint): Uint8Array {
  const {sig: _s, ...body} = cp as LogCheckpoint
  const b = utf8(canonicalize(body))
  const m = new Uint8Array(CHECKPOINT_DOMAIN.length + b.length)
  m.set(CHECKPOINT_DOMAIN)
  m.set(b, CHECKPOINT_DOMAIN.length)
  return m
}

/** Is `text` (the first line of a file) a tcp.log/v1 line? Used by artifact detection. */
export function looksLikeLogLine(text: string): boolean {
  try {
    const o = JSON.parse(text) as Record<string, unknown>
    return !!o && typeof o === 'object' && (o.type === LOG_ENTRY_TYPE || o.type === LOG_CHECKPOINT_TYPE)
  } catch {
    return false
  }
}

export function assertAgentName(agent: string, what = 'agent'): void {
  if (!AGENT_RE.test(agent)) throw new TcpError('usage', `${what}: expected 1-128 of A-Z a-z 0-9 . _ - (starting with a letter or digit), got ${JSON.stringify(agent)}`)
}
