/**
 * Bit operations of the hashing path, all branch-free: SWAR popcount, Hamming distance of 64-bit signatures held as
 * two uint32 words (lo at [2i], hi at [2i+1]), and bit-sampling keys (Indyk-Motwani LSH for Hamming space) computed
 * with one 256-entry lookup table per byte that holds a sampled bit, so a key costs one load and one OR per such
 * byte whatever k is.
 */
import {TcpError} from '../errors.js'
import type {Rng} from '../rng.js'

/** Number of set bits of a 32-bit value (Hacker's Delight 5-2). */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** Hamming distance between signature i of `a` and signature j of `b` (64-bit, two words each). */
export function hamming64(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  return popcount32(a[2 * i]! ^ b[2 * j]!) + popcount32(a[2 * i + 1]! ^ b[2 * j + 1]!)
}

/**
 * A k-bit key from k sampled bit positions of a byte string. Bit p of a byte string is bit (7 - p % 8) of byte
 * p / 8 (network order, as the descriptor format reads); for signatures, use `forSignature`, which numbers bit p as
 * bit p % 32 of word p / 32 (lo word first).
 */
export class BitSampler {
  readonly k: number
  readonly positions: Uint16Array
  /** Byte offsets that hold at least one sampled bit, and one 256-entry table per such byte. */
  readonly bytes: Int32Array
  readonly lut: Uint32Array

  private constructor(k: number, positions: Uint16Array, byteOf: (p: number) => number, maskOf: (p: number) => number) {
    if (!Number.isInteger(k) || k < 1 || k > 31) throw new TcpError('input', `k: expected 1 to 31 bits per key, got ${k}`)
    this.k = k
    this.positions = positions
    const touched = [...new Set([...positions].map(byteOf))].sort((x, y) => x - y)
    this.bytes = Int32Array.from(touched)
    this.lut = new Uint32Array(touched.length * 256)
    for (let t = 0; t < touched.length; t++) {
      for (let v = 0; v < 256; v++) {
        let key = 0
        for (let j = 0; j < k; j++) {
          const p = positions[j]!
          if (byteOf(p) === touched[t] && (v & maskOf(p)) !== 0) key |= 1 << j
        }
        this.lut[t * 256 + v] = key >>> 0
      }
    }
  }

  /** k distinct positions drawn from `totalBits` with the seeded generator (partial Fisher-Yates). */
  static samplePositions(rng: Rng, totalBits: number, k: number): Uint16Array {
    if (k > totalBits) throw new TcpError('input', `k: expected at most ${totalBits} bits, got ${k}`)
    const all = Array.from({length: totalBits}, (_, i) => i)
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(totalBits - i)
      ;[all[i], all[j]] = [all[j]!, all[i]!]
    }
    return Uint16Array.from(all.slice(0, k))
  }

  /** Sampler over byte strings (e.g. 24-byte descriptors, 192 bits). */
  static forBytes(positions: Uint16Array): BitSampler {
    return new BitSampler(positions.length, positions, (p) => p >>> 3, (p) => 0x80 >>> (p & 7))
  }

  /** Sampler over 64-bit signatures stored as two little-endian uint32 words. */
  static forSignature(positions: Uint16Array): BitSampler {
    for (const p of positions) if (p > 63) throw new TcpError('input', `position: expected 0 to 63, got ${p}`)
    return new BitSampler(positions.length, positions, (p) => p >>> 3, (p) => 1 << (p & 7))
  }

  /** Key of the byte string at buf[off...]. */
  keyBytes(buf: Uint8Array, off: number): number {
    const bytes = this.bytes
    const lut = this.lut
    let key = 0
    for (let t = 0; t < bytes.length; t++) key |= lut[(t << 8) | buf[off + bytes[t]!]!]!
    return key >>> 0
  }

  /** Key of signature i of `sigs`. */
  keySig(sigs: Uint32Array, i: number): number {
    const bytes = this.bytes
    const lut = this.lut
    const lo = sigs[2 * i]!
    const hi = sigs[2 * i + 1]!
    let key = 0
    for (let t = 0; t < bytes.length; t++) {
      const b = bytes[t]!
      // Byte b of the 64-bit value: (b < 4 ? lo : hi) >>> 8 * (b % 4), selected without a branch on the data.
      const w = b < 4 ? lo : hi
      key |= lut[(t << 8) | ((w >>> ((b & 3) << 3)) & 0xff)]!
    }
    return key >>> 0
  }
}
