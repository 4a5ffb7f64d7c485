/** ByteSource and ByteSink over Node streams (stdin, stdout, pipes): constant memory, back-pressure respected. */
import {once} from 'node:events'
import type {Readable, Writable} from 'node:stream'
import type {ByteSink, ByteSource} from './stream.js'

export function readableSource(r: Readable): ByteSource {
  const it = r[Symbol.asyncIterator]()
  let pending: Uint8Array = new Uint8Array(0)
  let done = false
  return {
    async read(buf, offset, length) {
      while (pending.length === 0 && !done) {
        const n = await it.next()
        if (n.done) done = true
        else pending = typeof n.value === 'string' ? Buffer.from(n.value) : new Uint8Array(n.value.buffer, n.value.byteOffset, n.value.length)
      }
      const k = Math.min(length, pending.length)
      buf.set(pending.subarray(0, k), offset)
      pending = pending.subarray(k)
      return k
    },
  }
}

export function writableSink(w: Writable): ByteSink {
  return {
    async write(parts) {
      // One write per block (about 1 MiB), not two per 64 KiB chunk: each write to a pipe is a system call.
      if (parts.length === 0) return
      if (!w.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts))) await once(w, 'drain')
    },
  }
}
