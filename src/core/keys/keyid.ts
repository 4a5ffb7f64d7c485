import {toHex} from '../bytes.js'
import {sha3_256} from '../crypto/hash.js'

/** Key id: hex of the first 8 bytes of SHA3-256 of the raw 32-byte public key. */
export function keyIdOf(publicKey: Uint8Array): string {
  return toHex(sha3_256(publicKey).subarray(0, 8))
}
