/** `tcp log show`: what a log says about itself. Structure and chain only; signatures are for tcp verify. */
import {TcpError} from '../errors.js'
import {runLogVerifier, type LogFailure, type LogSummary} from './verify.js'

export interface LogDescription extends LogSummary {
  /** Always false: show does not check signatures (tcp verify does). */
  signaturesChecked: false
  /** Structural problems found (format, sequence, chain, times, clocks), by check. */
  problems: Record<string, number>
  firstProblem: LogFailure | null
}

export function describeLog(path: string, now = Date.now()): LogDescription {
  const v = runLogVerifier(path, {trust: {keys: [], revoked: new Set(), source: 'none'}, now, unsignedStructureOnly: true, keepFailures: 1})
  const summary = v.summary()
  const first = v.failures[0]
  // Nothing in the file parsed as a log line: it is some other file (observations, an envelope), not a broken log.
  if (summary.entries === 0 && summary.checkpoints === 0 && first && (v.counts.get('format') ?? 0) > 0)
    throw new TcpError('input', `${path}: not a tcp.log/v1 log (line ${first.line}: ${first.detail})`)
  return {...summary, signaturesChecked: false, problems: Object.fromEntries(v.counts), firstProblem: first ?? null}
}
