// parseTime: RFC 3339 with an explicit offset; calendar fields checked as written, with Z and with numeric offsets.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {parseDuration, parseTime} from '../../src/core/time.js'
import {TcpError} from '../../src/core/errors.js'

const bad = (v: unknown, re: RegExp) =>
  assert.throws(() => parseTime(v, 'at'), (e: unknown) => e instanceof TcpError && e.code === 'input' && re.test(e.message) && e.message.startsWith('at: '))

describe('parseTime', () => {
  it('reads Z and numeric offsets to the same instant', () => {
    const z = Date.UTC(2026, 0, 1, 0, 0, 0)
    assert.equal(parseTime('2026-01-01T00:00:00Z', 'at'), z)
    assert.equal(parseTime('2026-01-01T02:00:00+02:00', 'at'), z)
    assert.equal(parseTime('2025-12-31T19:30:00-04:30', 'at'), z)
    assert.equal(parseTime('2026-01-01t00:00:00.5z', 'at'), z + 500)
  })

  it('accepts the last day of each month and 29 February of leap years only', () => {
    for (const [d, ok] of [
      ['2026-01-31', true], ['2026-02-28', true], ['2026-02-29', false], ['2024-02-29', true], ['2000-02-29', true],
      ['1900-02-29', false], ['2026-04-30', true], ['2026-04-31', false], ['2026-12-31', true],
    ] as const) {
      for (const off of ['Z', '+00:00', '+05:30', '-08:00']) {
        const v = `${d}T12:00:00${off}`
        if (ok) assert.equal(typeof parseTime(v, 'at'), 'number', v)
        else bad(v, /not a calendar date/)
      }
    }
  })

  it('refuses impossible fields whatever the offset (2026-02-31, T24:00:00, month 13, day 0, :60)', () => {
    for (const off of ['Z', '+00:00', '+01:00', '-01:00']) {
      bad(`2026-02-31T00:00:00${off}`, /not a calendar date/)
      bad(`2026-13-01T00:00:00${off}`, /not a calendar date/)
      bad(`2026-00-10T00:00:00${off}`, /not a calendar date/)
      bad(`2026-01-00T00:00:00${off}`, /not a calendar date/)
      bad(`2026-01-01T24:00:00${off}`, /not a time of day/)
      bad(`2026-01-01T23:60:00${off}`, /not a time of day/)
      bad(`2026-01-01T23:59:60${off}`, /not a time of day/)
    }
    bad('2026-01-01T00:00:00+24:00', /not a UTC offset/)
    bad('2026-01-01T00:00:00+01:60', /not a UTC offset/)
  })

  it('refuses times without an offset, other shapes and non-strings', () => {
    for (const v of ['2026-01-01T00:00:00', '2026-01-01', '1', '', ' 2026-01-01T00:00:00Z', 20260101, null, undefined])
      bad(v, /expected an RFC 3339 time/)
  })
})

describe('parseDuration', () => {
  it('reads each unit, and refuses signs, exponents and other units', () => {
    assert.deepEqual(['500ms', '2s', '1.5m', '1h', '7d', ' 5m'].map((v) => parseDuration(v, '--d')), [500, 2000, 90_000, 3_600_000, 604_800_000, 300_000])
    for (const v of ['-1s', 'NaNs', 'Infinitys', '1e3s', '5M', '5', ''])
      assert.throws(() => parseDuration(v, '--d'), (e: unknown) => e instanceof TcpError && e.code === 'usage' && e.message.startsWith('--d: expected a duration'))
  })

  it('refuses a duration too long to count in milliseconds exactly, rather than becoming Infinity (a skew or bound that disables its check)', () => {
    assert.equal(parseDuration('104249991d', '--d'), 104249991 * 86_400_000)
    for (const v of ['9'.repeat(400) + 'd', '104249992d', '1' + '0'.repeat(30) + 'ms'])
      assert.throws(() => parseDuration(v, '--max-skew'), (e: unknown) => e instanceof TcpError && e.code === 'usage' && /^--max-skew: .* is longer than 2\^53 ms/.test(e.message))
  })
})
