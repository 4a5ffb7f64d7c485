// parseJson: duplicate member names (the string scanner that finds them) and the nesting bound.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {MAX_JSON_DEPTH, parseJson} from '../../src/core/json.js'
import {TcpError} from '../../src/core/errors.js'

const bad = (text: string, re: RegExp) =>
  assert.throws(() => parseJson(text, 'doc'), (e: unknown) => e instanceof TcpError && e.code === 'input' && re.test(e.message) && !e.message.includes('\n'))

describe('parseJson: duplicate member names', () => {
  it('refuses a duplicate at the top level and in nested objects, and names it', () => {
    bad('{"a":1,"a":2}', /doc: duplicate member name "a"/)
    bad('{"x":{"b":1,"c":{},"b":2}}', /duplicate member name "b"/)
    bad('[{"a":1},{"b":1,"b":1}]', /duplicate member name "b"/)
  })

  it('compares decoded names: an escape spelling the same name is a duplicate', () => {
    bad('{"a":1,"\\u0061":2}', /duplicate member name "a"/)
    bad('{"a\\\\":1,"a\\u005c":2}', /duplicate member name "a\\\\"/)
  })

  it('the same name in sibling or nested objects, or as a value, is not a duplicate', () => {
    assert.deepEqual(parseJson('{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"a"}', 'doc'), {a: {a: 1}, b: [{a: 1}, {a: 2}], c: 'a'})
    assert.deepEqual(parseJson('{"a":"b","b":"a"}', 'doc'), {a: 'b', b: 'a'})
  })

  it('finds the end of a string after escaped backslashes and quotes (the scan must not drift)', () => {
    // A value ending in an escaped backslash: the quote after it closes the string, so "k" below is a member name.
    bad('{"v":"x\\\\","k":1,"k":2}', /duplicate member name "k"/)
    bad('{"v":"\\\\\\\\","k":1,"k":2}', /duplicate member name "k"/)
    // An escaped quote does not close the string: the ,"k": inside is part of the value, not a member.
    assert.deepEqual(parseJson('{"v":"a\\",\\"k\\":1","k":2}', 'doc'), {v: 'a","k":1', k: 2})
    // Braces and commas inside strings are text, not structure.
    assert.deepEqual(parseJson('{"v":"{\\"k\\":1,\\"k\\":2}","k":[",{"]}', 'doc'), {v: '{"k":1,"k":2}', k: [',{']})
    // A key that is itself a backslash, then a duplicate.
    bad('{"\\\\":1,"z":1,"z":2}', /duplicate member name "z"/)
  })

  it('refuses a byte-order mark and malformed text in one line', () => {
    bad('\ufeff{}', /byte-order mark/)
    bad('{"a":', /not valid JSON/)
  })
})

describe('parseJson: nesting depth', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels, refuses ${MAX_JSON_DEPTH + 1} and 20,000 with a clear input error`, () => {
    const nest = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n)
    assert.doesNotThrow(() => parseJson(nest(MAX_JSON_DEPTH), 'doc'))
    bad(nest(MAX_JSON_DEPTH + 1), new RegExp(`doc: nested deeper than ${MAX_JSON_DEPTH} levels`))
    bad('{"p":' + '{"a":'.repeat(20000) + '1' + '}'.repeat(20001), /nested deeper than/)
    // Brackets inside strings do not count.
    assert.doesNotThrow(() => parseJson(JSON.stringify({s: '['.repeat(20000)}), 'doc'))
  })
})
