/**
 * Runs tpm2-tools 5.x (Debian package `tpm2-tools`) as child processes, never through a shell: arguments are
 * passed as an array, the TCTI through the TPM2TOOLS_TCTI environment variable of the child only.
 *
 * Errors: a missing tool is TcpError('dependency') naming the package; a TCTI that does not load or a TPM that does
 * not answer is TcpError('dependency') naming the TCTI; any other failure is a TpmToolError carrying the tool's
 * last ERROR line, which the caller maps to its own meaning (e.g. activation refused -> 'rejected').
 */
import {execFile} from 'node:child_process'
import {TcpError} from '../../errors.js'

export const DEFAULT_TCTI = 'device:/dev/tpmrm0'

/** --tcti flag, then configuration, then TPM2TOOLS_TCTI, then the kernel resource manager. */
export function resolveTcti(flag?: string, config?: string, env: NodeJS.ProcessEnv = process.env): string {
  const t = flag ?? config ?? env.TPM2TOOLS_TCTI ?? DEFAULT_TCTI
  if (!/^[a-z0-9-]+(:.*)?$/i.test(t)) throw new TcpError('usage', `tcti: expected NAME[:CONFIG] (e.g. swtpm:host=127.0.0.1,port=2321), got ${JSON.stringify(t)}`)
  return t
}

export class TpmToolError extends TcpError {
  constructor(
    readonly tool: string,
    readonly reason: string,
    readonly stderr: string,
  ) {
    super('dependency', `${tool}: ${reason}`)
  }
}

export interface ToolRun {
  stdout: string
  stderr: string
  /** Wall time of the child process, milliseconds. */
  ms: number
}

/** Time spent in tpm2-tools child processes since the last reset (benchmarks report the share of process start). */
export const toolTimes: Array<{tool: string; ms: number}> = []

function lastError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const errs = lines.filter((l) => l.startsWith('ERROR:') && !l.startsWith('ERROR:esys') && !l.startsWith('ERROR:tcti'))
  const pick = errs.find((l) => /\(0x[0-9a-f]+\)/i.test(l)) ?? errs[0] ?? lines.at(-1) ?? 'failed'
  return pick.replace(/^ERROR:\s*/, '')
}

export interface RunOptions {
  tcti: string
  /** Run without a TPM (`-T none`) for tools that support it (tpm2_makecredential). */
  noTpm?: boolean
  timeoutMs?: number
}

/** Runs `tool args...` with the TCTI; resolves with its output or throws a TcpError as described above. */
export function runTool(tool: string, args: string[], opts: RunOptions): Promise<ToolRun> {
  const env: NodeJS.ProcessEnv = {...process.env, TPM2TOOLS_TCTI: opts.tcti}
  if (opts.noTpm) delete env.TPM2TOOLS_TCTI
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    execFile(tool, args, {env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8'}, (err, stdout, stderr) => {
      const ms = performance.now() - t0
      toolTimes.push({tool, ms})
      if (!err) return resolve({stdout, stderr, ms})
      const e = err as NodeJS.ErrnoException & {killed?: boolean}
      if (e.code === 'ENOENT')
        return reject(new TcpError('dependency', `tpm2-tools is not installed (${tool} not found on PATH): install the package tpm2-tools (apt-get install tpm2-tools)`))
      if (e.killed) return reject(new TcpError('dependency', `${tool}: no answer from the TPM at TCTI "${opts.tcti}" within ${(opts.timeoutMs ?? 30_000) / 1000} s`))
      if (/Could not load tcti|Failed to instantiate TCTI|Cannot connect to swtpm|Failed to open specified TCTI device|tcti.*(Connection refused|Broken pipe)/i.test(stderr))
        return reject(new TcpError('dependency', `cannot reach the TPM through TCTI "${opts.tcti}" (${tool}: ${firstTctiLine(stderr)}); set --tcti, the "tcti" configuration key or TPM2TOOLS_TCTI`))
      reject(new TpmToolError(tool, lastError(stderr), stderr))
    })
  })
}

function firstTctiLine(stderr: string): string {
  const l = stderr.split('\n').find((x) => /Failed to connect|Failed to open|Connection refused|No such file/i.test(x)) ?? stderr.split('\n')[0] ?? ''
  return l.replace(/^.*?\(\)\s*/, '').trim()
}
