// tcp descriptor encode/decode in process, with every exit code, and a descriptor set signed with tcp sign and
// checked with tcp verify (then tampered with: one byte of one record).
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tcpProcess, tempDir} from '../helpers/cli.js'

const RM = '544350020002d67f249b000006d0271003e800320002ef04'
const GIT = '5443500200026ca42d12000000010064000abebc000a44bd'
const PASS = {TCP_PASSPHRASE: 'descriptor tests'}

describe('tcp descriptor', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  it('decode --json gives the documented fields of the rm vector', async () => {
    const r = await tcp(['descriptor', 'decode', RM, '--json'])
    assert.equal(r.code, 0, r.stderr)
    const {type, ...j} = r.json()
    assert.equal(type, 'tcp.descriptor.decode/v1')
    // Exactly the fields the issue lists, in its order: nothing missing, nothing extra (no `reason` when valid).
    assert.deepEqual(Object.keys(j), ['version', 'commandHash', 'flags', 'flagNames', 'risk', 'policy', 'execMs', 'memoryMb', 'outputKb', 'commandLength', 'checksum', 'valid'])
    assert.deepEqual([j.commandHash, j.flags, j.risk, j.policy, j.valid], ['d67f249b', 0x6d0, 'CRITICAL', 'REJECT', true])
    const text = await tcp(['descriptor', 'decode', GIT])
    assert.match(text.stdout, /SAFE\s+APPROVE/)
  })

  it('encode reproduces both vectors; --out writes 24 bytes that decode --file reads', async () => {
    const rm = await tcp(['descriptor', 'encode', '--command', 'rm', '--flags', '0x6d0', '--exec-ms', '10000', '--memory-mb', '1000', '--output-kb', '50'])
    assert.equal(rm.stdout.trim(), RM)
    const git = await tcp(['descriptor', 'encode', '--command', 'git status', '--flags', 'SAFE', '--exec-ms', '100', '--memory-mb', '10', '--output-kb', '48828', '--out', p('git.tcpd'), '--json'])
    assert.equal(git.code, 0, git.stderr)
    assert.equal(git.json().hex, GIT)
    assert.equal(readFileSync(p('git.tcpd')).length, 24)
    assert.equal((await tcp(['descriptor', 'decode', '--file', p('git.tcpd'), '--json'])).json().policy, 'APPROVE')
    assert.equal((await tcp(['descriptor', 'encode', '--command', 'ls', '--out', p('git.tcpd')])).code, 2) // exists
  })

  it('exit 1 for bad magic, length, version or checksum (with the reason); exit 2 for unreadable input', async () => {
    const cases: Array<[string, RegExp]> = [
      ['544350030002d67f249b000006d0271003e800320002ef04', /magic/],
      ['544350020003d67f249b000006d0271003e800320002ef04', /version: expected 2, got 3/],
      ['544350020002d67f249b000006d0271003e800320002ef05', /checksum: expected ef04, got ef05/],
      [RM.slice(0, 46), /expected 24 bytes, got 23/],
    ]
    for (const [hex, re] of cases) {
      const r = await tcp(['descriptor', 'decode', hex, '--json'])
      assert.equal(r.code, 1, hex)
      assert.equal(r.json().error.code, 'rejected')
      assert.match(r.json().error.message, re)
      assert.equal(r.json().error.details.valid, false)
    }
    assert.match((await tcp(['descriptor', 'decode', RM.replace('ef04', 'ef00')])).stderr, /^tcp: error: checksum/)
    assert.equal((await tcp(['descriptor', 'decode', 'xyz'])).code, 2)
    const none = await tcp(['descriptor', 'decode'])
    assert.equal(none.code, 2)
    assert.equal(none.stderr.trim(), 'tcp: error: give a HEX argument or --file (neither was given)')
    const both = await tcp(['descriptor', 'decode', RM, '--file', p('git.tcpd')])
    assert.equal(both.code, 2)
    assert.equal(both.stderr.trim(), 'tcp: error: give a HEX argument or --file, not both')
    const odd = await tcp(['descriptor', 'decode', RM.slice(0, 47)])
    assert.equal(odd.code, 2)
    assert.equal(odd.stderr.trim().split('\n').length, 1)
    const long = await tcp(['descriptor', 'decode', `${RM}00`, '--json'])
    assert.equal(long.code, 1)
    assert.match(long.json().error.message, /^descriptor: expected 24 bytes, got 25$/)
    assert.equal((await tcp(['descriptor', 'decode', '--file', p('missing.tcpd')])).code, 2)
    assert.equal((await tcp(['descriptor', 'encode', '--command', 'rm', '--flags', 'NOPE'])).code, 2)
    assert.equal((await tcp(['descriptor', 'encode', '--command', 'rm', '--exec-ms', '70000'])).code, 2)
  })

  it('as a whole process (bin/run.js): exit 0, 1 and 2 with one-line errors on stderr', () => {
    const ok = tcpProcess(['descriptor', 'decode', RM])
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /CRITICAL\s+REJECT/)
    const bad = tcpProcess(['descriptor', 'decode', RM.replace(/^5443/, '5444')])
    assert.equal(bad.code, 1)
    assert.equal(bad.stderr.trim().split('\n').length, 1)
    assert.match(bad.stderr, /^tcp: error: magic: expected 54435002/)
    assert.equal(tcpProcess(['descriptor', 'decode', 'nothex']).code, 2)
  })

  it('a descriptor set: encode --set, decode --file, sign, verify, and a tampered record fails both', async () => {
    writeFileSync(p('tools.jsonl'), [
      '{"command":"rm","flags":"0x6d0","execMs":10000,"memoryMb":1000,"outputKb":50}',
      '{"command":"git status","flags":["SAFE"],"execMs":100,"memoryMb":10,"outputKb":48828}',
      '{"command":"curl","flags":"HIGH_RISK,NETWORK_ACCESS","execMs":2000,"memoryMb":50,"outputKb":1024}',
    ].join('\n') + '\n')
    const enc = await tcp(['descriptor', 'encode', '--set', p('tools.jsonl'), '--out', p('tools.tcpd'), '--json'])
    assert.equal(enc.code, 0, enc.stderr)
    assert.equal(enc.json().count, 3)
    const dec = await tcp(['descriptor', 'decode', '--file', p('tools.tcpd'), '--json'])
    assert.deepEqual(dec.json().descriptors.map((d: {policy: string}) => d.policy), ['REJECT', 'APPROVE', 'REQUIRE_APPROVAL'])

    assert.equal((await tcp(['keys', 'generate', '--out', p('issuer')], PASS)).code, 0)
    const signed = await tcp(['sign', p('tools.tcpd'), '--key', p('issuer.key'), '--json'], PASS)
    assert.equal(signed.code, 0, signed.stderr)
    const env = signed.json().written.envelope as string
    const ok = await tcp(['verify', env, '--pub', p('issuer.pub'), '--file', p('tools.tcpd'), '--json'])
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)

    const bytes = readFileSync(p('tools.tcpd'))
    bytes[24 + 13]! ^= 0x10 // make "git status" CRITICAL without fixing the checksum
    writeFileSync(p('tampered.tcpd'), bytes)
    assert.equal((await tcp(['verify', env, '--pub', p('issuer.pub'), '--file', p('tampered.tcpd')])).code, 1)
    const bad = await tcp(['descriptor', 'decode', '--file', p('tampered.tcpd'), '--json'])
    assert.equal(bad.code, 1)
    assert.match(bad.json().error.message, /^record 1 \(bytes 24-47\): checksum/)
  })
})
