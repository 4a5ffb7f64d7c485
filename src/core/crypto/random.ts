/** CSPRNG bytes from node:crypto (OS entropy). Unlike noble's randomBytes there is no 65,536-byte cap. */
import {randomBytes as nodeRandomBytes} from 'node:crypto'

export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: expected a byte count, got ${n}`)
  return new Uint8Array(nodeRandomBytes(n))
}
