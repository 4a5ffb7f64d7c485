/** "-" on the command line: standard input and output as byte streams (the CLI layer owns the process streams). */
import {readableSource, writableSink} from '../core/seal/stdio.js'
import {TcpError} from '../core/errors.js'

export const stdio = {stdin: () => readableSource(process.stdin), stdout: () => writableSink(process.stdout)}

/** Refuses --out - under --json (exit 2): the data and the document would share standard output. */
export function noDashWithJson(out: string | undefined, json: boolean): void {
  if (out === '-' && json) throw new TcpError('usage', '--out - and --json both write standard output: choose one')
}

/** Refuses "-" where a command needs a real path (exit 2), instead of writing a file named "-". */
export function noDash(value: string | undefined, flag: string): void {
  if (value === '-') throw new TcpError('usage', `${flag}: "-" (standard input or output) is not supported here; give a file path`)
}
