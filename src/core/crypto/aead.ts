/**
 * ChaCha20-Poly1305 (RFC 8439 section 2.8) and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) with noble's API:
 * `chacha20poly1305(key, nonce, aad?).encrypt(plaintext) -> ciphertext || tag` and `.decrypt(ciphertext || tag)`.
 *
 * Runs on node:crypto (OpenSSL), about 15x noble's throughput here. XChaCha20 derives its subkey with noble's
 * HChaCha20 and then runs the native ChaCha20-Poly1305 with nonce 0x00000000 || nonce[16..24] (draft section 2.3).
 * `decrypt` throws TcpError('rejected') on any authentication failure and never returns unauthenticated bytes.
 * The `*Noble` exports of crypto/reference.ts are the reference path that tests compare against.
 */
import {createCipheriv, createDecipheriv} from 'node:crypto'
import {endianness} from 'node:os'
import {hchacha} from '@noble/ciphers/chacha.js'
import {assertBytes, concatBytes, wipe} from '../bytes.js'
import {TcpError} from '../errors.js'

export const TAG_LENGTH = 16

export interface Aead {
  encrypt(plaintext: Uint8Array): Uint8Array
  decrypt(ciphertextAndTag: Uint8Array): Uint8Array
}

const EMPTY = new Uint8Array(0)

export function chacha20poly1305(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array = EMPTY): Aead {
  assertBytes('key', key, 32)
  assertBytes('nonce', nonce, 12)
  assertBytes('aad', aad)
  return {
    encrypt(plaintext) {
      assertBytes('plaintext', plaintext)
      const c = createCipheriv('chacha20-poly1305', key, nonce, {authTagLength: TAG_LENGTH})
      c.setAAD(aad, {plaintextLength: plaintext.length})
      const body = c.update(plaintext)
      c.final()
      return concatBytes(body, c.getAuthTag())
    },
    decrypt(sealed) {
      assertBytes('ciphertext', sealed)
      if (sealed.length < TAG_LENGTH)
        throw new TcpError('rejected', `ciphertext: expected at least ${TAG_LENGTH} bytes (the tag), got ${sealed.length}`)
      const ctLen = sealed.length - TAG_LENGTH
      const d = createDecipheriv('chacha20-poly1305', key, nonce, {authTagLength: TAG_LENGTH})
      d.setAAD(aad, {plaintextLength: ctLen})
      d.setAuthTag(sealed.subarray(ctLen))
      const body = d.update(sealed.subarray(0, ctLen))
      try {
        d.final()
      } catch {
        wipe(body)
        throw new TcpError('rejected', 'authentication failed: the ciphertext, its associated data or the key is wrong')
      }
      return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    },
  }
}

const SIGMA = new Uint32Array(new Uint8Array([...'expand 32-byte k'].map((c) => c.charCodeAt(0))).buffer)

/** HChaCha20 subkey (draft-irtf-cfrg-xchacha-03 section 2.2) through noble's core. Little-endian hosts only. */
// noble's hchacha reads Uint32Array views in host byte order; the views below assume little-endian.
if (endianness() !== 'LE') throw new Error('tcp: XChaCha20 here needs a little-endian host')

export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  assertBytes('key', key, 32)
  assertBytes('nonce', nonce16, 16)
  const k = new Uint32Array(key.slice().buffer)
  const n = new Uint32Array(nonce16.slice().buffer)
  const out = new Uint32Array(8)
  hchacha(SIGMA, k, n, out)
  wipe(new Uint8Array(k.buffer))
  return new Uint8Array(out.buffer)
}

export function xchacha20poly1305(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array = EMPTY): Aead {
  assertBytes('key', key, 32)
  assertBytes('nonce', nonce, 24)
  const subkey = hchacha20(key, nonce.subarray(0, 16))
  const n12 = concatBytes(new Uint8Array(4), nonce.subarray(16, 24))
  return chacha20poly1305(subkey, n12, aad)
}
