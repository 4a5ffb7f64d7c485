/**
 * Observations out of a verified log, for baselines and checks: the log is verified first (every check of
 * verify.ts, under the caller's trust), and only its committed entries are read, so what a baseline is built from
 * is what the agent signed, in its order, with no entry added, dropped or repeated. The head used is returned so
 * that the caller can state it.
 */
import {TcpError} from '../errors.js'
import {requireAllPassed} from '../verify/report.js'
import type {ObservationSet} from '../baseline/observations.js'
import {LOG_CHECKPOINT_TYPE, LOG_ENTRY_TYPE, MAX_LINE_BYTES, logTimeMs} from './format.js'
import {readFirstLine} from './lines.js'
import {verifyLogFile, type LogHead, type LogReport, type LogVerifyOptions} from './verify.js'

export async function isLogFile(path: string): Promise<boolean> {
  const first = await readFirstLine(path, MAX_LINE_BYTES + 1, 'observations')
  try {
    const o = JSON.parse(first) as {type?: unknown}
    return !!o && (o.type === LOG_ENTRY_TYPE || o.type === LOG_CHECKPOINT_TYPE)
  } catch {
    return false
  }
}

export interface LogObservations {
  set: ObservationSet
  agent: string
  head: LogHead
  report: LogReport
}

/** Verifies `path` (TcpError 'rejected' when any check fails) and returns the observations of its entries. */
export function observationsFromLog(path: string, opts: LogVerifyOptions): LogObservations {
  // One pass: the observations kept are those of the very bytes that were verified.
  let features: string[] | null = null
  let featureError: string | null = null
  const rows: Array<ObservationSet['rows'][number] & {seq: number}> = []
  const report = verifyLogFile(path, opts, {
    entry() {},
    reference() {},
    parsed(e, n) {
      const keys = Object.keys(e.obs)
      if (keys.length === 0) return // an entry that only records what the agent saw
      if (features === null) features = keys
      else if (!featureError && (keys.length !== features.length || keys.some((k, i) => k !== features![i])))
        featureError = `log ${path}:${n} seq ${e.seq}: features ${keys.join(',')} differ from the first entry's ${features.join(',')}`
      rows.push({agent: e.agent, time: logTimeMs(e.time), values: e.obs, seq: e.seq})
    },
  })
  requireAllPassed(report)
  if (featureError) throw new TcpError('input', featureError)
  const head = report.log.head!
  return {set: {features: features ?? [], rows: rows.filter((r) => r.seq <= head.seq).map(({seq: _s, ...r}) => r)}, agent: report.log.agent!, head, report}
}

/**
 * A baseline that judges a log must be vouched for by someone other than the log's own signer: with one trust set
 * (`--pub alice.pub --pub agent-01.pub`), the agent's key verifies both, and an agent could sign itself a lenient
 * baseline. Throws 'rejected' unless at least `threshold` of the baseline's signers signed none of the log's checkpoints.
 */
export function requireIndependentBaseline(baselineSigners: readonly string[], logKeys: readonly string[], threshold: number, log: string): void {
  const own = new Set(logKeys)
  const independent = baselineSigners.filter((k) => !own.has(k))
  if (independent.length < threshold)
    throw new TcpError('rejected', `rejected: the baseline has ${independent.length} of ${threshold} required signer(s) other than the key(s) that sign the window log ${log} (${[...own].join(', ')}): an agent cannot vouch for its own baseline`)
}

