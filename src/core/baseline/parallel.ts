/**
 * Reading a large JSONL file on two threads. The file is cut into parts of PART_BYTES (each cut moved to just after
 * a newline); worker threads parse parts (streamObservations over a byte range) and return Welford sums, which are
 * merged in file order (Chan et al.'s pairwise update). The cuts depend only on the file, never on the number of
 * cores, so a file gives the same baseline on every machine. Files under two parts, and CSV (its header is on the
 * first line), are read on the calling thread. Errors keep their file-wide line numbers: a part reports its local
 * line, renumbered here from the line counts of the parts before it.
 * Does NOT guarantee: bit-identical sums to a one-pass read of the same file (merging rounds differently); the
 * cuts are fixed, so one tcp version always gives the same result for one file.
 */
import {availableParallelism} from 'node:os'
import {open, stat} from 'node:fs/promises'
import {Worker} from 'node:worker_threads'
import {TcpError, fromSystemError} from '../errors.js'
import {BaselineBuilder, type BuilderState} from './baseline.js'
import {ObservationParser, streamObservations} from './observations.js'
import {forEachLine} from '../io.js'

export const PART_BYTES = 32 * 2 ** 20

export interface PartJob {
  path: string
  start: number
  end: number
  agent?: string
  what: string
}

export interface PartResult {
  state: BuilderState
  lines: number
  /** The first data line's number in the part and its feature names, checked against the first part's. */
  first: {line: number; keys: string[]} | null
  error?: {line: number; message: string; code: string}
}

/** Parses one part on this thread. */
export async function parsePart(job: PartJob): Promise<PartResult> {
  const b = new BaselineBuilder(job.agent)
  const p = new ObservationParser(job.what, 'jsonl')
  let lines = 0
  let first: PartResult['first'] = null
  try {
    await forEachLine(
      job.path,
      (line, n) => {
        lines = n
        const o = p.line(line, n)
        if (o) {
          if (!first) first = {line: n, keys: Object.keys(o.values)}
          b.add(o)
        }
      },
      {what: 'observations', start: job.start, end: job.end},
    )
  } catch (e) {
    const err = e instanceof TcpError ? e : fromSystemError(e, 'observations', job.path)
    return {state: b.state(), lines, first, error: {line: lines, message: err.message, code: err.code}}
  }
  return {state: b.state(), lines, first}
}

/** Byte offsets of the parts: every PART_BYTES, moved to just after the next newline. */
async function cuts(path: string, size: number, partBytes: number): Promise<number[]> {
  const fh = await open(path, 'r')
  try {
    const out = [0]
    const buf = Buffer.allocUnsafe(64 * 1024)
    for (let at = partBytes; at < size; ) {
      let nl = -1
      let pos = at
      while (nl < 0 && pos < size) {
        const {bytesRead} = await fh.read(buf, 0, buf.length, pos)
        if (bytesRead === 0) break
        const i = buf.subarray(0, bytesRead).indexOf(10)
        if (i >= 0) nl = pos + i
        else pos += bytesRead
      }
      if (nl < 0 || nl + 1 >= size) break
      out.push(nl + 1)
      at = nl + 1 + partBytes
    }
    out.push(size)
    return out
  } finally {
    await fh.close()
  }
}

async function firstByte(path: string): Promise<string> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(4096)
    const {bytesRead} = await fh.read(buf, 0, buf.length, 0)
    return buf.subarray(0, bytesRead).toString('latin1').trimStart()[0] ?? ''
  } finally {
    await fh.close()
  }
}

function runInWorker(job: PartJob): Promise<PartResult> {
  return new Promise((resolve, reject) => {
    // Run from the TypeScript sources (tests, through tsx), Node 20 cannot start a .ts worker (the loader's hooks
    // are not active for a worker's entry): the worker is then the built one (dist/, made from the same source by
    // the build that precedes the tests).
    const fromSource = import.meta.url.endsWith('.ts')
    const entry = new URL(fromSource ? '../../../dist/core/baseline/part-worker.js' : './part-worker.js', import.meta.url)
    const w = new Worker(entry, {workerData: job, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type'))})
    w.once('message', (r: PartResult) => resolve(r))
    w.once('error', reject)
    w.once('exit', (code) => (code !== 0 ? reject(new Error(`worker exited with ${code}`)) : undefined))
  })
}

/** Accumulates the observations of a file (one thread for small files and CSV, worker threads for large JSONL). */
export async function accumulateFile(path: string, agent: string | undefined, opts: {threads?: number; partBytes?: number} = {}): Promise<BaselineBuilder> {
  let size: number
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw new TcpError('io', `observations is a directory, expected a file: ${path}`)
    size = st.isFile() ? st.size : 0
  } catch (e) {
    throw fromSystemError(e, 'observations', path)
  }
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), 4))
  const partBytes = opts.partBytes ?? PART_BYTES
  if (size < 2 * partBytes || (await firstByte(path)) !== '{') {
    const b = new BaselineBuilder(agent)
    await streamObservations(path, (o) => b.add(o), {what: path})
    return b
  }
  const at = await cuts(path, size, partBytes)
  const jobs: PartJob[] = at.slice(0, -1).map((start, i) => ({path, start, end: at[i + 1]!, agent, what: path}))
  const results: PartResult[] = new Array(jobs.length)
  let next = 0
  const pool = Array.from({length: Math.min(threads, jobs.length)}, async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = threads === 1 ? await parsePart(jobs[i]!) : await runInWorker(jobs[i]!)
      if (results[i]!.error) next = jobs.length // stop handing out parts: an earlier error wins below
    }
  })
  await Promise.all(pool)
  const b = new BaselineBuilder(agent)
  let base = 0
  let features: string[] | null = null
  for (let i = 0; i < jobs.length; i++) {
    const r = results[i]
    if (!r) break // not run after an error in an earlier-started part; that error is reported below
    if (r.error) {
      // Messages name "PATH:LINE:" with the part's own line number: make it the file's.
      const at = r.error.message.indexOf(`${path}:`)
      let msg = r.error.message
      if (at >= 0) {
        const m = /^(\d+)/.exec(msg.slice(at + path.length + 1))
        if (m) msg = `${msg.slice(0, at + path.length + 1)}${base + Number(m[1])}${msg.slice(at + path.length + 1 + m[1]!.length)}`
      }
      throw new TcpError(r.error.code as TcpError['code'], msg)
    }
    if (r.first) {
      if (features === null) features = r.first.keys
      else {
        // The same rule as line by line: every line has the first line's features.
        const sameSet = features.length === r.first.keys.length && features.every((f) => r.first!.keys.includes(f))
        if (!sameSet) {
          const missing = features.find((f) => !r.first!.keys.includes(f))
          const extra = r.first.keys.find((k) => !features!.includes(k))
          throw new TcpError('input', `${path}:${base + r.first.line}: ${missing ? `missing feature "${missing}"` : `unexpected feature "${extra}" (not on the first line)`}`)
        }
      }
    }
    b.absorb(r.state)
    base += r.lines
  }
  if (results.some((r) => !r)) throw new TcpError('internal', `observations ${path}: a part was not read`)
  return b
}
