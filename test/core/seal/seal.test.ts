// Sealing, in memory: round trips at every size class, tamper sweeps over every byte, truncation at every length,
// chunk swaps and splices, appended data, identities and passphrases, and the native AEAD path against noble's.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {chacha20poly1305, chacha20poly1305Noble, x25519} from '../../../src/core/crypto/index.js'
import {TcpError} from '../../../src/core/errors.js'
import {utf8} from '../../../src/core/bytes.js'
import {Rng} from '../../../src/core/rng.js'
import {sealBytes, unsealBytes, type SealOptions, type UnsealWith} from '../../../src/core/seal/index.js'
import {checkSealScrypt, MAX_RECIPIENTS} from '../../../src/core/seal/format.js'
import {chunkNonce} from '../../../src/core/seal/stream.js'

const CHEAP = {N: 1024, r: 8, p: 1} // scrypt cost for tests only; the CLI always uses SCRYPT_DEFAULT
const C = 16 // chunk size: small, so that small files have many chunks
const TAG = 16
const rng = new Rng(20260101)
const keyPair = () => {
  const secret = rng.bytes(32)
  return {secret, pub: x25519.getPublicKey(secret)}
}
const alice = keyPair()
const bob = keyPair()
const carol = keyPair()
const mallory = keyPair()
const PASS = utf8('correct horse battery staple')

/** Header length of an X25519 file with n recipients, and of a passphrase file. */
const x25519HeaderLength = (n: number) => 14 + 2 + 32 + 48 * n + 16 + 32
const SCRYPT_HEADER = 14 + 16 + 3 + 48 + 16 + 32

async function rejects(p: Promise<unknown>, code: string | string[], message?: RegExp): Promise<TcpError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof TcpError, `expected a TcpError, got ${String(e)}`)
    const codes = Array.isArray(code) ? code : [code]
    assert.ok(codes.includes(e.code), `expected code ${codes.join('|')}, got ${e.code}: ${e.message}`)
    if (message) assert.match(e.message, message)
    assert.ok(!e.message.includes('\n'), 'one-line message')
    return e
  }
  assert.fail('expected a rejection, but it was accepted')
}

const sealX = (pt: Uint8Array, recipients = [alice.pub, bob.pub], opts: SealOptions = {}) =>
  sealBytes(pt, {recipients}, {chunkSize: C, ...opts})
const sealP = (pt: Uint8Array, opts: SealOptions = {}) => sealBytes(pt, {passphrase: PASS}, {chunkSize: C, scrypt: CHEAP, ...opts})
const asAlice: UnsealWith = {identity: alice.secret}
const withPass: UnsealWith = {passphrase: PASS}

describe('seal: round trips', () => {
  const sizes = [0, 1, C - 1, C, C + 1, 2 * C - 1, 2 * C, 2 * C + 1, 5 * C, 5 * C + 7]
  it('every size class, both modes: unseal gives the plaintext back; the size is header + chunks x (chunk + tag)', async () => {
    for (const n of sizes) {
      const pt = rng.bytes(n)
      const chunks = Math.max(1, Math.ceil(n / C))
      for (const [sealed, header, how] of [
        [await sealX(pt), x25519HeaderLength(2), asAlice],
        [await sealP(pt), SCRYPT_HEADER, withPass],
      ] as const) {
        assert.equal(sealed.length, header + n + chunks * TAG, `size ${n}`)
        assert.deepEqual(await unsealBytes(sealed, how), pt, `size ${n}`)
      }
    }
  })

  it('an empty file is one empty final chunk; a file of exactly one chunk is one full final chunk', async () => {
    const empty = await sealX(new Uint8Array(0))
    assert.equal(empty.length, x25519HeaderLength(2) + TAG)
    assert.equal((await unsealBytes(empty, asAlice)).length, 0)
    const one = await sealX(rng.bytes(C))
    assert.equal(one.length, x25519HeaderLength(2) + C + TAG)
  })

  it('every recipient of a multi-recipient file opens it; nobody else does', async () => {
    const pt = rng.bytes(50)
    const sealed = await sealX(pt, [alice.pub, bob.pub, carol.pub])
    for (const k of [alice, bob, carol]) assert.deepEqual(await unsealBytes(sealed, {identity: k.secret}), pt)
    await rejects(unsealBytes(sealed, {identity: mallory.secret}), 'rejected', /no recipient stanza opens with identity [0-9a-f]{16}/)
  })

  it('two seals of the same bytes differ (fresh file key, ephemeral key and nonce)', async () => {
    const pt = rng.bytes(40)
    assert.notDeepEqual(await sealX(pt), await sealX(pt))
  })

  it('large chunk sizes and chunk sizes that do not divide the I/O block stream correctly', async () => {
    for (const chunkSize of [1000, 65536, 1 << 20]) {
      const pt = rng.bytes(2 * (1 << 20) + 12345)
      const sealed = await sealX(pt, [alice.pub], {chunkSize})
      assert.deepEqual(await unsealBytes(sealed, asAlice), pt, `chunk ${chunkSize}`)
    }
  })
})

describe('seal: tamper sweeps (every byte position)', () => {
  it('X25519 file: flipping any bit 0 or bit 7 of any byte is rejected', async () => {
    const pt = rng.bytes(2 * C + 8) // three chunks, the last one short
    const sealed = await sealX(pt)
    const h = x25519HeaderLength(2)
    let checked = 0
    for (let i = 0; i < sealed.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const t = Uint8Array.from(sealed)
        t[i]! ^= mask
        // Magic and format fields are malformed input (exit 2); from the recipient count on, it is a rejection,
        // except counts and chunk sizes flipped out of their bounds, which are malformed.
        const allowed = i < 8 ? ['input'] : i < 10 ? ['unsupported'] : i < 16 ? ['input', 'rejected'] : ['rejected']
        const e = await rejects(unsealBytes(t, asAlice), allowed)
        if (i >= h) assert.match(e.message, /chunk \d+ failed authentication|truncated|appended/)
        checked++
      }
    }
    assert.equal(checked, 2 * (h + 2 * (C + TAG) + 8 + TAG))
  })

  it('passphrase file: flipping any byte is rejected', async () => {
    const sealed = await sealP(rng.bytes(C + 3))
    for (let i = 0; i < sealed.length; i++) {
      const t = Uint8Array.from(sealed)
      t[i]! ^= 0x01
      const kdfBytes = i >= 30 && i < 33 // log2(N), r, p: out-of-bound values are malformed input
      const allowed = i < 8 ? ['input'] : i < 10 ? ['unsupported'] : i < 14 || kdfBytes ? ['input', 'rejected'] : ['rejected']
      await rejects(unsealBytes(t, withPass), allowed)
    }
  })

  it('a valid header from another seal does not fit this payload (header MAC and payload key are per file)', async () => {
    const pt = rng.bytes(40)
    const a = await sealX(pt)
    const b = await sealX(pt)
    const h = x25519HeaderLength(2)
    const mixed = Uint8Array.from([...a.subarray(0, h), ...b.subarray(h)])
    await rejects(unsealBytes(mixed, asAlice), 'rejected', /chunk 0 failed authentication/)
  })
})

describe('seal: truncation, reordering, splicing, appending', () => {
  const pt = rng.bytes(4 * C) // four full chunks: the last one full size
  const h = x25519HeaderLength(2)
  const unit = C + TAG

  it('every truncated length is rejected (too short for the magic: malformed)', async () => {
    const sealed = await sealX(pt)
    for (let n = 0; n < sealed.length; n++) await rejects(unsealBytes(sealed.subarray(0, n), asAlice), n < 8 ? 'input' : 'rejected')
  })

  it('truncation at every chunk boundary names the cause', async () => {
    const sealed = await sealX(pt)
    await rejects(unsealBytes(sealed.subarray(0, h), asAlice), 'rejected', /payload is missing/)
    for (let k = 1; k < 4; k++)
      await rejects(unsealBytes(sealed.subarray(0, h + k * unit), asAlice), 'rejected', new RegExp(`ends after chunk ${k - 1}, which is not the final chunk`))
  })

  it('swapping, duplicating or dropping chunks is rejected', async () => {
    const sealed = await sealX(pt)
    const chunk = (i: number) => sealed.subarray(h + i * unit, h + (i + 1) * unit)
    const build = (order: number[]) => Uint8Array.from([...sealed.subarray(0, h), ...order.flatMap((i) => [...chunk(i)])])
    assert.deepEqual(await unsealBytes(build([0, 1, 2, 3]), asAlice), pt) // the rebuild itself is faithful
    for (const order of [[1, 0, 2, 3], [0, 2, 1, 3], [0, 1, 3, 2], [0, 0, 1, 2, 3], [0, 1, 3], [0, 2, 3], [3], [0, 1, 2, 3, 3]])
      await rejects(unsealBytes(build(order), asAlice), 'rejected', /chunk|truncated|appended/)
  })

  it('a chunk spliced in from another file sealed to the same recipient is rejected', async () => {
    const a = await sealX(pt)
    const b = await sealX(pt)
    const spliced = Uint8Array.from(a)
    spliced.set(b.subarray(h + unit, h + 2 * unit), h + unit)
    await rejects(unsealBytes(spliced, asAlice), 'rejected', /chunk 1 failed authentication/)
  })

  it('appended bytes are rejected: one byte, a tag, a whole chunk, a copy of the final chunk', async () => {
    const sealed = await sealX(pt)
    const last = sealed.subarray(sealed.length - unit)
    for (const extra of [new Uint8Array(1), new Uint8Array(TAG), rng.bytes(unit), last]) {
      const e = await rejects(unsealBytes(Uint8Array.from([...sealed, ...extra]), asAlice), 'rejected')
      if (extra.length === unit || extra.length === TAG) assert.match(e.message, /appended data: chunk 3 is the final chunk|chunk 4|malformed payload/)
    }
    // The short final chunk of a non-multiple plaintext cannot be extended either.
    const short = await sealX(rng.bytes(2 * C + 5))
    await rejects(unsealBytes(Uint8Array.from([...short, 0]), asAlice), 'rejected')
  })
})

describe('seal: identities, passphrases and bad input', () => {
  it('wrong identity and wrong passphrase are rejections (exit 1) with the reason', async () => {
    await rejects(unsealBytes(await sealX(rng.bytes(20)), {identity: mallory.secret}), 'rejected', /sealed to other keys/)
    await rejects(unsealBytes(await sealP(rng.bytes(20)), {passphrase: utf8('wrong')}), 'rejected', /wrong passphrase/)
  })

  it('the wrong kind of key for the file is a usage error', async () => {
    await rejects(unsealBytes(await sealX(rng.bytes(20)), withPass), 'usage', /--identity/)
    await rejects(unsealBytes(await sealP(rng.bytes(20)), asAlice), 'usage', /--passphrase/)
  })

  it('bad recipients and options are refused before anything is written', async () => {
    await rejects(sealBytes(rng.bytes(5), {recipients: []}), 'usage')
    await rejects(sealBytes(rng.bytes(5), {recipients: [alice.pub, alice.pub]}), 'usage', /listed twice/)
    await rejects(sealBytes(rng.bytes(5), {recipients: [alice.pub.subarray(1)]}), 'input', /recipient 1: expected 32 bytes, got 31/)
    await rejects(sealBytes(rng.bytes(5), {recipients: [new Uint8Array(32)]}), 'input', /low-order point/)
    const tooMany = Array.from({length: MAX_RECIPIENTS + 1}, () => rng.bytes(32))
    await rejects(sealBytes(rng.bytes(5), {recipients: tooMany}), 'usage', /at most/)
    for (const chunkSize of [0, 15, 2 ** 24 + 1, 1.5]) await rejects(sealX(rng.bytes(5), [alice.pub], {chunkSize}), 'input', /chunk size/)
    await rejects(sealBytes(rng.bytes(5), {passphrase: new Uint8Array(0)}, {scrypt: CHEAP}), 'passphrase')
    await rejects(sealBytes(rng.bytes(5), {passphrase: PASS}, {scrypt: {N: 2 ** 22, r: 32, p: 1}}), 'input', /over the limit/)
  })

  it('a hostile header cannot ask for unbounded scrypt work or recipients', async () => {
    const sealed = await sealP(rng.bytes(5))
    const t = Uint8Array.from(sealed)
    t[30] = 40 // log2(N)
    await rejects(unsealBytes(t, withPass), 'input', /log2\(N\)/)
    t[30] = 22
    t[31] = 32 // r: 2^22 x 32 x 128 bytes = 16 GiB
    await rejects(unsealBytes(t, withPass), 'input', /over the limit/)
    // Within the memory bound (128 x 2^20 x 8 = 1 GiB) but over the work bound: p = 3 is 3 GiB of scrypt work.
    t[30] = 20
    t[31] = 8
    t[32] = 3
    await rejects(unsealBytes(t, withPass), 'input', /N=1048576, r=8, p=3 needs 3221225472 bytes of scrypt work, over the limit/)
    assert.deepEqual(checkSealScrypt({N: 2 ** 20, r: 8, p: 2}), {N: 2 ** 20, r: 8, p: 2}) // 2 GiB: the bound itself
    const x = Uint8Array.from(await sealX(rng.bytes(5)))
    x[14] = 0xff
    await rejects(unsealBytes(x, asAlice), 'input', /recipient count/)
  })
})

describe('seal: the native path equals the noble reference', () => {
  it('same randomness, same bytes out: default (node:crypto direct), crypto/aead.ts and noble; each opens the others', async () => {
    for (let i = 0; i < 40; i++) {
      const seed = rng.int(2 ** 31)
      const pt = rng.bytes(rng.int(300))
      const chunkSize = 16 + rng.int(100)
      const seal = (aead?: typeof chacha20poly1305) => {
        const same = new Rng(seed) // the same file key, ephemeral key and nonce for every path
        return sealBytes(pt, {recipients: [alice.pub]}, {chunkSize, aead, random: (n) => same.bytes(n)})
      }
      const direct = await seal()
      assert.deepEqual(await seal(chacha20poly1305), direct)
      assert.deepEqual(await seal(chacha20poly1305Noble), direct)
      for (const aead of [undefined, chacha20poly1305, chacha20poly1305Noble]) assert.deepEqual(await unsealBytes(direct, asAlice, {aead}), pt)
    }
  })

  it('chunk nonces: 11-byte big-endian counter, then the last-chunk flag', () => {
    assert.deepEqual([...chunkNonce(0, false)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert.deepEqual([...chunkNonce(1, true)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    assert.deepEqual([...chunkNonce(0x01020304, false)], [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0])
    assert.throws(() => chunkNonce(-1, false))
  })
})
