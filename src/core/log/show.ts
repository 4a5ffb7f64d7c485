/** `tcp log show`: what a log says about itself. Structure and chain only; signatures are for tcp verify. */
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
  return {...v.summary(), signaturesChecked: false, problems: Object.fromEntries(v.counts), firstProblem: v.failures[0] ?? null}
}
