// The native (node:crypto) fast path and the noble reference give identical bytes; RFC test vectors.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {sha3_256 as nobleSha3} from '@noble/hashes/sha3.js'
import {scrypt as nobleScrypt} from '@noble/hashes/scrypt.js'
import {ed25519} from '../../../src/core/crypto/ed25519.js'
import {ed25519Noble, chacha20poly1305Noble, xchacha20poly1305Noble} from '../../../src/core/crypto/reference.js'
import {sha3_256} from '../../../src/core/crypto/hash.js'
import {scrypt} from '../../../src/core/crypto/kdf.js'
import {chacha20poly1305, hchacha20, xchacha20poly1305} from '../../../src/core/crypto/aead.js'
import {hex} from '../../helpers/vectors.js'

const rnd = (n: number) => new Uint8Array(randomBytes(n))
const eq = (a: Uint8Array, b: Uint8Array) => assert.deepEqual(Buffer.from(a), Buffer.from(b))

describe('RFC 8032 section 7.1 Ed25519 test vectors', () => {
  const cases = [
    ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '', 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
    ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72', '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
    ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82', '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
  ] as const
  for (const [i, [sk, pk, msg, sig]] of cases.entries()) {
    it(`TEST ${i + 1}: both paths derive the key, sign and verify`, () => {
      for (const impl of [ed25519, ed25519Noble]) {
        eq(impl.getPublicKey(hex(sk)), hex(pk))
        eq(impl.sign(hex(msg), hex(sk)), hex(sig))
        assert.equal(impl.verify(hex(sig), hex(msg), hex(pk)), true)
        const bad = hex(sig)
        bad[0]! ^= 1
        assert.equal(impl.verify(bad, hex(msg), hex(pk)), false)
      }
    })
  }
})

describe('native and noble agree on random inputs', () => {
  it('Ed25519: same keys, same signatures, same verdicts', () => {
    for (let i = 0; i < 200; i++) {
      const sk = rnd(32)
      const msg = rnd(i * 7)
      const pk = ed25519.getPublicKey(sk)
      eq(pk, ed25519Noble.getPublicKey(sk))
      const sig = ed25519.sign(msg, sk)
      eq(sig, ed25519Noble.sign(msg, sk))
      assert.equal(ed25519Noble.verify(sig, msg, pk), true)
      const other = rnd(64)
      assert.equal(ed25519.verify(other, msg, pk), ed25519Noble.verify(other, msg, pk))
    }
  })

  it('SHA3-256: node:crypto equals noble', () => {
    for (const n of [0, 1, 135, 136, 137, 1000, 65536]) {
      const m = rnd(n)
      eq(sha3_256(m), nobleSha3(m))
    }
  })

  it('ChaCha20-Poly1305 and XChaCha20-Poly1305: same ciphertext, each opens the other', () => {
    for (const n of [0, 1, 63, 64, 65, 1000, 70000]) {
      const key = rnd(32)
      const aad = rnd(n % 50)
      const pt = rnd(n)
      const n12 = rnd(12)
      const n24 = rnd(24)
      const c1 = chacha20poly1305(key, n12, aad).encrypt(pt)
      eq(c1, chacha20poly1305Noble(key, n12, aad).encrypt(pt))
      eq(chacha20poly1305Noble(key, n12, aad).decrypt(c1), pt)
      const c2 = xchacha20poly1305(key, n24, aad).encrypt(pt)
      eq(c2, xchacha20poly1305Noble(key, n24, aad).encrypt(pt))
      eq(xchacha20poly1305(key, n24, aad).decrypt(xchacha20poly1305Noble(key, n24, aad).encrypt(pt)), pt)
    }
  })

  it('HChaCha20: draft-irtf-cfrg-xchacha-03 section 2.2.1 test vector', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    const nonce = hex('000000090000004a0000000031415927')
    eq(hchacha20(key, nonce), hex('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc'))
  })

  it('scrypt: node:crypto equals noble (RFC 7914 section 12 vector and random)', () => {
    const p = {N: 16, r: 1, p: 1}
    eq(scrypt(new Uint8Array(0), new Uint8Array(0), p, 64), hex('77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906'))
    const pass = rnd(12)
    const salt = rnd(16)
    eq(scrypt(pass, salt, {N: 1024, r: 8, p: 1}), nobleScrypt(pass, salt, {N: 1024, r: 8, p: 1, dkLen: 32}))
  })

  it('rejects wrong lengths with errors that name the field and both lengths', () => {
    assert.throws(() => chacha20poly1305(rnd(31), rnd(12)), /key: expected 32 bytes, got 31/)
    assert.throws(() => xchacha20poly1305(rnd(32), rnd(12)), /nonce: expected 24 bytes, got 12/)
    assert.throws(() => ed25519.sign(rnd(3), rnd(33)), /secretKey: expected 32 bytes, got 33/)
    assert.equal(ed25519.verify(rnd(63), rnd(3), rnd(32)), false)
  })
})
