/**
 * Times in tcp are RFC 3339 date-times with an explicit offset ("2026-01-01T00:00:00Z", "...+02:00"). Date.parse
 * alone would read "2026-01-01T00:00:00" in the machine's time zone and "1" as the year 2001: a verdict must not
 * depend on where it is computed.
 */
import {TcpError} from './errors.js'

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/

/** Milliseconds since the epoch, or TcpError('input') naming `what` and the value. */
export function parseTime(value: unknown, what: string): number {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null
  const t = m ? Date.parse(value as string) : NaN
  // Date.parse rolls 2026-02-31 over to March: check the calendar fields survive the round trip (in UTC, after
  // undoing the offset, they can differ legitimately, so compare only when the offset is Z).
  if (m && !Number.isNaN(t) && /^[Zz]$/.test(m[8]!)) {
    const d = new Date(t)
    if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() + 1 !== Number(m[2]) || d.getUTCDate() !== Number(m[3]))
      throw new TcpError('input', `${what}: not a calendar date: ${JSON.stringify(value)}`)
  }
  if (Number.isNaN(t))
    throw new TcpError('input', `${what}: expected an RFC 3339 time with an offset such as 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}`)
  return t
}

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/
const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** A duration such as "500ms", "2s", "5m", "1h", "7d" in milliseconds, or TcpError('usage') naming `what`. */
export function parseDuration(value: string, what: string): number {
  const m = DURATION_RE.exec(value.trim())
  if (!m) throw new TcpError('usage', `${what}: expected a duration such as 500ms, 2s, 5m, 1h or 7d, got ${JSON.stringify(value)}`)
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!)
}
