/**
 * Streaming line reader for logs: fixed-size reads, never the whole file in memory. Reports a last line without
 * its newline as torn (a write cut short by a crash), so that no caller can keep it by accident.
 */
import {closeSync, openSync, readSync} from 'node:fs'
import {TcpError, fromSystemError} from '../errors.js'
import {refuseDash} from '../io.js'

const CHUNK = 1 << 16

export type LineFn = (line: Buffer, n: number, torn: boolean, bytes: number) => void

/**
 * Splits chunks into lines (without "\n") and calls `fn(line, lineNumber, torn, bytes)`. `torn` is true only for a
 * final line that has no newline. A line longer than `maxLine` bytes is passed truncated to `maxLine + 1` bytes (so
 * the caller can reject it by length) without buffering the rest; `bytes` is its real length.
 */
export class LineSplitter {
  private carry: Buffer | null = null
  private carryOver = false
  private carryBytes = 0
  private n = 0
  constructor(private readonly maxLine: number, private readonly fn: LineFn) {}

  push(buf: Buffer): void {
    const got = buf.length
    let start = 0
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) break
      let line: Buffer = buf.subarray(start, nl)
      let bytes = line.length
      if (this.carry) {
        bytes += this.carryBytes
        line = this.carryOver ? this.carry : Buffer.concat([this.carry, line])
        this.carry = null
        this.carryOver = false
        this.carryBytes = 0
      }
      this.fn(line.length > this.maxLine ? line.subarray(0, this.maxLine + 1) : line, ++this.n, false, bytes)
      start = nl + 1
    }
    if (start < got) {
      const rest = buf.subarray(start, got)
      this.carryBytes += rest.length
      if (!this.carry) this.carry = Buffer.from(rest)
      else if (!this.carryOver) this.carry = Buffer.concat([this.carry, rest])
      if (this.carry.length > this.maxLine) (this.carry = this.carry.subarray(0, this.maxLine + 1)), (this.carryOver = true)
    }
  }

  end(): void {
    if (this.carry) this.fn(this.carry, ++this.n, true, this.carryBytes)
    this.carry = null
  }
}

/** Reads `path` in fixed-size chunks through a LineSplitter. */
export function forEachLine(path: string, maxLine: number, fn: LineFn, what = 'log'): void {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    const s = new LineSplitter(maxLine, fn)
    for (;;) {
      let got: number
      try {
        got = readSync(fd, buf, 0, CHUNK, null)
      } catch (e) {
        throw fromSystemError(e, what, path)
      }
      if (got === 0) break
      s.push(buf.subarray(0, got))
    }
    s.end()
  } finally {
    closeSync(fd)
  }
}

/** The first line of a file (up to `max` bytes, without its newline): enough to tell a log from other JSON. */
export async function readFirstLine(path: string, max: number, what = 'file'): Promise<string> {
  refuseDash(path, what, 'stdin')
  const {open, stat} = await import('node:fs/promises')
  try {
    // A FIFO or a device would block or stream without end: only regular files are read.
    const st = await stat(path)
    if (!st.isFile()) throw new TcpError('io', `${what} is not a regular file: ${path}`)
    const fh = await open(path, 'r')
    try {
      const buf = Buffer.alloc(max)
      const {bytesRead} = await fh.read(buf, 0, max, 0)
      const nl = buf.subarray(0, bytesRead).indexOf(10)
      return buf.toString('utf8', 0, nl < 0 ? bytesRead : nl)
    } finally {
      await fh.close()
    }
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
}
