// Test key pairs and trust stores, in memory.
import {generateKeyPair, keyIdOf, type KeyPair} from '../../src/core/keys/keys.js'
import type {TrustStore, TrustedKey} from '../../src/core/envelope/trust.js'

export function keyPair(): KeyPair & {keyId: string} {
  const kp = generateKeyPair('ed25519')
  return {...kp, keyId: keyIdOf(kp.publicKey)}
}

export function trustOf(keys: Array<KeyPair | (KeyPair & Partial<TrustedKey>)>, revoked: string[] = []): TrustStore {
  return {
    keys: keys.map((k) => ({...(k as Partial<TrustedKey>), type: 'ed25519', publicKey: k.publicKey, keyId: keyIdOf(k.publicKey)})),
    revoked: new Set(revoked),
    source: 'test',
  }
}
