/**
 * File I/O with the toolkit's guarantees: writes are atomic (temporary file in the same folder, fsync, rename), an
 * existing file is never replaced unless `force` is set, and every failure is a one-line TcpError naming the path.
 * What it does NOT guarantee: durability of the parent directory entry on every filesystem (the directory is fsynced
 * where the platform allows it).
 */
import {closeSync, fsyncSync, openSync, constants as fsConstants} from 'node:fs'
import {link, mkdir, open, readFile, rename, stat, unlink} from 'node:fs/promises'
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

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, fsConstants.O_RDONLY)
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** Writes `data` to `path` atomically. With force unset, a concurrent creator of `path` also wins (link(2) is exclusive). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, opts: WriteOptions = {}): Promise<void> {
  const what = opts.what ?? 'output file'
  const mode = opts.mode ?? 0o644
  if (!opts.force) {
    try {
      await stat(path)
      throw new TcpError('exists', `${what} already exists: ${path} (use --force to overwrite)`)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(e, what, path)
    }
  }
  const dir = dirname(path)
  try {
    await mkdir(dir, {recursive: true})
  } catch (e) {
    throw fromSystemError(e, 'output folder', dir)
  }
  const tmp = tmpName(path)
  try {
    const fh = await open(tmp, 'wx', mode)
    try {
      await fh.writeFile(data)
      await fh.chmod(mode) // the umask may have narrowed or widened nothing; make the mode exact
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (opts.force) await rename(tmp, path)
    else {
      await link(tmp, path) // fails with EEXIST if someone created path meanwhile
      await unlink(tmp)
    }
    fsyncDir(dir)
  } catch (e) {
    await unlink(tmp).catch(() => {})
    throw fromSystemError(e, what, path)
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
