/**
 * `tcp log append`: observations in, signed entries out, crash-safe.
 *
 * The existing log is verified first under the appending key (a log this key cannot vouch for is not extended).
 * New entries and their checkpoint are written with one write() per checkpoint group and fsync'ed at the end; a
 * crash leaves at worst a torn last line or entries after the last checkpoint. Both are rejected by every verifier,
 * and the next append refuses the log until --repair truncates it back to its last checkpoint (the dropped lines
 * are counted in the result, never kept silently).
 *
 * Two appenders of one log exclude each other through LOG.lock (lock.ts); a second appender is refused, exit 2.
 *
 * Does NOT guarantee: durability of the last group before fsync returns, or exclusion where lock.ts says it fails.
 */
import {closeSync, fsyncSync, openSync, statSync, truncateSync, writeSync} from 'node:fs'
import {TcpError, fromSystemError} from '../errors.js'
import type {Observation} from '../baseline/observations.js'
import {keyIdOf} from '../keys/keyid.js'
import {MAX_LINE_BYTES, formatLogTime, logTimeMs, lineShapeError, LOG_CHECKPOINT_TYPE, LOG_ENTRY_TYPE, entryHash, type ClockRef} from './format.js'
import {forEachLine} from './lines.js'
import {runLogVerifier, type LogVerifier} from './verify.js'
import {LogWriter, emptyState, type WriterState} from './writer.js'
import {withLogLock} from './lock.js'

export interface AppendKey {
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export interface AppendOptions {
  log: string
  key: AppendKey
  /** Agent name of a new log (an existing log keeps its own). */
  agent?: string
  observations: Observation[]
  /** Other agents' logs this agent has seen: their last committed entries join the clock. */
  saw?: string[]
  /** A checkpoint after every N entries (and always at the end). Default 1000; 1 signs every entry. */
  checkpointEvery?: number
  /** Commit each aligned window of this many entries in the checkpoint that completes it (0: none). */
  window?: number
  /** Truncate a torn or uncommitted tail back to the last checkpoint instead of refusing. */
  repair?: boolean
  now?: number
  maxSkewMs?: number
}

export interface AppendResult {
  log: string
  agent: string
  keyId: string
  appended: number
  checkpoints: number
  head: {seq: number; hash: string; time: string} | null
  /** Clock components this append took from --saw logs (only those newer than already known). */
  merged: Record<string, ClockRef>
  repaired: {droppedBytes: number; droppedLines: number} | null
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw fromSystemError(e, 'log', path)
  }
}

/** The last committed entry of another agent's log: [agent, [seq, hash]]. Structure only: fleet verification checks it. */
export function committedHeadOf(path: string): {agent: string; ref: ClockRef; timeMs: number} {
  let last: {agent: string; seq: number; hash: string; timeMs: number} | null = null
  let head: {agent: string; ref: ClockRef; timeMs: number} | null = null
  forEachLine(path, MAX_LINE_BYTES, (buf, n, torn) => {
    if (torn) return
    let o: Record<string, unknown>
    try {
      o = JSON.parse(buf.toString('utf8'))
    } catch {
      return
    }
    if (lineShapeError(o)) return
    if (o.type === LOG_ENTRY_TYPE) last = {agent: o.agent as string, seq: o.seq as number, hash: entryHash(buf.toString('utf8')).toString('hex'), timeMs: logTimeMs(o.time)}
    else if (o.type === LOG_CHECKPOINT_TYPE && last && last.seq === o.seq && last.hash === o.head && last.agent === o.agent) head = {agent: last.agent, ref: [last.seq, last.hash], timeMs: last.timeMs}
    void n
  }, 'seen log')
  if (!head) throw new TcpError('input', `seen log ${path}: no committed entry`)
  return head
}

function stateFrom(v: LogVerifier, window: number): WriterState {
  const s = emptyState()
  if (!v.head) return s
  s.nextSeq = v.head.seq + 1
  s.prev = v.head.hash
  s.lastTimeMs = v.lastTimeMs
  for (const [a, r] of v.clock) s.clock.set(a, r)
  s.checkpointedSeq = v.head.seq
  if (window > 0) {
    const from = Math.floor((v.head.seq + 1) / window) * window
    if (from <= v.head.seq) {
      const hs = v.windowHashes(from, v.head.seq)
      if (!hs) throw new TcpError('input', `--window ${window}: the open window's entries are no longer available`)
      s.recent = hs.map((hash, i) => ({seq: from + i, hash: Buffer.from(hash)}))
    }
  }
  return s
}

export function appendToLog(o: AppendOptions): AppendResult {
  return withLogLock(o.log, () => appendLocked(o))
}

function appendLocked(o: AppendOptions): AppendResult {
  const keyId = keyIdOf(o.key.publicKey)
  const every = o.checkpointEvery ?? 1000
  const window = o.window ?? 0
  if (!Number.isSafeInteger(every) || every < 1) throw new TcpError('usage', `--checkpoint-every: expected an integer >= 1, got ${every}`)
  if (!Number.isSafeInteger(window) || window < 0 || window > 4096) throw new TcpError('usage', `--window: expected an integer from 0 to 4096, got ${window}`)
  const now = o.now ?? Date.now()
  const trust = {keys: [{type: 'ed25519' as const, publicKey: o.key.publicKey, keyId}], revoked: new Set<string>(), source: `the appending key ${keyId}`}
  let repaired: AppendResult['repaired'] = null
  let state = emptyState()
  let agent = o.agent
  const size = fileSize(o.log)
  if (size !== null && size > 0) {
    let v = runLogVerifier(o.log, {trust, now, maxSkewMs: o.maxSkewMs})
    const committedLine = v.head?.checkpointLine ?? 0
    // Only a tail can be repaired: any failure within the committed part refuses the append, and so does a log with
    // no checkpoint this key vouches for (another agent's log), which --repair never truncates. A forged checkpoint
    // after the last one this key signed is part of the tail: --repair drops it, or anyone able to write the file
    // could stop the agent from ever appending again.
    const before = v.failures.find((f) => (f.line !== 0 && f.line <= committedLine) || (committedLine === 0 && (f.check === 'signature' || f.check === 'agent')))
    if (before) throw new TcpError('rejected', `log ${o.log} does not verify under the appending key: ${before.check} at line ${before.line}: ${before.detail}`)
    if (v.summary().uncommittedLines > 0) {
      if (!o.repair) throw new TcpError('input', `log ${o.log}: ${v.summary().uncommittedLines} line(s) after the last checkpoint (a torn or uncommitted tail, line ${committedLine + 1}); run with --repair to drop them`)
      repaired = {droppedBytes: size - v.committedBytes, droppedLines: v.summary().uncommittedLines}
      truncateSync(o.log, v.committedBytes)
      v = runLogVerifier(o.log, {trust, now, maxSkewMs: o.maxSkewMs})
    }
    // A log commits windows of one size: another size would make every later checkpoint fail, beyond --repair.
    const committedWindow = v.commitmentWindow
    if (window > 0 && committedWindow !== undefined && committedWindow !== window)
      throw new TcpError('usage', `--window ${window}: log ${o.log} commits windows of ${committedWindow} entries; a log uses one window size`)
    if (v.agent && agent && agent !== v.agent) throw new TcpError('usage', `--agent ${agent}: log ${o.log} is the log of ${v.agent}`)
    agent = v.agent ?? agent
    if (v.head) state = stateFrom(v, window)
  }
  if (!agent) throw new TcpError('usage', `a new log needs --agent NAME (or observations that name their agent)`)
  const w = new LogWriter(agent, o.key.secretKey, keyId, state, window)
  const merged: Record<string, ClockRef> = {}
  const skew = o.maxSkewMs ?? 2000
  let seenAt = -Infinity
  for (const p of o.saw ?? []) {
    const h = committedHeadOf(p)
    if (w.saw(h.agent, h.ref)) (merged[h.agent] = h.ref), (seenAt = Math.max(seenAt, h.timeMs))
  }
  const firstTime = o.observations[0]?.time ?? now
  if (firstTime + skew < seenAt)
    throw new TcpError('input', `the first observation (${formatLogTime(firstTime)}) is earlier than an entry it claims to have seen (${formatLogTime(seenAt)}): an entry cannot see the future`)
  // Every observation is checked before the first byte is written: an append is all or nothing up to a crash.
  let last = state.lastTimeMs
  for (const [i, r] of o.observations.entries()) {
    if (r.time < last) throw new TcpError('input', `observation ${i + 1} at ${formatLogTime(r.time)} is before ${formatLogTime(last)}, the time of the entry before it: a log's times never go back`)
    last = r.time
    if (r.agent !== null && r.agent !== agent) throw new TcpError('input', `observation ${i + 1} is of agent "${r.agent}", not "${agent}"`)
    if (r.time > now + skew) throw new TcpError('input', `observation ${i + 1} at ${formatLogTime(r.time)} is in the future (now ${formatLogTime(now)})`)
  }
  if (o.observations.length === 0 && Object.keys(merged).length === 0) throw new TcpError('input', 'nothing to append: no observations')
  let fd: number
  try {
    fd = openSync(o.log, 'a', 0o644)
  } catch (e) {
    throw fromSystemError(e, 'log', o.log)
  }
  let checkpoints = 0
  let appended = 0
  try {
    let group: string[] = []
    const flush = () => {
      const cp = w.checkpoint(-Infinity) // a checkpoint carries the time of the entry it commits
      if (cp) (group.push(cp), checkpoints++)
      if (group.length) writeSync(fd, group.join('\n') + '\n')
      group = []
    }
    const rows = o.observations.length ? o.observations : [{agent, time: Math.max(now, state.lastTimeMs), values: {}}]
    for (const r of rows) {
      group.push(w.entry(r.values, r.time).line)
      appended++
      if (appended % every === 0) flush()
    }
    flush()
    fsyncSync(fd)
  } catch (e) {
    throw e instanceof TcpError ? e : fromSystemError(e, 'log', o.log)
  } finally {
    closeSync(fd)
  }
  const s = w.state
  return {
    log: o.log,
    agent,
    keyId,
    appended,
    checkpoints,
    head: s.nextSeq > 0 ? {seq: s.nextSeq - 1, hash: s.prev, time: formatLogTime(s.lastTimeMs)} : null,
    merged,
    repaired,
  }
}
