/**
 * Verifying one tcp.log/v1 file, streaming: every line is read once, parsed, checked to be its own canonical form,
 * hashed, and checked against the previous one. Memory is constant per log (the fold of the clock: one component
 * per agent heard from), unless a fleet collector asks for per-entry data.
 *
 * Checks (each reported by name, each failure naming file, line and sequence number):
 *   format       every line is a complete, canonical (RFC 8785) tcp.log/v1 line; a torn last line is rejected
 *   agent        one agent per file
 *   sequence     0, 1, 2, ... without gaps; a repeated or lower number is a duplicate or a replay
 *   hash-chain   each entry's "prev" is the SHA3-256 of the entry before (edits, deletions, reordering)
 *   time-order   times never go back (a back-dated entry)
 *   time-future  no time beyond now + skew
 *   clock        per referenced agent, clock components strictly increase (no regression, no self-reference)
 *   signature    every checkpoint is signed by a trusted key over the hash of the entry just before it
 *   committed    the log has entries, and every entry is covered by a checkpoint (uncommitted tail rejected)
 *   commitments  every window commitment a checkpoint carries is recomputed and equal (only when present)
 *   freshness    with freshWithin: the head's time is no older than that at `now`
 */
import {ed25519} from '../crypto/ed25519.js'
import {fromBase64} from '../bytes.js'
import {canonicalize} from '../canonical/jcs.js'
import {keyUnusableReason, type TrustStore, type TrustedKey} from '../envelope/trust.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {
  LOG_ENTRY_TYPE,
  MAX_LINE_BYTES,
  ZERO_HASH,
  checkpointMessage,
  encodeEntry,
  entryHash,
  lineShapeError,
  logTimeMs,
  type ClockRef,
  type LogCheckpoint,
  type LogEntry,
} from './format.js'
import {LineSplitter, forEachLine} from './lines.js'
import {checkCommitment, WindowHashes} from './commit.js'

export const CHECK_NAMES = ['format', 'agent', 'sequence', 'hash-chain', 'time-order', 'time-future', 'clock', 'signature', 'committed', 'commitments', 'freshness'] as const
export type LogCheckName = (typeof CHECK_NAMES)[number]

export interface LogFailure {
  check: string
  file: string
  line: number
  seq: number | null
  detail: string
}

export interface LogVerifyOptions {
  /** Keys whose checkpoint signatures count. */
  trust: Pick<TrustStore, 'keys' | 'revoked' | 'source'>
  /** Verification time (ms); default Date.now(). */
  now?: number
  /** Tolerated clock skew (ms), default 2000. */
  maxSkewMs?: number
  /** Reject a head older than this (ms) at `now`. */
  freshWithinMs?: number
  /** Failures kept per check (all are counted). */
  keepFailures?: number
  /**
   * Only for `tcp log show`: check the structure and the chain, and take a checkpoint's head without checking its
   * signature. A verifier never sets this.
   */
  unsignedStructureOnly?: boolean
}

/** Per-entry facts a fleet verifier needs; called for every entry that parsed. */
export interface EntrySink {
  entry(seq: number, hash: Buffer, timeMs: number, line: number): void
  reference(fromSeq: number, fromTimeMs: number, line: number, agent: string, ref: ClockRef): void
  /** The parsed entry itself (observations), when the caller needs more than hashes. */
  parsed?(e: LogEntry, line: number): void
  /** A checkpoint whose signature and head held (its window commitments are checked too; see the report). */
  committed?(cp: LogCheckpoint, line: number): void
}

export interface LogHead {
  seq: number
  hash: string
  time: string
  /** Line number of the checkpoint that commits the head. */
  checkpointLine: number
}

export interface LogSummary {
  file: string
  agent: string | null
  /** Key ids that signed checkpoints. */
  keys: string[]
  entries: number
  checkpoints: number
  /** Last committed entry (covered by a checkpoint), or null. */
  head: LogHead | null
  firstTime: string | null
  lastTime: string | null
  /** Agents this log's clocks reference, with the latest component seen of each. */
  references: Record<string, ClockRef>
  /** Lines after the last checkpoint (uncommitted or torn), if any. */
  uncommittedLines: number
}

/** The streaming state of one log's verification. */
export class LogVerifier {
  readonly failures: LogFailure[] = []
  readonly counts = new Map<string, number>()
  private readonly keyById = new Map<string, TrustedKey>()
  /** Agents that have a key named for them in the trust store: only such keys sign their logs. */
  private readonly namedAgents = new Set<string>()
  private readonly now: number
  private readonly skew: number
  private readonly keep: number
  agent: string | null = null
  private expectSeq = 0
  private prevHash = ZERO_HASH
  private prevTime = -Infinity
  private lastTimeStr: string | null = null
  private firstTimeStr: string | null = null
  private entries = 0
  private checkpoints = 0
  private lastCheckpointSeq = -1
  private lastEntryLine = 0
  private linesSinceCheckpoint = 0
  private firstUncommittedLine = 0
  head: LogHead | null = null
  /** Bytes read so far, and the length of the committed prefix (through the last valid checkpoint line). */
  private offset = 0
  committedBytes = 0
  readonly clock = new Map<string, ClockRef>()
  private readonly keysUsed = new Set<string>()
  private readonly windows = new WindowHashes()
  private windowSize: number | undefined
  private lastCommittedTo = -1

  constructor(readonly file: string, private readonly opts: LogVerifyOptions, private readonly sink?: EntrySink) {
    for (const k of opts.trust.keys) {
      this.keyById.set(k.keyId, k)
      if (k.name !== undefined) this.namedAgents.add(k.name)
    }
    this.now = opts.now ?? Date.now()
    this.skew = opts.maxSkewMs ?? 2000
    this.keep = opts.keepFailures ?? 20
  }

  fail(check: LogCheckName | string, line: number, seq: number | null, detail: string): void {
    const c = (this.counts.get(check) ?? 0) + 1
    this.counts.set(check, c)
    if (c <= this.keep) this.failures.push({check, file: this.file, line, seq, detail})
  }

  /** One line of the file, without its newline. */
  line(buf: Buffer, n: number, torn: boolean, bytes = buf.length): void {
    this.offset += bytes + (torn ? 0 : 1)
    this.linesSinceCheckpoint++
    if (this.firstUncommittedLine === 0) this.firstUncommittedLine = n
    if (torn) return this.fail('format', n, null, `torn last line (${buf.length} bytes without a newline): a write cut short; it is not part of the log`)
    if (buf.length > MAX_LINE_BYTES) return this.fail('format', n, null, `line longer than ${MAX_LINE_BYTES} bytes`)
    const text = buf.toString('utf8')
    let o: unknown
    try {
      o = JSON.parse(text)
    } catch {
      return this.fail('format', n, null, 'not valid JSON')
    }
    const shape = lineShapeError(o)
    if (shape) return this.fail('format', n, seqOf(o), shape)
    let canon: string
    try {
      canon = (o as LogEntry).type === LOG_ENTRY_TYPE ? encodeEntry(o as LogEntry) : canonicalize(o)
    } catch (e) {
      return this.fail('format', n, seqOf(o), (e as Error).message)
    }
    // A line decoded without replacement characters is valid UTF-8 and round-trips byte for byte.
    if (canon !== text || (text.includes('\uFFFD') && !Buffer.from(canon, 'utf8').equals(buf)))
      return this.fail('format', n, seqOf(o), 'not in canonical (RFC 8785) form: the line was edited')
    const r = o as LogEntry | LogCheckpoint
    if (this.agent === null) this.agent = r.agent
    else if (r.agent !== this.agent) this.fail('agent', n, r.seq, `agent "${r.agent}" in a log of "${this.agent}"`)
    if (r.type === LOG_ENTRY_TYPE) this.entry(r, text, n)
    else this.checkpoint(r, n)
  }

  private entry(e: LogEntry, text: string, n: number): void {
    const hash = entryHash(text)
    const hex = hash.toString('hex')
    if (e.seq !== this.expectSeq)
      this.fail('sequence', n, e.seq, e.seq < this.expectSeq ? `sequence ${e.seq} again after ${this.expectSeq - 1}: a duplicate or replayed entry` : `gap: expected sequence ${this.expectSeq}, got ${e.seq}`)
    if (e.prev !== this.prevHash) this.fail('hash-chain', n, e.seq, `prev ${e.prev.slice(0, 16)}... is not the hash of the entry before (${this.prevHash.slice(0, 16)}...): an entry was edited, deleted or moved`)
    const t = logTimeMs(e.time)
    if (t < this.prevTime) this.fail('time-order', n, e.seq, `time ${e.time} is before the previous entry's ${this.lastTimeStr}: back-dated`)
    if (t > this.now + this.skew) this.fail('time-future', n, e.seq, `time ${e.time} is beyond now (${new Date(this.now).toISOString()}) + skew ${this.skew} ms`)
    for (const [a, ref] of Object.entries(e.clock)) {
      if (a === e.agent) {
        this.fail('clock', n, e.seq, `clock references its own agent "${a}"`)
        continue
      }
      const before = this.clock.get(a)
      if (before && ref[0] <= before[0]) this.fail('clock', n, e.seq, `clock of "${a}" regresses or repeats: ${ref[0]} after ${before[0]}`)
      else this.clock.set(a, ref)
      this.sink?.reference(e.seq, t, n, a, ref)
    }
    this.sink?.entry(e.seq, hash, t, n)
    this.sink?.parsed?.(e, n)
    this.windows.push(e.seq, hash)
    if (this.firstTimeStr === null) this.firstTimeStr = e.time
    this.lastTimeStr = e.time
    this.prevTime = Math.max(this.prevTime, t)
    this.expectSeq = e.seq + 1
    this.prevHash = hex
    this.entries++
    this.lastEntryLine = n
  }

  private checkpoint(cp: LogCheckpoint, n: number): void {
    this.checkpoints++
    this.keysUsed.add(cp.key)
    const lastSeq = this.expectSeq - 1
    let ok = true
    const bad = (why: string) => {
      ok = false
      this.fail('signature', n, cp.seq, why)
    }
    if (this.lastEntryLine !== n - 1 || lastSeq < 0) bad('a checkpoint must follow the entry it commits')
    else if (cp.seq <= this.lastCheckpointSeq) bad(`checkpoint of seq ${cp.seq} after one of seq ${this.lastCheckpointSeq}: a committed head never goes back`)
    else if (cp.seq !== lastSeq || cp.head !== this.prevHash) bad(`checkpoint commits seq ${cp.seq} head ${cp.head.slice(0, 16)}... but the entry before it is seq ${lastSeq} with hash ${this.prevHash.slice(0, 16)}...`)
    const k = this.keyById.get(cp.key)
    if (this.opts.unsignedStructureOnly) void 0
    else if (!k) bad(`key ${cp.key} is not trusted (trust: ${this.opts.trust.source})`)
    else {
      const unusable = keyUnusableReason(k, this.opts.trust as TrustStore, this.now)
      if (unusable) bad(unusable)
      else if (k.name !== undefined && k.name !== cp.agent) bad(`key ${cp.key} is named "${k.name}" in the trust store, not "${cp.agent}": it does not sign for this agent`)
      else if (k.name === undefined && this.namedAgents.has(cp.agent)) bad(`key ${cp.key} has no name in the trust store, and "${cp.agent}" has a key named for it there: only that key signs for this agent`)
      else {
        let sig: Uint8Array | null = null
        try {
          sig = fromBase64(cp.sig, 'sig')
        } catch (e) {
          bad((e as Error).message)
        }
        if (sig && !ed25519.verify(sig, checkpointMessage(cp), k.publicKey)) bad(`bad signature by key ${cp.key}`)
      }
    }
    const ct = logTimeMs(cp.time)
    if (ct > this.now + this.skew) this.fail('time-future', n, cp.seq, `checkpoint time ${cp.time} is beyond now (${new Date(this.now).toISOString()}) + skew ${this.skew} ms`)
    if (ct < this.prevTime) this.fail('time-order', n, cp.seq, `checkpoint time ${cp.time} is before the entry it commits (${this.lastTimeStr})`)
    // One window size per log, each window committed once, in order: the recomputation work stays bounded by the
    // number of entries, whatever a hostile checkpoint lists.
    if (cp.commitments) for (const c of cp.commitments) {
      const size = c.to - c.from + 1
      this.windowSize ??= size
      const why =
        size !== this.windowSize ? `window ${c.from}..${c.to} has size ${size}; this log commits windows of ${this.windowSize}`
        : c.to <= this.lastCommittedTo ? `window ${c.from}..${c.to} is committed again or out of order (last committed window ends at ${this.lastCommittedTo})`
        : checkCommitment(c, this.windows, cp.seq)
      if (why) this.fail('commitments', n, cp.seq, why)
      // A window is recomputed at most once, right or wrong: failing commitments repeated a thousand times in one
      // line must not cost a thousand recomputations.
      if (c.to > this.lastCommittedTo && size === this.windowSize) this.lastCommittedTo = c.to
    }
    if (!ok) return
    this.sink?.committed?.(cp, n)
    this.lastCheckpointSeq = cp.seq
    this.head = {seq: cp.seq, hash: cp.head, time: this.lastTimeStr!, checkpointLine: n}
    this.linesSinceCheckpoint = 0
    this.firstUncommittedLine = 0
    this.committedBytes = this.offset
  }

  /** Hashes of the committed entries from..to when still kept (the last MAX_WINDOW), for window commitments. */
  windowHashes(from: number, to: number): Buffer[] | null {
    return this.windows.range(from, to)
  }

  /** The window size this log's commitments use, once one was read (a log uses one size). */
  get commitmentWindow(): number | undefined {
    return this.windowSize
  }

  /** Time (ms) of the last entry read. */
  get lastTimeMs(): number {
    return this.prevTime
  }

  summary(): LogSummary {
    return {
      file: this.file,
      agent: this.agent,
      keys: [...this.keysUsed],
      entries: this.entries,
      checkpoints: this.checkpoints,
      head: this.head,
      firstTime: this.firstTimeStr,
      lastTime: this.lastTimeStr,
      references: Object.fromEntries(this.clock),
      uncommittedLines: this.linesSinceCheckpoint,
    }
  }

  /** Reads the whole file (or the bytes of one, already in memory) through this verifier, then the final checks. */
  run(source: string | Uint8Array): this {
    const fn = (b: Buffer, n: number, torn: boolean, bytes: number) => this.line(b, n, torn, bytes)
    if (typeof source === 'string') forEachLine(source, MAX_LINE_BYTES, fn)
    else {
      const s = new LineSplitter(MAX_LINE_BYTES, fn)
      s.push(Buffer.from(source.buffer, source.byteOffset, source.byteLength))
      s.end()
    }
    this.finish()
    return this
  }

  /** Final checks, after the last line. */
  finish(): void {
    if (this.entries === 0) this.fail('committed', 0, null, 'the log has no entries')
    else if (this.linesSinceCheckpoint > 0)
      this.fail('committed', this.firstUncommittedLine, this.lastCheckpointSeq + 1, `${this.linesSinceCheckpoint} line(s) after the last checkpoint are not committed (a crash before the checkpoint was written, or appended by someone without the key); the log verifies through seq ${this.lastCheckpointSeq}`)
    if (this.opts.freshWithinMs !== undefined) {
      const t = this.head ? logTimeMs(this.head.time) : NaN
      if (!this.head) this.fail('freshness', 0, null, 'no committed head')
      else if (this.now - t > this.opts.freshWithinMs)
        this.fail('freshness', this.head.checkpointLine, this.head.seq, `stale head: last committed entry at ${this.head.time} is ${Math.round((this.now - t) / 1000)} s old at ${new Date(this.now).toISOString()}, more than ${this.opts.freshWithinMs / 1000} s`)
    }
  }

  /** One Check per check name that applies (commitments and freshness only when used). */
  checks(names: readonly string[] = CHECK_NAMES, summaryOf: (name: string) => string = () => ''): Check[] {
    const out: Check[] = []
    for (const name of names) {
      if (name === 'freshness' && this.opts.freshWithinMs === undefined) continue
      if (name === 'commitments' && !this.counts.has(name) && !this.windows.used) continue
      out.push(checkFrom(name, this.counts.get(name) ?? 0, this.failures, summaryOf(name)))
    }
    return out
  }
}

export function checkFrom(name: string, count: number, failures: LogFailure[], okDetail: string): Check {
  if (count === 0) return {check: name, ok: true, ...(okDetail ? {detail: okDetail} : {})}
  const f = failures.find((x) => x.check === name)
  if (!f) return {check: name, ok: false, detail: `${count} failure(s)`}
  const at = `${f.file}:${f.line}${f.seq === null ? '' : ` seq ${f.seq}`}`
  return {check: name, ok: false, detail: `${at}: ${f.detail}${count > 1 ? ` (and ${count - 1} more)` : ''}`}
}

function seqOf(o: unknown): number | null {
  const s = (o as {seq?: unknown})?.seq
  return typeof s === 'number' && Number.isSafeInteger(s) ? s : null
}

/** Streams one file through a verifier. */
export function runLogVerifier(path: string, opts: LogVerifyOptions, sink?: EntrySink): LogVerifier {
  return new LogVerifier(path, opts, sink).run(path)
}

/** Verifies the bytes of a log held in memory (`name` is used in failures); the same checks as verifyLogFile. */
export function verifyLogBytes(bytes: Uint8Array, name: string, opts: LogVerifyOptions): LogReport {
  const v = new LogVerifier(name, opts).run(bytes)
  const s = v.summary()
  return makeReport('tcp-log', v.checks(CHECK_NAMES, (c) => okDetailFor(c, s, opts)), {log: reportedSummary(s), failures: v.failures, trust: opts.trust.source}) as LogReport
}

/** A summary as a report states it: its key ids named as such (docs/json.md rule 5). */
export type ReportedLogSummary = Omit<LogSummary, 'keys'> & {keyIds: string[]}
export const reportedSummary = ({file, agent, keys, ...rest}: LogSummary): ReportedLogSummary => ({file, agent, keyIds: keys, ...rest})

export interface LogReport extends VerifyReport {
  log: ReportedLogSummary
  failures: LogFailure[]
  trust: string
}

/** Verifies one log file on its own (no cross-log references resolved: that takes the fleet). */
export function verifyLogFile(path: string, opts: LogVerifyOptions, sink?: EntrySink): LogReport {
  const v = runLogVerifier(path, opts, sink)
  const s = v.summary()
  const okDetail = (name: string) => okDetailFor(name, s, opts)
  return makeReport('tcp-log', v.checks(CHECK_NAMES, okDetail), {log: reportedSummary(s), failures: v.failures, trust: opts.trust.source}) as LogReport
}

export function okDetailFor(name: string, s: LogSummary, opts: LogVerifyOptions): string {
  switch (name) {
    case 'signature':
      return `${s.checkpoints} checkpoint(s) by key ${s.keys.join(', ')} (trust: ${opts.trust.source})`
    case 'committed':
      return s.head ? `${s.entries} entries through seq ${s.head.seq}, head ${s.head.hash}` : ''
    case 'freshness':
      return s.head ? `head at ${s.head.time}, within ${opts.freshWithinMs! / 1000} s` : ''
    case 'time-future':
      return `max skew ${opts.maxSkewMs ?? 2000} ms`
    default:
      return ''
  }
}

