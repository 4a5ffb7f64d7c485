// Property tests (fast-check) over the sealed-file parser and payload: arbitrary or mutated input never crashes,
// never yields plaintext it should not, and always fails with a one-line TcpError of exit class 1 or 2.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {x25519} from '../../../src/core/crypto/index.js'
import {TcpError} from '../../../src/core/errors.js'
import {utf8} from '../../../src/core/bytes.js'
import {sealBytes, unsealBytes, type UnsealWith} from '../../../src/core/seal/index.js'
import {MAGIC} from '../../../src/core/seal/format.js'

const secret = Uint8Array.from({length: 32}, (_, i) => i + 1)
const pub = x25519.getPublicKey(secret)
const asKey: UnsealWith = {identity: secret}
const PASS = utf8('pw')
const CHEAP = {N: 16, r: 1, p: 1}
const EXPECTED = new Set(['input', 'unsupported', 'rejected', 'usage'])

/** Unseal must either return exactly `expected` (when given) or throw a one-line TcpError of an allowed code. */
async function outcome(bytes: Uint8Array, how: UnsealWith, expected?: Uint8Array): Promise<'ok' | string> {
  try {
    const pt = await unsealBytes(bytes, how)
    if (!expected) assert.fail('arbitrary bytes were accepted as a sealed file')
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

describe('seal parser: property tests', () => {
  it('arbitrary bytes: a clear error, exit 1 or 2', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({maxLength: 400}), async (b) => void (await outcome(b, asKey))), {numRuns: 300})
  })

  it('arbitrary bytes after a valid magic, version and mode reach the deeper parser: still a clear error', async () => {
    const prefix = fc.record({
      mode: fc.constantFrom(1, 2, 3),
      chunk: fc.oneof(fc.integer({min: 0, max: 2 ** 32 - 1}), fc.integer({min: 16, max: 64})),
      rest: fc.uint8Array({maxLength: 500}),
    })
    await fc.assert(
      fc.asyncProperty(prefix, async ({mode, chunk, rest}) => {
        const head = new Uint8Array(14)
        head.set(MAGIC)
        head[8] = 1
        head[9] = mode
        new DataView(head.buffer).setUint32(10, chunk, false)
        const b = Uint8Array.from([...head, ...rest])
        await outcome(b, mode === 2 ? {passphrase: PASS} : asKey)
      }),
      {numRuns: 300},
    )
  })

  it('a sealed file with random edits (overwrite, insert, delete) is rejected unless unchanged', async () => {
    const pt = utf8('agent-7,2026-11-25T16:00:00Z,0.93,0.01,12.5,180\n'.repeat(3))
    const sealed = await sealBytes(pt, {recipients: [pub]}, {chunkSize: 32})
    const edit = fc.record({
      kind: fc.constantFrom('set', 'insert', 'delete'),
      at: fc.nat({max: sealed.length - 1}),
      bytes: fc.uint8Array({minLength: 1, maxLength: 24}),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(edit, {minLength: 1, maxLength: 3}), async (edits) => {
        let b = Uint8Array.from(sealed)
        for (const e of edits) {
          const at = Math.min(e.at, b.length)
          if (e.kind === 'set') {
            b = Uint8Array.from(b)
            b.set(e.bytes.subarray(0, b.length - at), at)
          } else if (e.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...e.bytes, ...b.subarray(at)])
          else b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + e.bytes.length)])
        }
        const unchanged = b.length === sealed.length && b.every((x, i) => x === sealed[i])
        const r = await outcome(b, asKey, pt)
        assert.equal(r === 'ok', unchanged, `edits ${JSON.stringify(edits.map((e) => [e.kind, e.at, e.bytes.length]))} gave ${r}`)
      }),
      {numRuns: 300},
    )
  })

  it('round trip for arbitrary plaintexts and chunk sizes, both modes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 300}), fc.integer({min: 16, max: 100}), fc.boolean(), async (pt, chunkSize, pass) => {
        const sealed = pass
          ? await sealBytes(pt, {passphrase: PASS}, {chunkSize, scrypt: CHEAP})
          : await sealBytes(pt, {recipients: [pub]}, {chunkSize})
        assert.deepEqual(await unsealBytes(sealed, pass ? {passphrase: PASS} : asKey), pt)
      }),
      {numRuns: 150},
    )
  })
})
