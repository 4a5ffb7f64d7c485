// Property tests (fast-check) over the age header parser and payload: arbitrary or mutated input never crashes,
// never yields plaintext it should not, and always fails with a one-line TcpError of exit class 1 or 2.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {x25519} from '../../../src/core/crypto/index.js'
import {TcpError} from '../../../src/core/errors.js'
import {equalBytes, utf8} from '../../../src/core/bytes.js'
import {sealBytes, unsealBytes, type UnsealWith} from '../../../src/core/seal/index.js'

const secret = Uint8Array.from({length: 32}, (_, i) => i + 1)
const pub = x25519.getPublicKey(secret)
const asKey: UnsealWith = {identity: secret}
const EXPECTED = new Set(['input', 'unsupported', 'rejected', 'usage'])

async function outcome(bytes: Uint8Array, how: UnsealWith, expected?: Uint8Array): Promise<'ok' | string> {
  try {
    const pt = await unsealBytes(bytes, how)
    if (!expected) assert.fail('arbitrary bytes were accepted as an age file')
    assert.deepEqual(pt, expected)
    return 'ok'
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e
    assert.ok(e instanceof TcpError, `not a TcpError: ${String(e)}`)
    assert.ok(EXPECTED.has(e.code), `unexpected code ${e.code}: ${e.message}`)
    assert.ok(e.message.length > 0 && !e.message.includes('\n'))
    return e.code
  }
}

describe('age parser: property tests', () => {
  it('arbitrary bytes, and arbitrary text after the version line: a clear error, exit 1 or 2', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({maxLength: 400}), async (b) => void (await outcome(b, asKey))), {numRuns: 200})
    const line = fc.oneof(fc.constantFrom('---', '--- AAAA', '-> X25519', '-> scrypt AAAA 10', ''), fc.string({maxLength: 70}))
    await fc.assert(
      fc.asyncProperty(fc.array(line, {maxLength: 8}), fc.uint8Array({maxLength: 100}), async (lines, tail) => {
        await outcome(Uint8Array.from([...utf8(`age-encryption.org/v1\n${lines.join('\n')}\n`), ...tail]), asKey)
      }),
      {numRuns: 300},
    )
  })

  it('a sealed file with random edits (overwrite, insert, delete) is rejected unless unchanged', async () => {
    const pt = utf8('the quick brown fox '.repeat(400))
    const sealed = await sealBytes(pt, {recipients: [pub]})
    const edit = fc.record({at: fc.nat({max: sealed.length - 1}), kind: fc.constantFrom('set', 'insert', 'delete'), byte: fc.integer({min: 0, max: 255})})
    await fc.assert(
      fc.asyncProperty(edit, async ({at, kind, byte}) => {
        const b = [...sealed]
        if (kind === 'set') b[at] = byte
        else if (kind === 'insert') b.splice(at, 0, byte)
        else b.splice(at, 1)
        const m = Uint8Array.from(b)
        const r = await outcome(m, asKey, equalBytes(m, sealed) ? pt : undefined)
        if (r === 'ok') assert.ok(equalBytes(m, sealed))
      }),
      {numRuns: 300},
    )
  })
})
