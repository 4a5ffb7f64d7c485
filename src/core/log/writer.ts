/**
 * Producing tcp.log/v1 lines: the one place entries are hashed and checkpoints signed. Kept in memory (no I/O) so
 * that the appender, the seeded fleet simulator and the benchmarks share it.
 */
import {ed25519} from '../crypto/ed25519.js'
import {toBase64} from '../bytes.js'
import {TcpError} from '../errors.js'
import {canonicalize} from '../canonical/jcs.js'
import {COMMITMENT_SCHEMES, windowsEndingIn} from './commit.js'
import {
  LOG_CHECKPOINT_TYPE,
  LOG_ENTRY_TYPE,
  ZERO_HASH,
  assertAgentName,
  checkpointMessage,
  encodeEntry,
  entryHash,
  formatLogTime,
  type ClockRef,
  type LogCheckpoint,
  type LogEntry,
} from './format.js'

export interface WriterState {
  /** Sequence number of the next entry. */
  nextSeq: number
  /** Hash of the last entry (ZERO_HASH before the first). */
  prev: string
  /** Time of the last entry (ms), or -Infinity. */
  lastTimeMs: number
  /** The folded vector clock: latest component seen per other agent. */
  clock: Map<string, ClockRef>
  /** Seq of the last checkpointed entry (-1 when none). */
  checkpointedSeq: number
  /** Hashes of the entries of the current, incomplete commitment window (only with a window size). */
  recent: Array<{seq: number; hash: Buffer}>
}

export const emptyState = (): WriterState => ({nextSeq: 0, prev: ZERO_HASH, lastTimeMs: -Infinity, clock: new Map(), checkpointedSeq: -1, recent: []})

export class LogWriter {
  readonly state: WriterState
  private pending = new Map<string, ClockRef>()

  constructor(readonly agent: string, private readonly secretKey: Uint8Array, readonly keyId: string, state?: WriterState, private readonly windowSize = 0) {
    assertAgentName(agent)
    this.state = state ?? emptyState()
  }

  /** Records that this agent has now seen `ref` of `other`; a component no newer than the known one is ignored. */
  saw(other: string, ref: ClockRef): boolean {
    if (other === this.agent) throw new TcpError('usage', `--saw: a log of ${other} is this agent's own log`)
    const known = this.pending.get(other) ?? this.state.clock.get(other)
    if (known && ref[0] <= known[0]) return false
    this.pending.set(other, [ref[0], ref[1]])
    return true
  }

  /** One entry line (no newline). Times must not go back. */
  entry(obs: Record<string, number>, timeMs: number): {line: string; seq: number; hash: string} {
    if (timeMs < this.state.lastTimeMs)
      throw new TcpError('input', `observation at ${formatLogTime(timeMs)} is before the log's last entry at ${formatLogTime(this.state.lastTimeMs)}: a log's times never go back`)
    const clock: Record<string, ClockRef> = {}
    for (const [a, r] of this.pending) clock[a] = r
    const e: LogEntry = {type: LOG_ENTRY_TYPE, agent: this.agent, seq: this.state.nextSeq, time: formatLogTime(timeMs), prev: this.state.prev, obs, clock}
    const line = encodeEntry(e)
    const hb = entryHash(line)
    const hash = hb.toString('hex')
    for (const [a, r] of this.pending) this.state.clock.set(a, r)
    this.pending.clear()
    if (this.windowSize > 0) this.state.recent.push({seq: e.seq, hash: hb})
    this.state.nextSeq++
    this.state.prev = hash
    this.state.lastTimeMs = timeMs
    return {line, seq: e.seq, hash}
  }

  /** A signed checkpoint over the last entry, or null when nothing new since the last one. */
  checkpoint(timeMs: number): string | null {
    const seq = this.state.nextSeq - 1
    if (seq < 0 || seq === this.state.checkpointedSeq) return null
    const body: Omit<LogCheckpoint, 'sig'> = {type: LOG_CHECKPOINT_TYPE, agent: this.agent, key: this.keyId, seq, head: this.state.prev, time: formatLogTime(Math.max(timeMs, this.state.lastTimeMs))}
    if (this.windowSize > 0) {
      const ws = windowsEndingIn(this.windowSize, this.state.checkpointedSeq, seq)
      if (ws.length) {
        const bySeq = new Map(this.state.recent.map((r) => [r.seq, r.hash]))
        const commitments = []
        for (const w of ws) {
          const hashes: Buffer[] = []
          for (let s = w.from; s <= w.to; s++) {
            const h = bySeq.get(s)
            if (!h) throw new TcpError('internal', `window ${w.from}..${w.to}: entry ${s} is unknown to the writer`)
            hashes.push(h)
          }
          commitments.push({scheme: 'sha3-window/v1', ...w, value: COMMITMENT_SCHEMES['sha3-window/v1'](hashes)})
        }
        body.commitments = commitments
      }
      const keepFrom = Math.floor((seq + 1) / this.windowSize) * this.windowSize
      this.state.recent = this.state.recent.filter((r) => r.seq >= keepFrom)
    }
    const sig = toBase64(ed25519.sign(checkpointMessage(body), this.secretKey))
    this.state.checkpointedSeq = seq
    return canonicalize({...body, sig})
  }
}
