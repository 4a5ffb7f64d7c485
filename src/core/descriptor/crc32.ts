/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF; the zlib/PNG CRC),
 * table-driven, one byte per step. Kept in JS rather than node:zlib's crc32 because the descriptor hot path checks
 * 22 bytes at a time, where a call into native code costs more than the loop itself. The tests compare it with
 * node:zlib's crc32 on random inputs. Not a cryptographic checksum: it catches accidents, not forgery.
 */
export const CRC32_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 of bytes[start, end). Loads the table entry by byte value: a data-dependent memory access. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/**
 * The same CRC-32 computed bit by bit with a mask instead of a table: no memory access indexed by data and no
 * branch, so its timing does not depend on the bytes (as far as the JIT keeps it so; `tcp bench ct` checks).
 * About 8x the table version's work.
 */
export function crc32Bitwise(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff
  for (let i = start; i < end; i++) {
    c ^= bytes[i]!
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return (c ^ 0xffffffff) >>> 0
}
