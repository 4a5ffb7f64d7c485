/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), a keyed pseudorandom function with
 * a 128-bit key and a 64-bit output, written on 32-bit halves so that it runs without BigInt. It is the modelled
 * signature of the consensus simulator's `model` mode: a vote's tag is the low 32 bits of SipHash-2-4 under the
 * signer's key of the vote's fields.
 *
 * What it guarantees: nothing about the key leaks from outputs beyond what a PRF allows (the designers claim 128-bit
 * key-recovery security and 2^-64 forgery for the full output; truncated to 32 bits, a guess is right with
 * probability 2^-32). What it does NOT give: public verifiability (the checker holds the key, as with a MAC), or
 * constant-time behaviour on anything but 32-bit integer operations.
 */

/** Output of the last call, low and high words (module-level so that the fast path allocates nothing). */
let outHi = 0
let outLo = 0

/**
 * SipHash-2-4 over `blocks` 64-bit message blocks given as little-endian u32 word pairs m[2i] (low), m[2i+1] (high),
 * the last block already carrying the length byte. Key: four little-endian u32 words at key[k..k+3]. The state
 * v0..v3 lives in (a: high, b: low) 32-bit locals.
 */
function sip(key: ArrayLike<number>, k: number, m: ArrayLike<number>, blocks: number): void {
  const k0l = key[k]!, k0h = key[k + 1]!, k1l = key[k + 2]!, k1h = key[k + 3]!
  let a0 = k0h ^ 0x736f6d65, b0 = k0l ^ 0x70736575, a1 = k1h ^ 0x646f7261, b1 = k1l ^ 0x6e646f6d
  let a2 = k0h ^ 0x6c796765, b2 = k0l ^ 0x6e657261, a3 = k1h ^ 0x74656462, b3 = k1l ^ 0x79746573
  let mh = 0, ml = 0
  for (let blk = 0; blk <= blocks; blk++) {
    let rounds = 4 // finalisation: v2 ^= 0xff, then d = 4 rounds
    if (blk < blocks) {
      ml = m[2 * blk]!
      mh = m[2 * blk + 1]!
      a3 ^= mh
      b3 ^= ml
      rounds = 2 // compression: c = 2 rounds per block
    } else b2 ^= 0xff
    for (let r = 0; r < rounds; r++) {
      // v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
      let lo = (b0 + b1) | 0
      a0 = (a0 + a1 + (lo >>> 0 < b0 >>> 0 ? 1 : 0)) | 0
      b0 = lo
      let h = (a1 << 13) | (b1 >>> 19)
      let l = (b1 << 13) | (a1 >>> 19)
      a1 = h ^ a0
      b1 = l ^ b0
      h = a0
      a0 = b0
      b0 = h
      // v2 += v3; v3 = rotl(v3, 16); v3 ^= v2
      lo = (b2 + b3) | 0
      a2 = (a2 + a3 + (lo >>> 0 < b2 >>> 0 ? 1 : 0)) | 0
      b2 = lo
      h = (a3 << 16) | (b3 >>> 16)
      l = (b3 << 16) | (a3 >>> 16)
      a3 = h ^ a2
      b3 = l ^ b2
      // v0 += v3; v3 = rotl(v3, 21); v3 ^= v0
      lo = (b0 + b3) | 0
      a0 = (a0 + a3 + (lo >>> 0 < b0 >>> 0 ? 1 : 0)) | 0
      b0 = lo
      h = (a3 << 21) | (b3 >>> 11)
      l = (b3 << 21) | (a3 >>> 11)
      a3 = h ^ a0
      b3 = l ^ b0
      // v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
      lo = (b2 + b1) | 0
      a2 = (a2 + a1 + (lo >>> 0 < b2 >>> 0 ? 1 : 0)) | 0
      b2 = lo
      h = (a1 << 17) | (b1 >>> 15)
      l = (b1 << 17) | (a1 >>> 15)
      a1 = h ^ a2
      b1 = l ^ b2
      h = a2
      a2 = b2
      b2 = h
    }
    if (blk < blocks) {
      a0 ^= mh
      b0 ^= ml
    }
  }
  outHi = (a0 ^ a1 ^ a2 ^ a3) >>> 0
  outLo = (b0 ^ b1 ^ b2 ^ b3) >>> 0
}

/** SipHash-2-4 of `msg` under the 16-byte key given as four little-endian u32 words at key[k..k+3]; [hi, lo] words. */
export function siphash24(key: ArrayLike<number>, k: number, msg: Uint8Array): [number, number] {
  const blocks = Math.floor(msg.length / 8) + 1
  const padded = new Uint8Array(blocks * 8)
  padded.set(msg)
  padded[blocks * 8 - 1] = msg.length & 0xff // the length mod 256 in the top byte of the last block
  const dv = new DataView(padded.buffer)
  const m = new Uint32Array(blocks * 2)
  for (let i = 0; i < m.length; i++) m[i] = dv.getUint32(4 * i, true)
  sip(key, k, m, blocks)
  return [outHi, outLo]
}

const words = new Uint32Array(6)
words[5] = 0x10000000 // the empty last block of a 16-byte message: length 16 in the top byte

/**
 * The simulator's fast path: SipHash-2-4 of the 16-byte message w0 || w1 || w2 || w3 (little-endian u32 words),
 * the low 32 bits of the output as a signed int32. Equals the low word of siphash24 on those 16 bytes.
 */
export function siphash24Words(key: ArrayLike<number>, k: number, w0: number, w1: number, w2: number, w3: number): number {
  words[0] = w0
  words[1] = w1
  words[2] = w2
  words[3] = w3
  sip(key, k, words, 3)
  return outLo | 0
}
