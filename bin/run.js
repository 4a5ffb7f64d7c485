#!/usr/bin/env node
// tcp entry point. Errors that escape a command (unknown command, bad topic) get the same one-line form and
// exit code 2 as errors inside commands; see src/cli/base.ts.
import {createRequire} from 'node:module'

// Start-up: @oclif/core is 158 CommonJS modules (a third of `tcp verify`'s time). The build writes it as one file
// (dist/vendor/oclif-core.cjs, scripts/build.mjs); put there in the require cache under the installed package's
// path, every `import '@oclif/core'` of this process (commands, plugins) gets that one copy. Used only when it was
// built from the installed version; anything amiss falls back to the installed package.
try {
  const require = createRequire(import.meta.url)
  const vendor = require('../dist/vendor/oclif-core.json')
  const main = require.resolve('@oclif/core')
  if (vendor.version === require('@oclif/core/package.json').version && !require.cache[main]) {
    const Module = require('node:module')
    const m = new Module(main)
    m.filename = main
    m.paths = Module._nodeModulePaths(main)
    m.exports = require('../dist/vendor/oclif-core.cjs')
    m.loaded = true
    require.cache[main] = m
  }
} catch {
  // no vendored copy (a checkout before its first build): the installed package
}

// A reader that stops early (`tcp sample --out - | head`): stdout fails with EPIPE and its final flush would never
// drain, leaving Node to exit 13 ("unsettled top-level await"). The reader has what it wanted: end quietly with the
// status so far (0 unless the command already set one). test/e2e/pipe.test.ts
process.stdout.on('error', (error) => {
  if (error?.code !== 'EPIPE') throw error
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
})

const {Errors, flush, run} = await import('@oclif/core')

try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  if (error instanceof Errors.ExitError || error?.code === 'EEXIT') {
    process.exitCode = error.oclif?.exit ?? 0
  } else {
    // Rendered as inside a command (src/cli/base.ts renderError): an error before any command runs is a usage error.
    const {renderError} = await import('../dist/cli/base.js')
    const {TcpError} = await import('../dist/core/errors.js')
    const json = process.argv.includes('--json')
    const out = renderError(new TcpError('usage', String(error?.message ?? error).split('\n')[0]), json)
    ;(json ? process.stdout : process.stderr).write(out)
    process.exitCode = 2
  }
}
