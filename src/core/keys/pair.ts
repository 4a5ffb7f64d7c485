/**
 * Replacing a key pair (PATH.key, PATH.pub) so that a crash at any instant leaves the old pair or the new pair.
 *
 * Two files cannot be renamed at once, so the private key file, which holds its own public key, is the record the
 * pair is rebuilt from, and a pending record marks a replacement in progress:
 *   1. the new private key is written (temporary file, fsync, rename) as `.NAME.key.next`: the pending record;
 *   2. PATH.pub is replaced (atomically) by the public key read back from the pending record;
 *   3. the pending record is renamed to PATH.key.
 * A crash before 1 completes leaves the old pair (and at most a temporary file that a later write removes). A crash
 * after 1 leaves the pending record: the next tcp command that touches the pair (keys generate/import, keys show,
 * reading PATH.key to sign or unseal) completes steps 2 and 3 first (roll forward) and then sees the new pair.
 * Between 2 and 3, PATH.pub is already the new public key while PATH.key is still the old private key, and the
 * pending record exists: that state is never final, and reading the key completes it.
 * One writer at a time: `.NAME.key.lock` (created with link(2), so it never exists half-written) holds the
 * writer's pid; a lock whose pid is not running on this machine is stale and is broken.
 * Does NOT guarantee: anything to a program that reads PATH.key and PATH.pub itself without tcp while a pending
 * record exists; exclusion between machines sharing a folder (pids are per machine).
 */
import {link, lstat, readFile, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {TcpError, fromSystemError} from '../errors.js'
import {pidIsDead, syncDir, writeFileAtomic} from '../io.js'
import {fromBase64} from '../bytes.js'
import {encodePublicKeyPem} from './pem.js'

export interface PairPaths {
  key: string
  pub: string
}

/** The pending record of an interrupted replacement of the key file `keyPath`. */
export function pendingPath(keyPath: string): string {
  return join(dirname(keyPath), `.${basename(keyPath)}.next`)
}

function lockPath(keyPath: string): string {
  return join(dirname(keyPath), `.${basename(keyPath)}.lock`)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Runs `fn` holding the pair's lock; waits up to `waitMs` for a live holder, breaks a dead holder's lock. */
export async function withPairLock<T>(keyPath: string, fn: () => Promise<T>, waitMs = 30_000): Promise<T> {
  const lock = lockPath(keyPath)
  const mine = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  await writeFileAtomic(mine, `${process.pid}\n`, {force: true, mode: 0o600, what: 'key lock'})
  const deadline = Date.now() + waitMs
  try {
    for (;;) {
      try {
        await link(mine, lock) // exclusive, and the lock is complete the moment it exists
        break
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fromSystemError(e, 'key lock', lock)
      }
      const holder = await readFile(lock, 'utf8').then((t) => Number(t.trim()), () => NaN)
      if (Number.isNaN(holder)) continue // released meanwhile
      if (pidIsDead(holder)) {
        await breakStaleLock(lock, holder)
        continue
      }
      if (Date.now() > deadline) throw new TcpError('io', `key pair ${keyPath} is being written by process ${holder} (lock ${lock}); try again when it has finished`)
      await sleep(20 + Math.random() * 30)
    }
  } finally {
    await unlink(mine).catch(() => {})
  }
  try {
    return await fn()
  } finally {
    await unlink(lock).catch(() => {})
  }
}

/**
 * Moves a dead holder's lock aside. If, between reading it and moving it, a live process took the lock, the moved
 * file names that process: it is put back (link refuses if yet another process took the lock meanwhile: that
 * three-way race is not handled).
 */
async function breakStaleLock(lock: string, deadPid: number): Promise<void> {
  const aside = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.tmp` // swept like a temporary if we die here
  try {
    await rename(lock, aside)
  } catch {
    return // someone else moved or released it
  }
  const moved = await readFile(aside, 'utf8').then((t) => Number(t.trim()), () => NaN)
  if (moved !== deadPid) await link(aside, lock).catch(() => {})
  await unlink(aside).catch(() => {})
}

/**
 * Completes an interrupted replacement (steps 2 and 3 above) if a pending record exists. Call with the lock held.
 * Returns true when it completed one.
 */
export async function completePair(paths: PairPaths): Promise<boolean> {
  const pending = pendingPath(paths.key)
  let text: string
  try {
    text = await readFile(pending, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw fromSystemError(e, 'pending key file', pending)
  }
  // Only a record this user wrote may replace the pair: in a folder others can add files to (a sticky /tmp, a
  // group-writable key folder) a planted `.NAME.key.next` would otherwise put its key in PATH.pub (and PATH.key).
  const why = await foreignRecord(pending)
  if (why) throw new TcpError('input', `pending key file ${pending} was not used: ${why}; remove it if you did not write it`)
  // The record was published by rename after an fsync: it is whole. Its public key is bound into the file (and
  // checked against the secret when the key is decrypted).
  const {parsePrivateKeyFile} = await import('./keys.js')
  const f = parsePrivateKeyFile(text, `pending key file ${pending}`)
  await writeFileAtomic(paths.pub, encodePublicKeyPem(f.type, fromBase64(f.publicKey)), {force: true, mode: 0o644, what: 'public key file'})
  try {
    await rename(pending, paths.key)
  } catch (e) {
    throw fromSystemError(e, 'key file', paths.key)
  }
  await syncDir(dirname(paths.key))
  return true
}

/** Rolls an interrupted replacement of the pair forward, under the lock. Cheap when there is none. */
export async function recoverPair(paths: PairPaths): Promise<boolean> {
  if (!(await exists(pendingPath(paths.key)))) return false
  return withPairLock(paths.key, () => completePair(paths))
}

/**
 * Replaces (or creates) the pair with `keyText`, a complete private key file, following the steps above.
 * Without force an existing PATH.key or PATH.pub (after recovery) is an 'exists' error and nothing changes.
 */
export async function replacePair(paths: PairPaths, keyText: string, force: boolean): Promise<void> {
  await withPairLock(paths.key, async () => {
    await completePair(paths)
    if (!force)
      for (const p of [paths.key, paths.pub])
        if (await exists(p)) throw new TcpError('exists', `key file already exists: ${p} (use --force to overwrite)`)
    await writeFileAtomic(pendingPath(paths.key), keyText, {force: true, mode: 0o600, what: 'key file'})
    await completePair(paths)
  })
}

/** Why a pending record is not this user's own (a link, another owner, writable by others), or undefined. */
async function foreignRecord(p: string): Promise<string | undefined> {
  const st = await lstat(p)
  if (!st.isFile()) return 'it is not a regular file (a symbolic link?)'
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not to you (uid ${uid})`
  if (st.mode & 0o022) return `it is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`
  return undefined
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p)
    return true
  } catch {
    return false
  }
}
