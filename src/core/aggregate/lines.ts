/** Reading chosen lines of the tree's JSON Lines files without loading them whole. */
import {createReadStream} from 'node:fs'
import {TcpError, fromSystemError} from '../errors.js'

export async function* readLines(path: string, what: string): AsyncIterable<string> {
  let rest = ''
  try {
    for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20})) {
      const parts = (rest + (chunk as Buffer).toString('utf8')).split('\n')
      rest = parts.pop()!
      for (const p of parts) yield p
    }
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  if (rest !== '') yield rest
}

/** The lines at these indices (0-based); a missing one is an input error naming the file and line. */
export async function pickLines(path: string, indices: Iterable<number>, what: string): Promise<Map<number, string>> {
  const want = new Set(indices)
  const max = Math.max(-1, ...want)
  const out = new Map<number, string>()
  let i = 0
  for await (const l of readLines(path, what)) {
    if (want.has(i)) out.set(i, l)
    if (++i > max) break
  }
  for (const k of want) if (!out.has(k)) throw new TcpError('input', `${what} ${path}: no line ${k + 1}`)
  return out
}
