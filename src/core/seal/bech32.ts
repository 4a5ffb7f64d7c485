/**
 * Bech32 (BIP 173; the original checksum constant 1, not bech32m) as age uses it for its keys (C2SP age.md,
 * "The X25519 recipient type"): recipients are lowercase with HRP "age", identities uppercase with HRP
 * "AGE-SECRET-KEY-". Like age, no 90-character limit is applied. Mixed case is refused.
 */
import {TcpError} from '../errors.js'

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]

function polymod(values: number[]): number {
  let chk = 1
  for (const v of values) {
    const top = chk >>> 25
    chk = ((chk & 0x1ffffff) << 5) ^ v
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!
  }
  return chk >>> 0
}

const hrpExpand = (hrp: string): number[] => [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)]

function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean, what: string): number[] {
  let acc = 0
  let bits = 0
  const out: number[] = []
  const maxv = (1 << to) - 1
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!
    bits += from
    while (bits >= to) {
      bits -= to
      out.push((acc >> bits) & maxv)
    }
    acc &= (1 << bits) - 1
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv)
  } else if (bits >= from || acc !== 0) throw new TcpError('input', `${what}: bad bech32 padding`)
  return out
}

export function bech32Encode(hrp: string, data: Uint8Array, upper = false): string {
  const lowHrp = hrp.toLowerCase()
  const words = convertBits(data, 8, 5, true, 'bech32')
  const mod = polymod([...hrpExpand(lowHrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1
  const checksum = Array.from({length: 6}, (_, i) => (mod >>> (5 * (5 - i))) & 31)
  const s = `${lowHrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join('')}`
  return upper ? s.toUpperCase() : s
}

/** Decodes a bech32 string whose HRP must be `hrp` (case-insensitively); returns the data bytes. */
export function bech32Decode(s: string, hrp: string, what: string): Uint8Array {
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) throw new TcpError('input', `${what}: mixed-case bech32`)
  const low = s.toLowerCase()
  const sep = low.lastIndexOf('1')
  if (sep < 1 || low.length - sep - 1 < 6) throw new TcpError('input', `${what}: not a bech32 string`)
  const gotHrp = low.slice(0, sep)
  if (gotHrp !== hrp.toLowerCase()) throw new TcpError('input', `${what}: expected the prefix "${hrp}1", got "${s.slice(0, sep + 1)}"`)
  const words: number[] = []
  for (const c of low.slice(sep + 1)) {
    const w = CHARSET.indexOf(c)
    if (w < 0) throw new TcpError('input', `${what}: "${c}" is not a bech32 character`)
    words.push(w)
  }
  if (polymod([...hrpExpand(gotHrp), ...words]) !== 1) throw new TcpError('input', `${what}: bad bech32 checksum`)
  return Uint8Array.from(convertBits(words.slice(0, -6), 5, 8, false, what))
}
