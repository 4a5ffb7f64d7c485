/**
 * What an attacker holding one agent's signing key can write: an entry chained to a log's last entry and a
 * checkpoint over it, both valid hashes and signatures, with any fields it likes (a raised clock, an old time, a
 * repeated sequence number). Used by the demo and the benchmarks to show that the verifier's other checks, not the
 * signature, reject such entries. Not used by any honest path (writer.ts refuses what this allows).
 */
import {canonicalize} from '../canonical/jcs.js'
import {ed25519} from '../crypto/ed25519.js'
import {toBase64} from '../bytes.js'
import {LOG_CHECKPOINT_TYPE, LOG_ENTRY_TYPE, ZERO_HASH, checkpointMessage, encodeLine, entryHash, type LogCheckpoint, type LogEntry} from './format.js'

export interface ForgeKey {
  secretKey: Uint8Array
  keyId: string
}

/** Appends to `lines` (a log's lines, without newlines) one signed entry with `fields` and its checkpoint. */
export function forgeEntry(lines: string[], agent: string, key: ForgeKey, fields: Partial<Omit<LogEntry, 'type' | 'agent'>>): string[] {
  let last: LogEntry | null = null
  let lastLine = ''
  for (let i = lines.length - 1; i >= 0 && !last; i--) {
    const o = JSON.parse(lines[i]!) as LogEntry
    if (o.type === LOG_ENTRY_TYPE) (last = o), (lastLine = lines[i]!)
  }
  const prev = last ? entryHash(lastLine).toString('hex') : ZERO_HASH
  const e: LogEntry = {type: LOG_ENTRY_TYPE, agent, seq: last ? last.seq + 1 : 0, time: last?.time ?? new Date(0).toISOString(), prev, obs: {}, clock: {}, ...fields}
  const line = canonicalize(e)
  const head = entryHash(line).toString('hex')
  const body = {type: LOG_CHECKPOINT_TYPE, agent, key: key.keyId, seq: e.seq, head, time: e.time} as const
  const sig = toBase64(ed25519.sign(checkpointMessage(body as never), key.secretKey))
  return [...lines, line, canonicalize({...body, sig})]
}

/**
 * The key holder's rewrite of a whole log (parsed lines, entries edited in place by the caller): every entry
 * re-chained, every checkpoint re-pointed at the entry just before it and re-signed. Returns the log's text.
 */
export function resignLog(lines: ReadonlyArray<LogEntry | LogCheckpoint>, secretKey: Uint8Array): string {
  let prev = ZERO_HASH
  let lastSeq = -1
  const out: string[] = []
  for (const l of lines) {
    if (l.type === LOG_ENTRY_TYPE) {
      const line = encodeLine({...l, prev})
      prev = entryHash(line).toString('hex')
      lastSeq = l.seq
      out.push(line)
    } else {
      const {sig: _s, ...body} = l
      const b = {...body, seq: lastSeq, head: prev}
      out.push(encodeLine({...b, sig: toBase64(ed25519.sign(checkpointMessage(b), secretKey))}))
    }
  }
  return out.join('\n') + '\n'
}
