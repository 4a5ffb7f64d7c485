#!/usr/bin/env node
// Build: TypeScript -> dist/, then regenerate oclif.manifest.json (a stale manifest hides new commands and a
// missing one doubles start-up time). Circuits are compiled by `npm run circuits` when the prove issue needs them.
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (n) => join(root, 'node_modules', '.bin', n)
const sh = (cmd, args) => {
  try {
    execFileSync(cmd, args, {cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}})
  } catch {
    console.error(`build: ${args[0] === 'manifest' ? 'oclif manifest' : `${cmd.split('/').at(-1)} ${args.at(-1)}`} failed (see above)`)
    process.exit(1)
  }
}

// `--clean` starts from an empty dist/ (a fresh clone has none). Without it tsc overwrites in place, so that
// parallel test runs never see dist/ missing.
if (process.argv.includes('--clean')) rmSync(join(root, 'dist'), {recursive: true, force: true})
sh(bin('tsc'), ['-p', 'tsconfig.json'])
sh(bin('oclif'), ['manifest'])
// @oclif/core as one file: bin/run.js puts it in the CommonJS cache in place of the 158 modules it loads otherwise
// (about a third of `tcp verify`'s start-up). Recorded with the version it was built from; bin/run.js uses it only
// while that is the installed version.
{
  const coreDir = dirname(createRequire(import.meta.url).resolve('@oclif/core/package.json'))
  const version = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')).version
  mkdirSync(join(root, 'dist', 'vendor'), {recursive: true})
  sh(bin('esbuild'), [join(coreDir, 'lib', 'index.js'), '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--log-level=warning', '--external:typescript', `--outfile=${join(root, 'dist', 'vendor', 'oclif-core.cjs')}`])
  writeFileSync(join(root, 'dist', 'vendor', 'oclif-core.json'), JSON.stringify({package: '@oclif/core', version}) + '\n')
}
// `--types` (prepack) also writes the library's declarations (dist/core/**/*.d.ts, package.json "types"); the
// everyday build skips them to stay fast.
if (process.argv.includes('--types')) sh(bin('tsc'), ['-p', 'tsconfig.types.json'])

