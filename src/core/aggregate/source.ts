/**
 * Where the leaves of a tree come from, streamed in order: a directory of one signed baseline per agent
 * (AGENT.dsse.json, sorted by file name, which must be the agent id), or a JSON Lines file of envelopes, one per
 * line, sorted by agent id (checked as they are read). Nothing is held in memory but the file names.
 */
import {createReadStream} from 'node:fs'
import {readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {TcpError, fromSystemError} from '../errors.js'

export const AGENT_ID_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
export const LEAF_SUFFIX = '.dsse.json'

export interface LeafText {
  index: number
  /** The id the file is filed under (directories); undefined for JSON Lines. */
  id?: string
  text: string
  what: string
}

export interface LeafSource {
  kind: 'dir' | 'jsonl'
  path: string
  count: number
  read(lo: number, hi: number): AsyncIterable<LeafText>
  /** Leaves at these indices (ascending), for sampled audits. */
  pick(indices: number[]): AsyncIterable<LeafText>
}

export async function openLeafSource(path: string): Promise<LeafSource> {
  let st
  try {
    st = await stat(path)
  } catch (e) {
    throw fromSystemError(e, 'leaves', path)
  }
  return st.isDirectory() ? dirSource(path) : jsonlSource(path)
}

async function dirSource(dir: string): Promise<LeafSource> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(LEAF_SUFFIX))
  } catch (e) {
    throw fromSystemError(e, 'leaves directory', dir)
  }
  const ids = names.map((n) => n.slice(0, -LEAF_SUFFIX.length)).sort()
  const bad = ids.find((id) => !AGENT_ID_RE.test(id))
  if (bad !== undefined) throw new TcpError('input', `leaves directory ${dir}: "${bad}${LEAF_SUFFIX}" is not named after an agent id (letters, digits, . _ -)`)
  if (ids.length === 0) throw new TcpError('input', `leaves directory ${dir}: no *${LEAF_SUFFIX} files`)
  const one = async (i: number): Promise<LeafText> => {
    const p = join(dir, ids[i]! + LEAF_SUFFIX)
    let text: string
    try {
      text = await readFile(p, 'utf8')
    } catch (e) {
      throw fromSystemError(e, 'leaf', p)
    }
    return {index: i, id: ids[i]!, text, what: `leaf ${p}`}
  }
  return {
    kind: 'dir',
    path: dir,
    count: ids.length,
    async *read(lo, hi) {
      // a few reads in flight keep the disk busy while the caller verifies
      const ahead: Array<Promise<LeafText>> = []
      let next = lo
      while (next < hi && ahead.length < 64) ahead.push(one(next++))
      while (ahead.length) {
        const t = await ahead.shift()!
        if (next < hi) ahead.push(one(next++))
        yield t
      }
    },
    async *pick(indices) {
      for (const i of indices) yield one(i)
    },
  }
}

async function* lines(path: string): AsyncIterable<string> {
  const stream = createReadStream(path, {highWaterMark: 1 << 20})
  let rest = ''
  try {
    for await (const chunk of stream) {
      const s = rest + (chunk as Buffer).toString('utf8')
      const parts = s.split('\n')
      rest = parts.pop()!
      for (const p of parts) yield p
    }
  } catch (e) {
    throw fromSystemError(e, 'leaves file', path)
  }
  if (rest !== '') yield rest
}

async function jsonlSource(path: string): Promise<LeafSource> {
  let count = 0
  for await (const l of lines(path)) {
    if (l.trim() === '') throw new TcpError('input', `leaves file ${path}:${count + 1}: blank line (one envelope per line, no blank lines)`)
    count++
  }
  if (count === 0) throw new TcpError('input', `leaves file ${path}: no envelopes`)
  return {
    kind: 'jsonl',
    path,
    count,
    async *read(lo, hi) {
      let i = 0
      for await (const text of lines(path)) {
        if (i >= hi) break
        if (i >= lo) yield {index: i, text, what: `leaf ${path}:${i + 1}`}
        i++
      }
    },
    async *pick(indices) {
      let i = 0
      let k = 0
      for await (const text of lines(path)) {
        if (k >= indices.length) break
        if (i === indices[k]) {
          yield {index: i, text, what: `leaf ${path}:${i + 1}`}
          k++
        }
        i++
      }
    },
  }
}
