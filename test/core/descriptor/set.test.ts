import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {toHex} from '../../../src/core/bytes.js'
import {TcpError} from '../../../src/core/errors.js'
import {decodeSet, encodeSet, inspectSet, parseSetSpec} from '../../../src/core/descriptor/index.js'

const SPEC = [
  '{"command":"rm","flags":["CRITICAL","REQUIRES_ROOT","DESTRUCTIVE","FILE_MODIFICATION","SYSTEM_MODIFICATION"],"execMs":10000,"memoryMb":1000,"outputKb":50}',
  '',
  '{"command":"git status","flags":"SAFE","execMs":100,"memoryMb":10,"outputKb":48828}',
  '{"command":"curl","flags":"0x108","execMs":2000,"memoryMb":50,"outputKb":1024}',
].join('\n')

describe('descriptor sets', () => {
  it('a JSON-lines spec encodes to the concatenation of the descriptors, in order, and decodes back', () => {
    const set = encodeSet(parseSetSpec(SPEC))
    assert.equal(set.length, 72)
    assert.equal(toHex(set.subarray(0, 48)), '544350020002d67f249b000006d0271003e800320002ef04' + '5443500200026ca42d12000000010064000abebc000a44bd')
    const d = decodeSet(set)
    assert.equal(d.count, 3)
    assert.deepEqual(d.descriptors.map((x) => x.policy), ['REJECT', 'APPROVE', 'REQUIRE_APPROVAL'])
  })

  it('a corrupt record or a bad length is rejected, naming the record', () => {
    const set = encodeSet(parseSetSpec(SPEC))
    const bad = set.slice()
    bad[24 + 12]! ^= 1
    assert.throws(() => decodeSet(bad), (e: unknown) => e instanceof TcpError && e.code === 'rejected' && /^record 1 \(bytes 24-47\): checksum/.test(e.message))
    assert.deepEqual(inspectSet(bad).invalid.map((x) => x.index), [1])
    assert.throws(() => decodeSet(set.subarray(0, 50)), /positive multiple of 24 bytes, got 50/)
    assert.throws(() => decodeSet(new Uint8Array(0)), /got 0/)
  })

  it('a bad spec line is an input error naming the line', () => {
    const input = (text: string, re: RegExp) =>
      assert.throws(() => parseSetSpec(text), (e: unknown) => e instanceof TcpError && e.code === 'input' && re.test(e.message))
    input('{"command":"x","flags":1,"execMs":1,"memoryMb":1}', /line 1: outputKb: expected a number/)
    input('\n{"command":"x","flags":["BOGUS"],"execMs":1,"memoryMb":1,"outputKb":1}', /line 2: flags: unknown flag "BOGUS"/)
    input('not json', /line 1: not valid JSON/)
    input('\n\n', /no descriptors/)
    assert.throws(() => encodeSet(parseSetSpec('{"command":"x","flags":1,"execMs":70000,"memoryMb":1,"outputKb":1}')), /tool 1 \("x"\): execMs/)
  })
})
