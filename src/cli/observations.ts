/**
 * Observations for baseline create/check: a JSONL/CSV file as before, or a tcp.log/v1 log, which is verified first
 * (trust from --pub/--trust or the configuration) and whose committed head is returned so the command can state it.
 */
import {TcpError} from '../core/errors.js'
import {readFileText} from '../core/io.js'
import {filterAgent, parseObservations, type ObservationSet} from '../core/baseline/observations.js'
import {loadTrust} from './trust.js'
import type {TcpConfig} from './config.js'

export interface LogSource {
  log: string
  agent: string
  head: {seq: number; hash: string; time: string}
  trust: string
  /** Key ids that signed the log's checkpoints. */
  keyIds: string[]
}

export async function loadObservations(
  path: string,
  o: {agent?: string; pub?: string[]; trust?: string; now?: number; config: () => Promise<TcpConfig>},
): Promise<{set: ObservationSet; source: LogSource | null}> {
  const {isLogFile, observationsFromLog} = await import('../core/log/observe.js')
  if (!(await isLogFile(path))) return {set: filterAgent(parseObservations(await readFileText(path, {what: 'observations'}), path), o.agent, path), source: null}
  if (!o.pub?.length && !o.trust && !(await o.config()).trust)
    throw new TcpError('usage', `${path} is a tcp.log/v1 log: it is verified first; pass --pub KEY.pub or --trust DIR`)
  const trust = await loadTrust(o, o.config)
  const r = observationsFromLog(path, {trust, now: o.now})
  if (o.agent && o.agent !== r.agent) throw new TcpError('usage', `--agent ${o.agent}: ${path} is the log of ${r.agent}`)
  const {seq, hash, time} = r.head
  return {set: r.set, source: {log: path, agent: r.agent, head: {seq, hash, time}, trust: trust.source, keyIds: r.report.log.keyIds}}
}

export const describeSource = (s: LogSource): string =>
  `verified log ${s.log} (agent ${s.agent}, trust ${s.trust}): head seq ${s.head.seq} ${s.head.hash} at ${s.head.time}`
