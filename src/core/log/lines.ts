/**
 * Streaming line reader for logs: fixed-size reads, never the whole file in memory. Reports a last line without
 * its newline as torn (a write cut short by a crash), so that no caller can keep it by accident.
 */
import {closeSync, openSync, readSync} from 'node:fs'
import {fromSystemError} from '../errors.js'

const CHUNK = 1 << 20

/**
 * Calls `fn(line, lineNumber, torn)` for each line (without its "\n"). `torn` is true only for a final line that
 * has no newline. A line longer than `maxLine` bytes is passed truncated to `maxLine + 1` bytes (so the caller can
 * reject it by length) without buffering the rest.
 */
export function forEachLine(path: string, maxLine: number, fn: (line: Buffer, n: number, torn: boolean, bytes: number) => void, what = 'log'): void {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    let carry: Buffer | null = null
    let carryOver = false
    let carryBytes = 0
    let n = 0
    for (;;) {
      let got: number
      try {
        got = readSync(fd, buf, 0, CHUNK, null)
      } catch (e) {
        throw fromSystemError(e, what, path)
      }
      if (got === 0) break
      let start = 0
      for (;;) {
        const nl = buf.indexOf(10, start)
        if (nl < 0 || nl >= got) break
        let line: Buffer = buf.subarray(start, nl)
        let bytes = line.length
        if (carry) {
          bytes += carryBytes
          line = carryOver ? carry : Buffer.concat([carry, line])
          carry = null
          carryOver = false
          carryBytes = 0
        }
        fn(line.length > maxLine ? line.subarray(0, maxLine + 1) : line, ++n, false, bytes)
        start = nl + 1
      }
      if (start < got) {
        const rest = buf.subarray(start, got)
        carryBytes += rest.length
        if (!carry) carry = Buffer.from(rest)
        else if (!carryOver) carry = Buffer.concat([carry, rest])
        if (carry.length > maxLine) (carry = carry.subarray(0, maxLine + 1)), (carryOver = true)
      }
    }
    if (carry) fn(carry, ++n, true, carryBytes)
  } finally {
    closeSync(fd)
  }
}
