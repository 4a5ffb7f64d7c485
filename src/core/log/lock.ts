/**
 * One appender per log at a time. Two appenders that both read the log's head and then both write entries with the
 * same sequence numbers leave a log whose committed part no longer verifies, and that neither append nor --repair
 * can extend again. The lock is LOG.lock (beside the log's real path, so a symlink and its target share it), made
 * atomically with the holder's pid in it (written to a unique file, then hard-linked into place, which fails when the
 * lock exists). A lock whose pid no longer runs (an appender killed mid-write) is taken over; a live one refuses.
 *
 * Does NOT guarantee: exclusion across machines sharing a network file system, against a pid reused by an unrelated
 * process, or between two processes taking over the same stale lock in the same instant.
 */
import {linkSync, readFileSync, realpathSync, unlinkSync, writeFileSync} from 'node:fs'
import {TcpError, fromSystemError} from '../errors.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function lockPathOf(log: string): string {
  try {
    return realpathSync(log) + '.lock'
  } catch {
    return log + '.lock'
  }
}

const unlinkQuietly = (p: string): void => {
  try {
    unlinkSync(p)
  } catch {
    // already gone
  }
}

/** Runs `fn` holding the log's lock; refuses (TcpError 'io') while another live process holds it. */
export function withLogLock<T>(log: string, fn: () => T): T {
  const lock = lockPathOf(log)
  const mine = `${lock}.${process.pid}.${Date.now()}`
  try {
    writeFileSync(mine, String(process.pid), {flag: 'wx'})
  } catch (e) {
    throw fromSystemError(e, 'log', log)
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, lock)
        break
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw fromSystemError(e, 'log lock', lock)
      }
      let pid = NaN
      try {
        pid = Number(readFileSync(lock, 'utf8').trim())
      } catch {
        continue // released meanwhile
      }
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid))
        throw new TcpError('io', `log ${log} is being appended by process ${pid} (lock ${lock}): run one appender per log`)
      unlinkQuietly(lock) // stale: its appender is gone
    }
  } finally {
    unlinkQuietly(mine)
  }
  try {
    return fn()
  } finally {
    unlinkQuietly(lock)
  }
}
