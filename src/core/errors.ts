/**
 * The one error type of the toolkit and the one exit-code table (README, "Exit codes").
 *
 *   0 success
 *   1 checked and rejected (bad signature, proof, quote, policy)
 *   2 usage, input or I/O error
 *   3 completed with findings (a deviation, a leak, a safety violation)
 *
 * Every TcpError carries a code from the closed union below; the code decides the exit status, so a caller can
 * never produce "rejected" by accident from an I/O failure or the other way round.
 */

/** Codes whose exit status is 2: the input could not be used. */
export type InputErrorCode =
  | 'usage' // flags or arguments that do not fit together
  | 'input' // malformed input: bad JSON, a bad line, a wrong length
  | 'io' // a file that cannot be read or written
  | 'not_found' // a file or key that does not exist
  | 'exists' // refusing to overwrite without --force
  | 'passphrase' // missing or wrong passphrase
  | 'unsupported' // a key type, algorithm or artifact type tcp does not handle
  | 'dependency' // a system tool (tpm2-tools, swtpm) is missing or unreachable
  | 'internal' // a bug: should never be seen

/** Codes whose exit status is 1: the artifact was checked and rejected. */
export type RejectCode = 'rejected'

/** Codes whose exit status is 3: the job completed and found something. */
export type FindingCode = 'findings'

export type TcpErrorCode = InputErrorCode | RejectCode | FindingCode

export const EXIT = {ok: 0, rejected: 1, input: 2, findings: 3} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export function exitCodeOf(code: TcpErrorCode): ExitCode {
  if (code === 'rejected') return EXIT.rejected
  if (code === 'findings') return EXIT.findings
  return EXIT.input
}

export class TcpError extends Error {
  readonly code: TcpErrorCode
  /** Optional structured detail, rendered under --json (e.g. the failed checks of a verifier). */
  readonly details?: unknown

  constructor(code: TcpErrorCode, message: string, details?: unknown) {
    super(capMessage(message))
    this.name = 'TcpError'
    this.code = code
    if (details !== undefined) this.details = details
  }

  get exitCode(): ExitCode {
    return exitCodeOf(this.code)
  }
}

/** Longest message a TcpError carries; longer ones keep their head and tail (the field name and the path). */
export const MESSAGE_MAX = 1000

/**
 * The one place that bounds what an error repeats of its input: messages quote the bad value
 * (`JSON.stringify(v)`), and a 5 MB value must not become a 5 MB "one line". Cuts the middle, says how much.
 */
export function capMessage(message: string): string {
  if (message.length <= MESSAGE_MAX) return message
  const head = 600
  const tail = 300
  return `${message.slice(0, head)}...[${message.length - head - tail} characters cut]...${message.slice(-tail)}`
}

/** JSON.stringify(value) for a message, cut to `max` characters of the value first (so a huge value is never copied whole). */
export function quote(value: unknown, max = 200): string {
  if (typeof value === 'string' && value.length > max) return `${JSON.stringify(value.slice(0, max))}...(${value.length} characters)`
  const s = JSON.stringify(value) ?? String(value)
  return s.length > max + 2 ? `${s.slice(0, max)}...(${s.length} characters)` : s
}

export const isTcpError = (e: unknown): e is TcpError => e instanceof TcpError

/** Turns a Node system error (ENOENT, EACCES, ...) into a one-line TcpError that names the path. */
export function fromSystemError(e: unknown, what: string, path: string): TcpError {
  if (e instanceof TcpError) return e
  const err = e as NodeJS.ErrnoException
  if (err && err.code === 'ENOENT') return new TcpError('not_found', `${what} not found: ${path}`)
  if (err && err.code === 'EEXIST') return new TcpError('exists', `${what} already exists: ${path} (use --force to overwrite)`)
  if (err && (err.code === 'EACCES' || err.code === 'EPERM'))
    return new TcpError('io', `${what} is not accessible (permission denied): ${path}`)
  if (err && (err.code === 'ENOSPC' || err.code === 'EDQUOT')) return new TcpError('io', `${what} ${path}: disk full (${err.code === 'EDQUOT' ? 'quota exceeded' : 'no space left on device'})`)
  if (err && err.code === 'EROFS') return new TcpError('io', `${what} ${path}: read-only file system`)
  if (err && err.code === 'EISDIR') return new TcpError('io', `${what} is a directory, expected a file: ${path}`)
  const msg = err && typeof err.message === 'string' ? err.message : String(e)
  return new TcpError('io', `${what} ${path}: ${msg}`)
}
