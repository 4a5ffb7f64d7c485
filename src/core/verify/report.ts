/**
 * The shape of every verifier's answer. Verification fails closed: a report is accepted only when it has at least
 * one check and every check passed; `requireAllPassed` throws TcpError('rejected') naming the first failed check,
 * with the whole report as details (rendered under --json).
 */
import {TcpError} from '../errors.js'

export interface Check {
  /** Short stable name of the check ("signature", "threshold", "nonce", "pcr-digest"). */
  check: string
  ok: boolean
  /** Why it failed, or what it established. */
  detail?: string
}

export interface VerifyReport {
  /** Artifact kind, as detected: 'dsse-envelope', 'zk-proof-bundle', 'tpm-quote-bundle'. */
  kind: string
  ok: boolean
  checks: Check[]
  [extra: string]: unknown
}

export function makeReport(kind: string, checks: Check[], extra: Record<string, unknown> = {}): VerifyReport {
  const ok = checks.length > 0 && checks.every((c) => c.ok === true)
  return {kind, ok, checks, ...extra}
}

export function requireAllPassed(report: VerifyReport): VerifyReport {
  if (report.ok && report.checks.length > 0 && report.checks.every((c) => c.ok === true)) return report
  const failed = report.checks.find((c) => !c.ok)
  const why = failed ? `${failed.check}: ${failed.detail ?? 'failed'}` : 'no checks were run'
  throw new TcpError('rejected', `rejected: ${why}`, report)
}
