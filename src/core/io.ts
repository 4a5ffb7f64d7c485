/**
 * File I/O with the toolkit's guarantees: writes are atomic (temporary file in the same folder, fsync, rename), an
 * existing file is never replaced unless `force` is set, and every failure is a one-line TcpError naming the path.
 * What it does NOT guarantee: durability of the parent directory entry on every filesystem (the directory is fsynced
 * where the platform allows it).
 */
import {constants as fsConstants} from 'node:fs'
import {link, lstat, mkdir, open, readFile, readdir, realpath, rename, stat, unlink, type FileHandle} from 'node:fs/promises'
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
 * An empty path is a usage error (it read as "not found: " with nothing after it). "-" is stdin or stdout only where a command says so (and handles it before calling here); anywhere else it would
 * silently become a file named "-" (review 2: `tcp unseal F --out -` wrote the plaintext there, not to stdout).
 */
export function refuseDash(path: string, what: string, stream: 'stdin' | 'stdout'): void {
  if (path === '') throw new TcpError('usage', `${what}: an empty path`)
  if (path === '-') throw new TcpError('usage', `${what}: "-" is not ${stream} here; name a file (./- for a file named "-")`)
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

/**
 * Where an in-place update of `path` must write: the file a symbolic link (chain) points to, so that the link stays
 * a link and its target is what changes. `link` is true when `path` was a link. A dangling link is 'not_found'.
 */
export async function inPlaceTarget(path: string, what: string): Promise<{path: string; link: boolean}> {
  try {
    const st = await lstat(path)
    if (!st.isSymbolicLink()) return {path, link: false}
    return {path: await realpath(path), link: true}
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
}

/** TcpError('exists') when `path` exists: lets a command refuse before doing expensive work, not after. */
export async function assertAbsent(path: string, what: string): Promise<void> {
  try {
    await stat(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return // absent; creating it then says why it cannot be
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
 * killed process (SIGKILL, power loss) removes it: a `.NAME.PID.RANDOM.tmp` file may remain, never a half-written
 * NAME; the next tcp write in that folder removes it (removeStaleTemporaries).
 */
export async function createOutput(path: string, opts: {force?: boolean; mode: number; what: string}): Promise<OutputFile> {
  const {what} = opts
  refuseDash(path, what, 'stdout')
  if (!opts.force) await assertAbsent(path, what)
  const dir = dirname(path)
  await makeDir(dir, what, path)
  if (!swept.has(dir)) {
    swept.add(dir)
    await removeStaleTemporaries(dir)
  }
  const tmp = join(dir, tempName(basename(path)))
  let fh: FileHandle
  try {
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
        // A short write is retried with the rest: the retry fails with the reason (ENOSPC: "disk full").
        if (bytesWritten < total) await writeRest(fh, parts, bytesWritten, what, path)
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

async function writeRest(fh: FileHandle, parts: Uint8Array[], done: number, what: string, path: string): Promise<void> {
  const rest = Buffer.concat(parts).subarray(done)
  let off = 0
  while (off < rest.length) {
    const {bytesWritten} = await fh.write(rest, off, rest.length - off)
    if (bytesWritten === 0) throw new TcpError('io', `${what} ${path}: disk full (the write made no progress)`)
    off += bytesWritten
  }
}

/**
 * mkdir -p that says why it failed. Node's recursive mkdir reports ENOENT when a missing folder cannot be created
 * on a read-only file system; creating the first missing folder alone gives the real reason (EROFS, EACCES...).
 */
async function makeDir(dir: string, what: string, path: string): Promise<void> {
  try {
    await mkdir(dir, {recursive: true})
    return
  } catch (e) {
    let missing = dir
    for (let parent = dirname(missing); parent !== missing; missing = parent, parent = dirname(parent)) {
      const st = await stat(parent).catch(() => null)
      if (!st) continue
      if (!st.isDirectory()) throw new TcpError('io', `cannot create folder ${dir} for ${what} ${path}: ${parent} is not a folder`)
      try {
        await mkdir(missing)
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') e = e2
      }
      break
    }
    const err = fromSystemError(e, what, path)
    throw new TcpError('io', `cannot create folder ${dir}: ${err.code === 'not_found' ? (e as Error).message : err.message}`)
  }
}

// ---- temporary files ----
// Name: `.NAME.PID.RANDOM.tmp`. The pid lets a later writer tell a live writer's file from one a killed process left.

const TEMP_RE = /^\.(.+)\.(\d{1,10})\.[0-9a-f]{12}\.tmp$/

export function tempName(name: string): string {
  return `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
}

/** True when no process with this pid exists on this machine (EPERM: it exists under another user). */
export function pidIsDead(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Folders already swept by this process: a batch writing many files in one folder reads it once. */
const swept = new Set<string>()

/**
 * Removes temporaries that tcp left in `dir` when the process that wrote them is gone: regular files
 * named `.NAME.PID.RANDOM.tmp` (12 hex digits), owned by this user, whose PID is not a running process on this machine. A live
 * writer's file is never touched (a reused pid only keeps a stale file longer). Does NOT handle: a folder shared
 * between machines (a writer on another host has a pid that is not running here: its write then fails, it never
 * publishes a partial file), nor temporaries of the older `.NAME.RANDOM.tmp` form, which carry no pid.
 * Returns the names removed.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  const uid = process.getuid?.()
  for (const e of entries) {
    const m = TEMP_RE.exec(e)
    if (!m || Number(m[2]) === process.pid || !pidIsDead(Number(m[2]))) continue
    const p = join(dir, e)
    const st = await lstat(p).catch(() => null)
    if (!st || !st.isFile() || (uid !== undefined && st.uid !== uid)) continue
    await unlink(p).then(() => removed.push(e), () => {})
  }
  return removed
}

export async function syncDir(dir: string): Promise<void> {
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
  refuseDash(path, what, 'stdin')
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

export interface LineOptions {
  what?: string
  /** Longest line accepted, in characters (default 256 Mi): the only memory that grows with the input. */
  maxLine?: number
  /** Bytes read at a time (default 1 MiB). */
  chunk?: number
  /** Read only the bytes [start, end) (a range that starts at a line's first byte). */
  start?: number
  end?: number
}

/**
 * Calls `onLine(line, n)` for each line of a UTF-8 file (n from 1; the line without its "\n"; a last line without
 * a newline counts). Reads in chunks, so memory is bounded by the chunk and the longest line, not the file; a line
 * split across chunks is joined once (linear, however long). Invalid UTF-8 and over-long lines are input errors.
 */
export async function forEachLine(path: string, onLine: (line: string, n: number) => void, opts: LineOptions = {}): Promise<void> {
  const what = opts.what ?? 'input file'
  const maxLine = opts.maxLine ?? 256 * 1024 * 1024
  refuseDash(path, what, 'stdin')
  let fh: FileHandle
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw new TcpError('io', `${what} is a directory, expected a file: ${path}`)
    fh = await open(path, 'r')
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  // Drops a BOM at the start of the file, as readFileText does; a range starting later keeps one (it is data there).
  const dec = new TextDecoder('utf-8', {fatal: true, ignoreBOM: (opts.start ?? 0) > 0})
  const buf = Buffer.allocUnsafe(opts.chunk ?? 2 ** 20)
  let pos = opts.start ?? 0
  const end = opts.end ?? Infinity
  let pending: string[] = [] // pieces of the current line not yet ended
  let pendingLength = 0
  let n = 0
  const feed = (text: string) => {
    let start = 0
    for (;;) {
      const end = text.indexOf('\n', start)
      if (end < 0) break
      let line = text.slice(start, end)
      if (pending.length) {
        pending.push(line)
        line = pending.join('')
        pending = []
        pendingLength = 0
      }
      if (line.length > maxLine) throw new TcpError('input', `${what} ${path}:${n + 1}: line longer than ${maxLine} characters`)
      onLine(line, ++n)
      start = end + 1
    }
    if (start < text.length) {
      pending.push(text.slice(start))
      pendingLength += text.length - start
      if (pendingLength > maxLine) throw new TcpError('input', `${what} ${path}:${n + 1}: line longer than ${maxLine} characters`)
    }
  }
  try {
    for (;;) {
      let got: number
      try {
        got = (await fh.read(buf, 0, Math.min(buf.length, end - pos), pos)).bytesRead
        pos += got
      } catch (e) {
        throw fromSystemError(e, what, path)
      }
      let text: string
      try {
        text = dec.decode(buf.subarray(0, got), {stream: got > 0})
      } catch {
        throw new TcpError('input', `${what} ${path}: not valid UTF-8 (after line ${n})`)
      }
      feed(text)
      if (got === 0) break
    }
    if (pending.length) {
      const line = pending.join('')
      pending = []
      onLine(line, ++n)
    }
  } finally {
    await fh.close()
  }
}
