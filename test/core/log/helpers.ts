// Building logs for tests: honest ones through LogWriter, and forged ones that are correctly hashed and signed, so
// that exactly the check under test is the one that fails.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createHash} from 'node:crypto'
import {canonicalize} from '../../../src/core/canonical/jcs.js'
import {ed25519} from '../../../src/core/crypto/ed25519.js'
import {toBase64} from '../../../src/core/bytes.js'
import {ENTRY_DOMAIN, LOG_CHECKPOINT_TYPE, LOG_ENTRY_TYPE, ZERO_HASH, checkpointMessage, type ClockRef, type LogEntry} from '../../../src/core/log/format.js'
import {keyPair} from '../../helpers/keys.js'

export const T0 = Date.parse('2026-01-01T00:00:00Z')
export const iso = (ms: number) => new Date(ms).toISOString()
export const tmp = () => mkdtempSync(join(tmpdir(), 'tcp-log-'))

export type Key = ReturnType<typeof keyPair>
export const newKey = keyPair

export interface Spec {
  time?: number
  seq?: number
  obs?: Record<string, number>
  clock?: Record<string, ClockRef>
  prev?: string
  /** Put a checkpoint after this entry. */
  checkpoint?: boolean
}

export const entryHash = (line: string) => createHash('sha3-256').update(ENTRY_DOMAIN).update(line, 'utf8').digest('hex')

/** Lines of a log of `agent` from specs: chained and signed as an honest agent would, whatever the specs say. */
export function craft(agent: string, key: Key, specs: Spec[]): {lines: string[]; hashes: string[]} {
  const lines: string[] = []
  const hashes: string[] = []
  let prev = ZERO_HASH
  specs.forEach((s, i) => {
    const e: LogEntry = {type: LOG_ENTRY_TYPE, agent, seq: s.seq ?? i, time: iso(s.time ?? T0 + i * 1000), prev: s.prev ?? prev, obs: s.obs ?? {x: i}, clock: s.clock ?? {}}
    const line = canonicalize(e)
    lines.push(line)
    prev = entryHash(line)
    hashes.push(prev)
    if (s.checkpoint || i === specs.length - 1) lines.push(checkpointLine(agent, key, e.seq, prev, e.time))
  })
  return {lines, hashes}
}

export function checkpointLine(agent: string, key: Key, seq: number, head: string, time: string, extra: Record<string, unknown> = {}): string {
  const body = {type: LOG_CHECKPOINT_TYPE, agent, key: key.keyId, seq, head, time, ...extra}
  return canonicalize({...body, sig: toBase64(ed25519.sign(checkpointMessage(body as never), key.secretKey))})
}

export function writeLog(dir: string, name: string, lines: string[]): string {
  const p = join(dir, name)
  writeFileSync(p, lines.map((l) => l + '\n').join(''))
  return p
}
