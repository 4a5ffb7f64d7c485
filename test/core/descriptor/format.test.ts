// TCP descriptor v2: the two known-good vectors from the issue, round trips, every single-bit flip, fuzzed bytes,
// the CRC-32 against node:zlib, and the hot path against the full decoder.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {crc32 as zlibCrc32} from 'node:zlib'
import fc from 'fast-check'
import {fromHex, toHex} from '../../../src/core/bytes.js'
import {TcpError} from '../../../src/core/errors.js'
import {Rng} from '../../../src/core/rng.js'
import {
  crc32, crc32Bitwise, decideDescriptor, decideDescriptorCt, decodeDescriptor, describesCommand, encodeDescriptor,
  inspectDescriptor, parseFlags, policyOf, riskOf, FLAGS, INVALID_CODE, POLICIES,
} from '../../../src/core/descriptor/index.js'

const RM = '544350020002d67f249b000006d0271003e800320002ef04'
const GIT = '5443500200026ca42d12000000010064000abebc000a44bd'

function rejects(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof TcpError && e.code === 'rejected' && re.test(e.message))
}

describe('descriptor v2 format', () => {
  it('decodes the rm and git status vectors to the documented fields', () => {
    const rm = decodeDescriptor(fromHex(RM))
    assert.deepEqual(
      [rm.version, rm.commandHash, rm.flags, rm.risk, rm.policy, rm.execMs, rm.memoryMb, rm.outputKb, rm.commandLength, rm.checksum, rm.valid],
      [2, 'd67f249b', 0x6d0, 'CRITICAL', 'REJECT', 10000, 1000, 50, 2, 0xef04, true],
    )
    assert.deepEqual(rm.flagNames, ['CRITICAL', 'REQUIRES_ROOT', 'DESTRUCTIVE', 'FILE_MODIFICATION', 'SYSTEM_MODIFICATION'])
    const git = decodeDescriptor(fromHex(GIT))
    assert.deepEqual([git.flags, git.flagNames, git.risk, git.policy, git.execMs, git.memoryMb, git.outputKb, git.commandLength],
      [1, ['SAFE'], 'SAFE', 'APPROVE', 100, 10, 48828, 10])
    assert.ok(describesCommand(fromHex(GIT), 'git status'))
    assert.ok(!describesCommand(fromHex(GIT), 'git stash'))
  })

  it('encodes the vectors byte for byte, from numbers and from flag names', () => {
    assert.equal(toHex(encodeDescriptor({command: 'rm', flags: 0x6d0, execMs: 10000, memoryMb: 1000, outputKb: 50})), RM)
    const names = parseFlags('CRITICAL,REQUIRES_ROOT,DESTRUCTIVE,FILE_MODIFICATION,SYSTEM_MODIFICATION')
    assert.equal(names, 0x6d0)
    assert.equal(toHex(encodeDescriptor({command: 'git status', flags: parseFlags('SAFE'), execMs: 100, memoryMb: 10, outputKb: 48828})), GIT)
  })

  it('risk and policy: highest of bits 0-4 decides; no risk bit is UNKNOWN and approved, as v2 defines', () => {
    assert.deepEqual([riskOf(0), policyOf(0)], ['UNKNOWN', 'APPROVE'])
    assert.deepEqual([riskOf(FLAGS.LOW_RISK), policyOf(FLAGS.LOW_RISK)], ['LOW_RISK', 'APPROVE'])
    assert.deepEqual([riskOf(FLAGS.MEDIUM_RISK | FLAGS.SAFE), policyOf(FLAGS.MEDIUM_RISK)], ['MEDIUM_RISK', 'CAUTION'])
    assert.deepEqual([riskOf(FLAGS.HIGH_RISK | FLAGS.NETWORK_ACCESS), policyOf(FLAGS.HIGH_RISK)], ['HIGH_RISK', 'REQUIRE_APPROVAL'])
    assert.deepEqual([riskOf(FLAGS.CRITICAL | FLAGS.SAFE), policyOf(FLAGS.CRITICAL | FLAGS.SAFE)], ['CRITICAL', 'REJECT'])
  })

  it('every single-bit flip of either vector is rejected, by magic, version or checksum', () => {
    for (const hex of [RM, GIT]) {
      const good = fromHex(hex)
      for (let bit = 0; bit < 192; bit++) {
        const bad = good.slice()
        bad[bit >> 3]! ^= 0x80 >> (bit & 7)
        const d = inspectDescriptor(bad)
        assert.equal(d.valid, false, `bit ${bit} of ${hex} passed`)
        assert.equal(d.policy, 'REJECT')
        const why = bit < 32 ? /^magic/ : bit < 48 ? /^version/ : /^checksum/
        assert.match(d.reason!, why, `bit ${bit}`)
        assert.ok(decideDescriptor(bad, 0) < 0 && decideDescriptorCt(bad, 0) < 0)
      }
    }
  })

  it('rejects wrong lengths with exit class 1 and names both lengths', () => {
    rejects(() => decodeDescriptor(fromHex(RM).subarray(0, 23)), /expected 24 bytes, got 23/)
    rejects(() => decodeDescriptor(new Uint8Array(25)), /expected 24 bytes, got 25/)
    assert.equal(decideDescriptor(new Uint8Array(23), 0), INVALID_CODE.length)
    assert.equal(decideDescriptor(fromHex(RM), 1), INVALID_CODE.length)
  })

  it('bad hex names what is wrong with it: the first bad character and where, or the odd length', () => {
    assert.throws(() => fromHex('zz', 'descriptor hex'), /^TcpError: descriptor hex: not hex: "z" at character 1$/)
    assert.throws(() => fromHex('0a1', 'descriptor hex'), /^TcpError: descriptor hex: an odd number of hex digits \(3\)$/)
    assert.throws(() => fromHex('0a 1b', 'x'), /x: not hex: " " at character 3/)
  })

  it('bad encoder input is an input error (exit 2) naming the field', () => {
    const ok = {command: 'ls', flags: 1, execMs: 1, memoryMb: 1, outputKb: 1}
    const input = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof TcpError && e.code === 'input' && re.test(e.message))
    input(() => encodeDescriptor({...ok, execMs: 65536}), /execMs: expected an integer from 0 to 65535, got 65536/)
    input(() => encodeDescriptor({...ok, memoryMb: -1}), /memoryMb/)
    input(() => encodeDescriptor({...ok, outputKb: 1.5}), /outputKb/)
    input(() => encodeDescriptor({...ok, command: ''}), /command/)
    input(() => encodeDescriptor({...ok, command: 'x'.repeat(65536)}), /at most 65535 bytes, got 65536/)
    input(() => parseFlags('CRITICAL,NOPE'), /unknown flag "NOPE"/)
    input(() => parseFlags('0x1ffffffff'), /32-bit/)
  })

  it('round trip: random fields encode and decode to themselves (fast-check, seeded)', () => {
    fc.assert(
      fc.property(
        fc.string({minLength: 1, maxLength: 200}), fc.integer({min: 0, max: 0xffffffff}),
        fc.integer({min: 0, max: 65535}), fc.integer({min: 0, max: 65535}), fc.integer({min: 0, max: 65535}),
        (command, flags, execMs, memoryMb, outputKb) => {
          const b = encodeDescriptor({command, flags, execMs, memoryMb, outputKb})
          const d = decodeDescriptor(b)
          assert.deepEqual([d.flags, d.execMs, d.memoryMb, d.outputKb, d.commandLength], [flags, execMs, memoryMb, outputKb, Buffer.byteLength(command)])
          assert.ok(describesCommand(b, command))
          assert.equal(POLICIES[decideDescriptor(b, 0)], d.policy)
          assert.equal(decideDescriptorCt(b, 0), decideDescriptor(b, 0))
        },
      ),
      {seed: 5, numRuns: 500},
    )
  })

  it('fuzzed bytes: the decoder never throws anything but a rejection, and both hot paths agree with it', () => {
    const rng = new Rng(11)
    let valid = 0
    for (let i = 0; i < 20000; i++) {
      const b = rng.bytes(24)
      if (i % 2 === 0) b.set(fromHex(RM).subarray(0, 6)) // half keep magic and version, so the checksum is what decides
      const d = inspectDescriptor(b)
      const code = decideDescriptor(b, 0)
      assert.equal(decideDescriptorCt(b, 0), code)
      assert.equal(d.valid, code >= 0)
      if (d.valid) {
        valid++
        assert.equal(POLICIES[code], d.policy)
      } else rejects(() => decodeDescriptor(b), /^(magic|version|checksum)/)
    }
    // A random checksum matches 1 in 65,536: about 0.15 expected among 10,000 candidates.
    assert.ok(valid <= 3, `${valid} random descriptors passed the checksum`)
  })

  it('CRC-32 (table and bitwise) equals node:zlib crc32 on random inputs', () => {
    const rng = new Rng(3)
    for (let i = 0; i < 300; i++) {
      const b = rng.bytes(rng.int(100))
      const want = zlibCrc32(b) >>> 0
      assert.equal(crc32(b), want)
      assert.equal(crc32Bitwise(b), want)
    }
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926) // the CRC-32/ISO-HDLC check value
  })
})
