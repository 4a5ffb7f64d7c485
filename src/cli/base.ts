/**
 * The base of every tcp command: --json on every command (errors too), one exit-code table (src/core/errors.ts),
 * progress on stderr only when stderr is a TTY, and lazily loaded configuration (cosmiconfig).
 *
 * Commands never call process.exit: they set the status through `this.status` (findings) or throw a TcpError,
 * and the process ends by itself once stdout is flushed.
 */
import {Command, Errors} from '@oclif/core'
import {EXIT, TcpError, type ExitCode} from '../core/errors.js'
import {basename} from 'node:path'
import {loadConfig, tildify, type TcpConfig} from './config.js'
import {output} from './output.js'
import {format} from 'node:util'

export interface Progress {
  update(text: string): void
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

const NO_PROGRESS: Progress = {update() {}, succeed() {}, fail() {}, stop() {}}

/** Maps anything thrown inside a command to a TcpError with the right exit class. */
export function toTcpError(err: unknown): TcpError {
  if (err instanceof TcpError) return err
  const e = err as {message?: string; oclif?: {exit?: number}; code?: string; name?: string}
  // TcpErrors from a second copy of the core (tests load src and dist) keep their code.
  if (e && e.name === 'TcpError' && typeof e.code === 'string' && typeof e.message === 'string')
    return new TcpError(e.code as TcpError['code'], e.message, (e as {details?: unknown}).details)
  const raw = typeof e?.message === 'string' ? e.message : String(err)
  // oclif parse errors (unknown flag, missing argument, exclusive or dependent flags) are usage errors. Their
  // messages span lines ("The following error occurred:" then the reasons): fold them into one line.
  if (e && e.oclif) {
    const parts = raw.split('\n').map((l) => l.trim()).filter((l) => l && !/^The following errors? occurred:$/.test(l) && !/^See more help with --help$/.test(l))
    return new TcpError('usage', parts.join('; '))
  }
  const msg = raw.split('\n')[0]!
  return new TcpError('internal', `unexpected error: ${msg}`)
}

/** The `type` of the --json document of every failure that is not a verdict (docs/json.md). */
export const ERROR_JSON_TYPE = 'tcp.error/v1'

/**
 * The `type` of a command's --json document: `tcp.<command id, its words joined by dots>/v<version>`, as the
 * artifacts name theirs (`tcp.log/v1`). docs/schemas/<type with / as .>.schema.json describes it.
 */
export function jsonTypeOf(id: string, version: number): string {
  return `tcp.${id.replace(/[ :]/g, '.')}/v${version}`
}

export function renderError(err: TcpError, json: boolean): string {
  if (json) {
    const body: Record<string, unknown> = {code: err.code, exitCode: err.exitCode, message: err.message}
    if (err.details !== undefined) body.details = err.details
    return JSON.stringify({type: ERROR_JSON_TYPE, error: body}, null, 2) + '\n'
  }
  return `tcp: error: ${printable(err.message.replace(/[\r\n]+/g, ' '))}\n`
}

/**
 * Text for a terminal: control characters other than newline and tab (ESC starts the sequences that move the
 * cursor, clear the screen or retitle the window) shown as \xNN. Messages quote file names and artifact fields,
 * which an attacker chooses: a report line must not be able to rewrite the lines above it.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

export abstract class TcpCommand extends Command {
  static override enableJsonFlag = true
  /** The version in this command's --json `type`; raise it when a member changes meaning or goes away. */
  static jsonVersion = 1
  /**
   * A command whose job is a verdict (tcp verify) returns `{report}` and, when it rejects (TcpError 'rejected' with
   * the report as details), prints the same document with the report in the same place plus `error`, not the
   * generic error document: a script reads `.report` whatever the outcome.
   */
  static reportOnRejection = false

  /** Exit status once run() returns normally: 0, or 3 when the job completed with findings. */
  protected status: ExitCode = EXIT.ok
  private configCache?: TcpConfig

  /**
   * User configuration: the working directory's data files (never its parents', never its code: a checkout's
   * tcp.config.mjs is reported on stderr and not run) and the user's config dir (src/cli/config.ts).
   */
  protected async tcpConfig(): Promise<TcpConfig> {
    if (!this.configCache) {
      this.configCache = await loadConfig(process.cwd(), {userDir: this.config.configDir})
      const ignored = this.configCache.ignoredCode
      if (ignored)
        this.note(`tcp: note: ${basename(ignored)} in the working directory was not executed (code configuration runs only from ${tildify(this.config.configDir)}; use .tcprc.json here)`)
      if (this.configCache.ignoredTcti)
        this.note(`tcp: note: the "tcti" of ${this.configCache.ignoredTcti} is ignored (a TCTI is taken only from --tcti, ${tildify(this.config.configDir)} or TPM2TOOLS_TCTI)`)
    }
    return this.configCache
  }

  /**
   * A spinner on stderr when stderr is a terminal with a width and --json is off; silent otherwise. A pseudo-terminal
   * of 0 columns (`script -qec` in CI) would make ora redraw without end.
   */
  protected async progress(text: string): Promise<Progress> {
    if (!process.stderr.isTTY || !(process.stderr.columns > 0) || this.jsonEnabled() || process.env.CI) return NO_PROGRESS
    const {default: ora} = await import('ora')
    const s = ora({text, stream: process.stderr}).start()
    return {
      update: (t) => void (s.text = t),
      succeed: (t) => void s.succeed(t),
      fail: (t) => void s.fail(t),
      stop: () => void s.stop(),
    }
  }

  /** A hint or progress line on stderr, never on stdout, never under --json. */
  protected note(text: string): void {
    if (!this.jsonEnabled()) output.err(printable(text) + '\n')
  }

  override log(message = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) output.out(printable(format(message, ...args)) + '\n')
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) output.err(printable(format(message, ...args)) + '\n')
  }

  override logJson(json: unknown): void {
    output.out(JSON.stringify(json, null, 2) + '\n')
  }

  /** This command's --json `type` (docs/json.md). */
  protected jsonType(): string {
    return jsonTypeOf(this.id ?? 'unknown', (this.constructor as typeof TcpCommand).jsonVersion)
  }

  /** Every --json document opens with its `type`; a result's own `type` member would replace it (a schema test
   * catches that: name such a member for what it is, e.g. `keyType`). */
  protected override toSuccessJson(result: unknown): unknown {
    return {type: this.jsonType(), ...(result as object)}
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    const tcpErr = toTcpError(err)
    if (tcpErr.code === 'internal' && process.env.TCP_DEBUG) output.err(String((err as Error).stack) + '\n')
    const json = this.argv.includes('--json')
    const ctor = this.constructor as typeof TcpCommand
    if (json && ctor.reportOnRejection && tcpErr.code === 'rejected' && tcpErr.details && typeof tcpErr.details === 'object')
      this.logJson({type: this.jsonType(), report: tcpErr.details, error: {code: tcpErr.code, exitCode: tcpErr.exitCode, message: tcpErr.message}})
    else if (json) output.out(renderError(tcpErr, true))
    else output.err(renderError(tcpErr, false))
    process.exitCode = tcpErr.exitCode
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await super.finally(err)
    if (!err && this.status !== EXIT.ok) process.exitCode = this.status
  }
}
