#!/usr/bin/env node
// tcp entry point. Errors that escape a command (unknown command, bad topic) get the same one-line form and
// exit code 2 as errors inside commands; see src/cli/base.ts.
import {Errors, flush, run} from '@oclif/core'

try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  if (error instanceof Errors.ExitError || error?.code === 'EEXIT') {
    process.exitCode = error.oclif?.exit ?? 0
  } else {
    const message = String(error?.message ?? error).split('\n')[0]
    if (process.argv.includes('--json')) {
      process.stdout.write(JSON.stringify({error: {code: 'usage', exitCode: 2, message}}, null, 2) + '\n')
    } else {
      process.stderr.write(`tcp: error: ${message}\n`)
    }
    process.exitCode = 2
  }
}
