/**
 * The fast path for the common JSONL observation line: JSON.parse (V8's parser is faster than any scan written
 * in JavaScript), then two cheap checks in place of the general duplicate-member scan and time parser. Whenever
 * they cannot decide, the caller takes the general path (parseJson, parseTime), which gives the verdict and the
 * error message; so the fast path only ever accepts what the general path accepts, with the same values
 * (test/core/baseline/fastline.test.ts compares them).
 */

/**
 * True when `obj`, parsed by JSON.parse from `text`, is a flat object (no nested object or array) and `text`
 * repeats no member name. Argument: without a backslash in the text, every '"' delimits a string, so the text
 * holds quotes / 2 strings = member names + string values. JSON.parse keeps one value per distinct name, and each
 * string value it kept appears in the text, so quotes === 2 * (keys + kept string values) exactly when no name
 * repeats. False means "undecided", not "duplicate".
 */
export function flatWithoutDuplicates(text: string, obj: Record<string, unknown>): boolean {
  if (text.indexOf('\\') >= 0) return false
  let strings = 0
  for (const k in obj) {
    const v = obj[k]
    strings++
    if (typeof v === 'string') strings++
    else if (typeof v === 'object' && v !== null) return false
  }
  let quotes = 0
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) quotes++
  return quotes === 2 * strings
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

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
 * field in its calendar range, in milliseconds since the epoch; NaN for any other form (the caller then uses
 * parseTime, which decides).
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
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  if (d > (mo === 2 && leap ? 29 : DAYS[mo - 1]!)) return NaN
  return Date.UTC(y, mo - 1, d, h, mi, se, ms)
}
