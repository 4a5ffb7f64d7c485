// External test vectors (test/vectors/) and seeded vector pairs for the hashing tests (test/core/lsh).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Rng} from '../../src/core/rng.js'

export const VECTORS = join(import.meta.dirname, '..', 'vectors')

export interface WycheproofTest {
  tcId: number
  comment: string
  flags: string[]
  result: 'valid' | 'invalid' | 'acceptable'
  [k: string]: unknown
}

export interface WycheproofGroup {
  tests: WycheproofTest[]
  [k: string]: unknown
}

export function wycheproof(name: string): {numberOfTests: number; testGroups: WycheproofGroup[]} {
  return JSON.parse(readFileSync(join(VECTORS, 'wycheproof', name), 'utf8'))
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))


/** A pair of unit vectors at angle theta, both Gaussian-isotropic in direction (Gram-Schmidt on two Gaussian vectors). */
export function pairAtAngle(rng: Rng, d: number, theta: number): [Float64Array, Float64Array] {
  const x = Float64Array.from({length: d}, () => rng.normal())
  const z = Float64Array.from({length: d}, () => rng.normal())
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0)
  const nx = Math.sqrt(dot(x, x))
  for (let i = 0; i < d; i++) x[i]! /= nx
  const p = dot(z, x)
  for (let i = 0; i < d; i++) z[i]! -= p * x[i]!
  const nz = Math.sqrt(dot(z, z))
  const y = Float64Array.from({length: d}, (_, i) => Math.cos(theta) * x[i]! + (Math.sin(theta) * z[i]!) / nz)
  return [x, y]
}
