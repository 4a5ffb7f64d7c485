import {readFileSync} from 'node:fs'
import {join} from 'node:path'

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
