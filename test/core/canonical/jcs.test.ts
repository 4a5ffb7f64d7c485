// RFC 8785 examples: section 3.2.2 (sample structure), 3.2.3 (sorting), Appendix B (numbers).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {canonicalize} from '../../../src/core/canonical/jcs.js'

describe('RFC 8785 JCS', () => {
  it('section 3.2.2: the sample input canonicalises to the published output', () => {
    const input = JSON.parse('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}')
    assert.equal(
      canonicalize(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    )
  })

  it('section 3.2.3: members sorted by UTF-16 code units', () => {
    const input = JSON.parse('{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}')
    // Read the keys in text order: Object.keys would move the integer-like key "1" first.
    const keys = [...canonicalize(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`))
    assert.deepEqual(keys, ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'])
  })

  it('Appendix B: numbers serialise as ECMAScript does', () => {
    const cases: Array<[number, string]> = [
      [0, '0'], [-0, '0'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'], [295147905179352830000, '295147905179352830000'],
      [1e21, '1e+21'], [1e-7, '1e-7'], [0.000001, '0.000001'], [333333333.3333333, '333333333.3333333'],
    ]
    for (const [n, s] of cases) assert.equal(canonicalize(n), s)
  })

  it('nested objects and arrays, deterministic regardless of insertion order', () => {
    assert.equal(canonicalize({b: [3, {z: 1, a: 2}], a: 'x'}), '{"a":"x","b":[3,{"a":2,"z":1}]}')
    assert.equal(canonicalize({a: 1, b: 2}), canonicalize({b: 2, a: 1}))
  })

  it('rejects what JSON cannot hold', () => {
    assert.throws(() => canonicalize(NaN), /not a finite number/)
    assert.throws(() => canonicalize({a: Infinity}), /\$\.a/)
    assert.throws(() => canonicalize('\ud800'), /lone surrogate/)
    assert.throws(() => canonicalize(10n), /bigint/)
    const cyc: any = {}
    cyc.self = cyc
    assert.throws(() => canonicalize(cyc), /cycle/)
  })
})
