/**
 * The seeded generator of simulations, sample data and benchmarks: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, PractRand-clean to 2^42+ bytes) seeded through splitmix32. Same seed, same sequence, on every
 * platform. NOT cryptographic: never use it for keys, nonces or salts (use crypto/random.ts).
 */
import {randomBytes} from 'node:crypto'
import {TcpError} from './errors.js'

export const MAX_SEED = 2 ** 32 - 1

/** A fresh random seed for runs that were not given one (printed so that the run can be reproduced). */
export function randomSeed(): number {
  return randomBytes(4).readUInt32BE(0)
}

export function parseSeed(s: string | number, name = 'seed'): number {
  const n = typeof s === 'number' ? s : /^\d{1,10}$/.test(s.trim()) ? Number(s.trim()) : NaN
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEED)
    throw new TcpError('usage', `${name}: expected an integer from 0 to ${MAX_SEED}, got ${JSON.stringify(s)}`)
  return n
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number
  private spare: number | undefined
  readonly seed: number

  constructor(seed: number) {
    this.seed = parseSeed(seed)
    let s = this.seed >>> 0
    const sm = (): number => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = sm()
    this.b = sm()
    this.c = sm()
    this.d = sm()
    for (let i = 0; i < 12; i++) this.u32()
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`Rng.int: bad bound ${n}`)
    const limit = 2 ** 32 - (2 ** 32 % n)
    let x: number
    do x = this.u32()
    while (x >= limit)
    return x % n
  }

  /** Standard normal deviate (Marsaglia polar method). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const v = this.spare
      this.spare = undefined
      return mean + sd * v
    }
    let u: number, v: number, s: number
    do {
      u = this.float() * 2 - 1
      v = this.float() * 2 - 1
      s = u * u + v * v
    } while (s >= 1 || s === 0)
    const m = Math.sqrt((-2 * Math.log(s)) / s)
    this.spare = v * m
    return mean + sd * u * m
  }

  /** Fills a buffer with pseudo-random bytes (not for secrets). */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const x = this.u32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (x >>> (8 * j)) & 0xff
    }
    return out
  }
}
