// An independent reader of the documented format (docs/seal.md, src/core/seal/format.ts), written only with
// noble primitives and fixed offsets: it opens what the core seals. If a label, an offset, the nonce layout or the
// key schedule drifted from the documentation, this fails even though the core still round-trips with itself.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {x25519} from '@noble/curves/ed25519.js'
import {chacha20poly1305} from '@noble/ciphers/chacha.js'
import {hkdf} from '@noble/hashes/hkdf.js'
import {hmac} from '@noble/hashes/hmac.js'
import {sha256} from '@noble/hashes/sha2.js'
import {scrypt} from '@noble/hashes/scrypt.js'
import {Rng} from '../../../src/core/rng.js'
import {sealBytes} from '../../../src/core/seal/index.js'

const te = (s: string) => new TextEncoder().encode(s)
const cat = (...a: Uint8Array[]) => Uint8Array.from(a.flatMap((x) => [...x]))
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, false)

/** Decrypts a tcp seal v1 file following the documentation only. */
function referenceOpen(file: Uint8Array, opener: {secret: Uint8Array} | {passphrase: Uint8Array}): Uint8Array {
  assert.deepEqual([...file.subarray(0, 8)], [0x89, ...te('TCPSEAL')])
  assert.equal(file[8], 1)
  const chunk = u32(file, 10)
  let o = 14
  let fileKey: Uint8Array
  if (file[9] === 1) {
    assert.ok('secret' in opener)
    const count = (file[o]! << 8) | file[o + 1]!
    const E = file.subarray(o + 2, o + 34)
    o += 34
    const R = x25519.getPublicKey(opener.secret)
    const wrapKey = hkdf(sha256, x25519.getSharedSecret(opener.secret, E), cat(E, R), te('tcp-seal/v1/x25519'), 32)
    const keys = Array.from({length: count}, (_, i) => file.subarray(o + 48 * i, o + 48 * (i + 1)))
    o += 48 * count
    const opened = keys.map((w) => {
      try {
        return chacha20poly1305(wrapKey, new Uint8Array(12)).decrypt(w)
      } catch {
        return undefined
      }
    })
    fileKey = opened.find((k) => k !== undefined)!
  } else {
    assert.equal(file[9], 2)
    assert.ok('passphrase' in opener)
    const salt = file.subarray(o, o + 16)
    const [logN, r, p] = [file[o + 16]!, file[o + 17]!, file[o + 18]!]
    const wrapKey = scrypt(opener.passphrase, cat(te('tcp-seal/v1/scrypt'), salt), {N: 2 ** logN, r, p, dkLen: 32})
    fileKey = chacha20poly1305(wrapKey, new Uint8Array(12)).decrypt(file.subarray(o + 19, o + 19 + 48))
    o += 19 + 48
  }
  assert.equal(fileKey.length, 32)
  const nonce = file.subarray(o, o + 16)
  o += 16
  const mac = hmac(sha256, hkdf(sha256, fileKey, new Uint8Array(0), te('tcp-seal/v1/header'), 32), file.subarray(0, o))
  assert.deepEqual(file.subarray(o, o + 32), mac)
  o += 32
  const payloadKey = hkdf(sha256, fileKey, nonce, te('tcp-seal/v1/payload'), 32)
  const out: Uint8Array[] = []
  for (let i = 0; o < file.length; i++) {
    const ct = file.subarray(o, o + chunk + 16)
    o += ct.length
    const n = new Uint8Array(12)
    new DataView(n.buffer).setBigUint64(3, BigInt(i), false) // 11-byte big-endian counter in bytes 0..10
    n[11] = o === file.length ? 1 : 0
    out.push(chacha20poly1305(payloadKey, n).decrypt(ct))
  }
  return cat(...out)
}

describe('seal format: an independent noble reader opens what the core seals', () => {
  const rng = new Rng(99)
  const a = rng.bytes(32)
  const b = rng.bytes(32)

  it('X25519, two recipients, sizes around chunk boundaries; the second recipient too', async () => {
    for (const n of [0, 1, 31, 32, 33, 100]) {
      const pt = rng.bytes(n)
      const sealed = await sealBytes(pt, {recipients: [x25519.getPublicKey(a), x25519.getPublicKey(b)]}, {chunkSize: 32})
      assert.deepEqual(referenceOpen(sealed, {secret: a}), pt)
      assert.deepEqual(referenceOpen(sealed, {secret: b}), pt)
    }
  })

  it('passphrase (scrypt parameters read from the header)', async () => {
    const pt = rng.bytes(70)
    const sealed = await sealBytes(pt, {passphrase: te('pw')}, {chunkSize: 16, scrypt: {N: 256, r: 4, p: 2}})
    assert.deepEqual(referenceOpen(sealed, {passphrase: te('pw')}), pt)
    assert.equal(sealed[30], 8) // log2(N)
  })
})
