/**
 * File I/O with the toolkit's guarantees: writes are atomic (temporary file in the same folder, fsync, rename), an
 * existing file is never replaced unless `force` is set, and every failure is a one-line TcpError naming the path.
 * What it does NOT guarantee: durability of the parent directory entry on every filesystem (the directory is fsynced
 * where the platform allows it).
 */
import {constants as fsConstants} from 'node:fs'
import {link, mkdir, open, readFile, rename, stat, unlink, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {TcpError, fromSystemError} from './errors.js'
import {fromUtf8} from './bytes.js'
import {parseJson} from './json.js'

export {parseJson}

export interface WriteOptions {
  /** Replace an existing file. Without it an existing file is an 'exists' error and is left untouched. */
  force?: boolean
  /** File mode, 0o600 for secrets. Default 0o644. */
  mode?: number
  /** Human name of the file for error messages ("key file", "envelope"). */
  what?: string
}

/**
 * Writes `data` to `path` atomically (see createOutput). Without force, an existing file is an 'exists' error and
 * a concurrent creator of `path` also wins (link(2) is exclusive).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, opts: WriteOptions = {}): Promise<void> {
  const out = await createOutput(path, {force: opts.force, mode: opts.mode ?? 0o644, what: opts.what ?? 'output file'})
  try {
    await out.sink.write([typeof data === 'string' ? Buffer.from(data) : data])
    await out.commit()
  } catch (e) {
    await out.abort()
    throw e
  }
}

const SYNC_EVERY = 16 * 2 ** 20

export interface OutputFile {
  sink: {write(parts: Uint8Array[]): Promise<void>}
  /** Flushes and publishes the file at its path. */
  commit(): Promise<void>
  /** Removes the temporary file; safe to call after a failed commit. */
  abort(): Promise<void>
}

/** TcpError('exists') when `path` exists: lets a command refuse before doing expensive work, not after. */
export async function assertAbsent(path: string, what: string): Promise<void> {
  try {
    await stat(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw fromSystemError(e, what, path)
  }
  throw new TcpError('exists', `${what} already exists: ${path} (use --force to overwrite)`)
}

/**
 * An output that appears only when committed: written to a private temporary file (mode 0600) in the destination
 * folder, fsynced, then published with link(2) (refuses to replace an existing file: a concurrent creator wins)
 * or, with force, rename(2), and given its final mode. On abort the temporary file is deleted. Streams: data
 * never needs to sit in memory whole.
 * Does NOT guarantee: that nobody with the same uid reads the temporary file while it is written, nor that a
 * killed process (SIGKILL, power loss) removes it: a `.NAME.*.tmp` file may remain, never a half-written NAME.
 */
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
  const sink: OutputFile['sink'] = {
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

export interface ReadOptions {
  what?: string
  /** Refuse files larger than this many bytes (default 256 MiB): parsers must not be asked to hold more. */
  maxBytes?: number
}

export async function readFileBytes(path: string, opts: ReadOptions = {}): Promise<Uint8Array> {
  const what = opts.what ?? 'input file'
  const max = opts.maxBytes ?? 256 * 1024 * 1024
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw new TcpError('io', `${what} is a directory, expected a file: ${path}`)
    // FIFOs and devices report size 0 and could feed unbounded input past the size limit.
    if (!st.isFile()) throw new TcpError('io', `${what} is not a regular file: ${path}`)
    if (st.size > max) throw new TcpError('input', `${what} ${path}: ${st.size} bytes is over the limit of ${max}`)
    return new Uint8Array(await readFile(path))
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
}

export async function readFileText(path: string, opts: ReadOptions = {}): Promise<string> {
  return fromUtf8(await readFileBytes(path, opts), `${opts.what ?? 'input file'} ${path}`)
}

export async function readJsonFile(path: string, opts: ReadOptions = {}): Promise<unknown> {
  return parseJson(await readFileText(path, opts), `${opts.what ?? 'input file'} ${path}`)
}
