/**
 * Streaming file ends for seal and unseal: an input read through a file handle, and an output that appears only
 * when committed. The output is written to a private temporary file (mode 0600) in the destination folder, fsynced,
 * and then published with link(2) (refuses to replace an existing file: a concurrent creator wins) or, with force,
 * rename(2). On abort the temporary file is deleted. This is src/core/io.ts writeFileAtomic for data that never sits
 * in memory whole.
 *
 * Does NOT guarantee: that nobody with the same uid reads the temporary file while it is being written, nor that
 * a killed process (SIGKILL, power loss) removes it: a `.NAME.*.tmp` file may remain, never a half-written NAME.
 */
import {constants as fsConstants} from 'node:fs'
import {link, mkdir, open, rename, stat, unlink, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {TcpError, fromSystemError} from '../errors.js'
import type {ByteSink, ByteSource} from './stream.js'

export interface InputFile {
  source: ByteSource
  size: number
  close(): Promise<void>
}

export async function openInput(path: string, what: string): Promise<InputFile> {
  let fh: FileHandle
  try {
    fh = await open(path, fsConstants.O_RDONLY)
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new TcpError('io', `${what} is not a regular file: ${path}`)
    const source: ByteSource = {
      async read(buf, offset, length) {
        try {
          return (await fh.read(buf, offset, length, null)).bytesRead
        } catch (e) {
          throw fromSystemError(e, what, path)
        }
      },
    }
    return {source, size: st.size, close: () => fh.close()}
  } catch (e) {
    await fh.close()
    throw fromSystemError(e, what, path)
  }
}

const SYNC_EVERY = 16 * 2 ** 20

export interface OutputFile {
  sink: ByteSink
  /** Flushes and publishes the file at its path. */
  commit(): Promise<void>
  /** Removes the temporary file; safe to call after a failed commit. */
  abort(): Promise<void>
}

async function assertAbsent(path: string, what: string): Promise<void> {
  try {
    await stat(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw fromSystemError(e, what, path)
  }
  throw new TcpError('exists', `${what} already exists: ${path} (use --force to overwrite)`)
}

export async function createOutput(path: string, opts: {force?: boolean; mode: number; what: string}): Promise<OutputFile> {
  const {what} = opts
  if (!opts.force) await assertAbsent(path, what)
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  let fh: FileHandle
  try {
    await mkdir(dir, {recursive: true})
    fh = await open(tmp, 'wx', 0o600)
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  let open_ = true
  const closeOnce = async () => {
    if (open_) {
      open_ = false
      await fh.close()
    }
  }
  // Flush to disk while writing (one fdatasync in flight every SYNC_EVERY bytes), so that the fsync before
  // publishing does not wait for the whole file's writeback at the end.
  let unsynced = 0
  let syncing: Promise<void> = Promise.resolve()
  const sink: ByteSink = {
    async write(parts) {
      try {
        let total = 0
        for (const p of parts) total += p.length
        const {bytesWritten} = await fh.writev(parts)
        if (bytesWritten !== total) throw new TcpError('io', `${what} ${path}: short write (${bytesWritten} of ${total} bytes)`)
        unsynced += total
        if (unsynced >= SYNC_EVERY) {
          unsynced = 0
          await syncing
          syncing = fh.datasync()
          syncing.catch(() => {}) // awaited by the next write past SYNC_EVERY or by commit
        }
      } catch (e) {
        throw fromSystemError(e, what, path)
      }
    },
  }
  return {
    sink,
    async commit() {
      try {
        await fh.chmod(opts.mode)
        await syncing
        await fh.sync()
        await closeOnce()
        if (opts.force) await rename(tmp, path)
        else {
          await link(tmp, path) // EEXIST if someone created path meanwhile: it is left untouched
          await unlink(tmp)
        }
      } catch (e) {
        throw fromSystemError(e, what, path)
      }
      await syncDir(dir)
    },
    async abort() {
      await syncing.catch(() => {})
      await closeOnce().catch(() => {})
      await unlink(tmp).catch(() => {})
    },
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, fsConstants.O_RDONLY)
    try {
      await d.sync()
    } finally {
      await d.close()
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
