/**
 * The noble reference implementations, with the same API and strictness as the native fast paths of ed25519.ts
 * and aead.ts. Tests and benchmarks compare the two; the CLI's hot paths never load this module.
 */
import {ed25519 as nobleEd} from '@noble/curves/ed25519.js'
import {chacha20poly1305 as nobleChacha, xchacha20poly1305 as nobleXChacha} from '@noble/ciphers/chacha.js'
import {TcpError} from '../errors.js'
import type {Aead} from './aead.js'

/** zip215: false = RFC 8032 strict decoding, as the native path (OpenSSL) does. */
export const ed25519Noble = {
  getPublicKey: (secretKey: Uint8Array): Uint8Array => nobleEd.getPublicKey(secretKey),
  sign: (msg: Uint8Array, secretKey: Uint8Array): Uint8Array => nobleEd.sign(msg, secretKey),
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
    try {
      return nobleEd.verify(sig, msg, publicKey, {zip215: false})
    } catch {
      return false
    }
  },
}

const EMPTY = new Uint8Array(0)

function nobleAead(f: typeof nobleChacha | typeof nobleXChacha) {
  return (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array = EMPTY): Aead => {
    const c = f(key, nonce, aad)
    return {
      encrypt: (p) => c.encrypt(p),
      decrypt(s) {
        try {
          return c.decrypt(s)
        } catch {
          throw new TcpError('rejected', 'authentication failed')
        }
      },
    }
  }
}

export const chacha20poly1305Noble = nobleAead(nobleChacha)
export const xchacha20poly1305Noble = nobleAead(nobleXChacha)
