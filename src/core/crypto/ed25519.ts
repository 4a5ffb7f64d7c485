/**
 * Ed25519 (RFC 8032, pure Ed25519, no context). Same API as @noble/curves' `ed25519`
 * (`getPublicKey(secretKey)`, `sign(msg, secretKey)`, `verify(sig, msg, publicKey)`) over node:crypto, which is
 * 11-15x faster than noble here. `ed25519Noble` (crypto/reference.ts) is the reference the tests compare against.
 *
 * Verification rules (checked against Wycheproof in test/core/crypto): S must be < L (no malleable signatures),
 * signatures must be exactly 64 bytes, public keys exactly 32. What it does NOT guarantee: strong unforgeability
 * against a signer who chose a small-order public key on purpose; keys from a trust store are assumed honest.
 */
import {createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject} from 'node:crypto'
import {assertBytes, concatBytes, isBytes, toHex} from '../bytes.js'
import {randomBytes} from './random.js'

// DER prefixes of PKCS#8 PrivateKeyInfo and SubjectPublicKeyInfo for id-Ed25519 (RFC 8410, OID 1.3.101.112).
export const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
])
export const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

// Group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 section 5.1), little-endian bytes.
const L_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
])

/** S = sig[32..64] (little-endian) must be < L: rejects malleable signatures (RFC 8032 section 5.1.7). */
export function sIsCanonical(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i]!
    const l = L_LE[i]!
    if (s !== l) return s < l
  }
  return false // S == L
}

// The eight points of small order (the 8-torsion subgroup), canonical encodings, compared with the sign bit masked
// (libsodium keeps the same block list). A small-order public key accepts "signatures" that anyone can make
// (R = identity, S = 0 verifies for every message), so such keys are refused wherever a key is decoded or used.
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')))

/**
 * True for public keys that must never be trusted: the encodings of the eight small-order points (either sign) and
 * non-canonical encodings (y >= p, RFC 8032 section 5.1.3 step 1). Does NOT check that the point is on the curve:
 * OpenSSL rejects such keys when verifying.
 */
export function isWeakPublicKey(pk: Uint8Array): boolean {
  if (pk.length !== 32) return true
  for (const s of SMALL_ORDER) {
    let diff = (pk[31]! & 0x7f) ^ s[31]!
    for (let i = 0; i < 31; i++) diff |= pk[i]! ^ s[i]!
    if (diff === 0) return true
  }
  // y >= p = 2^255 - 19: bytes 1..30 all 0xff, byte 31 (sign masked) 0x7f, byte 0 >= 0xed.
  if ((pk[31]! & 0x7f) !== 0x7f || pk[0]! < 0xed) return false
  for (let i = 1; i < 31; i++) if (pk[i] !== 0xff) return false
  return true
}

const pubCache = new Map<string, KeyObject>()
const PUB_CACHE_MAX = 4096

/** node:crypto KeyObject for a raw 32-byte public key, cached: a trust store names few keys, verified many times. */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey)
  let ko = pubCache.get(id)
  if (!ko) {
    ko = createPublicKey({key: Buffer.from(concatBytes(ED25519_SPKI_PREFIX, publicKey)), format: 'der', type: 'spki'})
    if (pubCache.size >= PUB_CACHE_MAX) pubCache.clear()
    pubCache.set(id, ko)
  }
  return ko
}

// Keyed by the array's identity, never by its bytes: no copy of a secret becomes a map key. A caller that changes
// the bytes of a secret key array in place after signing with it must not reuse the array.
const privCache = new WeakMap<Uint8Array, KeyObject>()

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  let ko = privCache.get(secretKey)
  if (!ko) {
    ko = createPrivateKey({key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, secretKey)), format: 'der', type: 'pkcs8'})
    privCache.set(secretKey, ko)
  }
  return ko
}

export const ed25519 = {
  lengths: {secretKey: 32, publicKey: 32, signature: 64},
  randomSecretKey: (): Uint8Array => randomBytes(32),
  getPublicKey(secretKey: Uint8Array): Uint8Array {
    assertBytes('secretKey', secretKey, 32)
    const spki = createPublicKey(privateKeyObject(secretKey)).export({format: 'der', type: 'spki'})
    return new Uint8Array(spki.subarray(spki.length - 32))
  },
  sign(msg: Uint8Array, secretKey: Uint8Array): Uint8Array {
    assertBytes('message', msg)
    assertBytes('secretKey', secretKey, 32)
    return new Uint8Array(nodeSign(null, msg, privateKeyObject(secretKey)))
  },
  /** Returns false (never throws) for any signature, message or key that does not verify, including bad lengths. */
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
    if (!isBytes(sig) || !isBytes(msg) || !isBytes(publicKey)) return false
    if (sig.length !== 64 || publicKey.length !== 32) return false
    if (!sIsCanonical(sig) || isWeakPublicKey(publicKey)) return false
    let ko: KeyObject
    try {
      ko = publicKeyObject(publicKey)
    } catch {
      return false
    }
    try {
      return nodeVerify(null, msg, ko, sig)
    } catch {
      return false
    }
  },
  /**
   * The same verdict as verify, computed on libuv's thread pool (node:crypto's callback form), so that a batch can
   * verify on other cores while the main thread parses. Never rejects.
   */
  verifyAsync(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    if (!isBytes(sig) || !isBytes(msg) || !isBytes(publicKey) || sig.length !== 64 || publicKey.length !== 32) return Promise.resolve(false)
    if (!sIsCanonical(sig) || isWeakPublicKey(publicKey)) return Promise.resolve(false)
    let ko: KeyObject
    try {
      ko = publicKeyObject(publicKey)
    } catch {
      return Promise.resolve(false)
    }
    return new Promise((resolve) => {
      try {
        nodeVerify(null, msg, ko, sig, (err, ok) => resolve(!err && ok))
      } catch {
        resolve(false)
      }
    })
  },
}
