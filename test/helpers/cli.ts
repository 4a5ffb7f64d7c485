// Two ways to run tcp in tests: in process (oclif run against the built dist/, stdout and stderr captured, the exit
// code read from process.exitCode) and as a whole process through the built bin/run.js (end-to-end).
import {spawnSync, type SpawnSyncOptions} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {run} from '@oclif/core'
// The same module instance oclif loads for the commands (dist/), so the sink set here is the one they use.
import {setSink} from '../../dist/cli/output.js'
import {checkJsonOutput} from './json.js'

export const ROOT = join(import.meta.dirname, '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  stdout: string
  stderr: string
  code: number
  /** stdout parsed as JSON (throws if it is not). */
  json<T = any>(): T
}

function result(stdout: string, stderr: string, code: number): CliResult {
  return {
    stdout,
    stderr,
    code,
    json() {
      try {
        return JSON.parse(stdout)
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`)
      }
    },
  }
}

let queue: Promise<unknown> = Promise.resolve()

/** Runs `tcp ...argv` in this process. Calls are serialised: they share process.stdout and process.exitCode. */
export function tcp(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const job = queue.then(async () => {
    const out: string[] = []
    const err: string[] = []
    const saved: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k]
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    process.exitCode = 0
    const restore = setSink({out: (t) => void out.push(t), err: (t) => void err.push(t)})
    let code: number
    try {
      await run(argv, ROOT)
      code = Number(process.exitCode ?? 0)
    } catch (e: any) {
      code = e?.oclif?.exit ?? 2
      err.push(String(e?.message ?? e))
    } finally {
      restore()
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
      process.exitCode = 0
    }
    checkJsonOutput(argv, out.join(''))
    return result(out.join(''), err.join(''), code)
  })
  queue = job.catch(() => {})
  return job
}

/** Runs the built bin/run.js as a child process. */
export function tcpProcess(argv: string[], opts: SpawnSyncOptions & {input?: string | Uint8Array} = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    encoding: 'utf8',
    ...opts,
    env: {...process.env, TCP_NO_CONFIG: '1', ...(opts.env ?? {})},
  })
  checkJsonOutput(argv, String(r.stdout ?? ''))
  return result(String(r.stdout ?? ''), String(r.stderr ?? ''), r.status ?? -1)
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'tcp-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}
