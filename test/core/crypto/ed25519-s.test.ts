// tcp's own S < L check (RFC 8032 section 5.1.7), tested apart from the backend: node:crypto (OpenSSL) refuses
// S >= L today, so a test that only calls verify would not notice if tcp's check were lost and the backend changed.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {ed25519, sIsCanonical} from '../../../src/core/crypto/ed25519.js'
import {ed25519Noble} from '../../../src/core/crypto/reference.js'
import {utf8} from '../../../src/core/bytes.js'

const L = 2n ** 252n + 27742317777372353535851937790883648493n

/** A 64-byte signature whose S half is `s` (little-endian), R half from `base`. */
function withS(base: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(base)
  for (let i = 0; i < 32; i++) out[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn)
  return out
}

function sOf(sig: Uint8Array): bigint {
  let s = 0n
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!)
  return s
}

describe('Ed25519: S must be below the group order L, by tcp\'s own check', () => {
  const sk = new Uint8Array(32).fill(7)
  const msg = utf8('tcp')
  const sig = ed25519.sign(msg, sk)

  it('S = L, S = L + 1 and S = 2^256 - 1 are refused; S = L - 1 and S = 0 pass the range check', () => {
    assert.equal(sIsCanonical(withS(sig, L)), false)
    assert.equal(sIsCanonical(withS(sig, L + 1n)), false)
    assert.equal(sIsCanonical(withS(sig, 2n ** 256n - 1n)), false)
    assert.equal(sIsCanonical(withS(sig, L - 1n)), true)
    assert.equal(sIsCanonical(withS(sig, 0n)), true)
    assert.equal(sIsCanonical(sig), true)
  })

  it('a valid signature with S + L is refused by verify (and the range check is what refuses it)', () => {
    const mall = withS(sig, sOf(sig) + L)
    assert.equal(sOf(mall) < 2n ** 256n, true)
    assert.equal(sIsCanonical(mall), false)
    assert.equal(ed25519.verify(mall, msg, ed25519.getPublicKey(sk)), false)
    assert.equal(ed25519Noble.verify(mall, msg, ed25519Noble.getPublicKey(sk)), false)
    assert.equal(ed25519.verify(sig, msg, ed25519.getPublicKey(sk)), true)
  })
})
