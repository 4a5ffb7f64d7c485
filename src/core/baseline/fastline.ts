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
