/**
 * Times in tcp are RFC 3339 date-times with an explicit offset ("2026-01-01T00:00:00Z", "...+02:00"). Date.parse
 * alone would read "2026-01-01T00:00:00" in the machine's time zone and "1" as the year 2001: a verdict must not
 * depend on where it is computed.
 */
import {TcpError} from './errors.js'

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return month === 2 && leap ? 29 : DAYS[month - 1]!
}

/**
 * Milliseconds since the epoch, or TcpError('input') naming `what` and the value. The calendar fields are checked
 * as written, before any offset is applied (RFC 3339 section 5.7): month 01-12, a day that month has (leap years
 * by the Gregorian rule), hour 00-23, minute and second 00-59, offset hours 00-23 and minutes 00-59. Date.parse
 * alone rolls 2026-02-31 over to March 3 and reads T24:00:00 as the next day when the offset is numeric. Leap
 * seconds (:60) are refused: Date cannot represent them.
 */
export function parseTime(value: unknown, what: string): number {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null
  if (!m) throw new TcpError('input', `${what}: expected an RFC 3339 time with an offset such as 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}`)
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month))
    throw new TcpError('input', `${what}: not a calendar date: ${JSON.stringify(value)}`)
  if (hour > 23 || minute > 59 || second > 59) throw new TcpError('input', `${what}: not a time of day: ${JSON.stringify(value)}`)
  const off = /^[+-](\d{2}):(\d{2})$/.exec(m[8]!)
  if (off && (Number(off[1]) > 23 || Number(off[2]) > 59)) throw new TcpError('input', `${what}: not a UTC offset: ${JSON.stringify(value)}`)
  const t = Date.parse(value as string)
  if (Number.isNaN(t)) throw new TcpError('input', `${what}: expected an RFC 3339 time with an offset such as 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}`)
  return t
}

function digits(s: string, i: number, n: number): number {
  let v = 0
  for (let k = i; k < i + n; k++) {
    const d = s.charCodeAt(k) - 0x30
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/**
 * YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.sssZ (exactly 3 fraction digits, year 1000 or later) with every
 * field in its calendar range, in milliseconds since the epoch; NaN for any other form (a caller that
 * accepts other RFC 3339 forms then uses parseTime, which decides). Parsed by hand: it runs once per line on the
 * hot paths of baseline create and log verify.
 */
export function fastUtcTime(s: string): number {
  const len = s.length
  if ((len !== 20 && len !== 24) || s.charCodeAt(len - 1) !== 0x5a /* Z */) return NaN
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x54 || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a)
    return NaN
  const y = digits(s, 0, 4)
  const mo = digits(s, 5, 2)
  const d = digits(s, 8, 2)
  const h = digits(s, 11, 2)
  const mi = digits(s, 14, 2)
  const se = digits(s, 17, 2)
  let ms = 0
  if (len === 24) {
    if (s.charCodeAt(19) !== 0x2e) return NaN
    ms = digits(s, 20, 3)
  }
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || ms < 0) return NaN
  if (d > daysIn(y, mo)) return NaN
  return Date.UTC(y, mo - 1, d, h, mi, se, ms)
}

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/
const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/**
 * A duration such as "500ms", "2s", "5m", "1h", "7d" in milliseconds, or TcpError('usage') naming `what`. A value
 * beyond 2^53 ms is refused: enough digits would make it Infinity, and a skew or bound of Infinity turns its check
 * off without a word.
 */
export function parseDuration(value: string, what: string): number {
  const m = DURATION_RE.exec(value.trim())
  if (!m) throw new TcpError('usage', `${what}: expected a duration such as 500ms, 2s, 5m, 1h or 7d, got ${JSON.stringify(value)}`)
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2]!]!)
  if (!Number.isSafeInteger(ms)) throw new TcpError('usage', `${what}: ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)} is longer than 2^53 ms`)
  return ms
}
