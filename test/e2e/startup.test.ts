// Start-up of the tcp process: bin/run.js loads @oclif/core as the one vendored file the build writes
// (dist/vendor/oclif-core.cjs), not as its 158 modules. bench/foundation.mjs measures the time; this checks the path.
import {it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {createRequire} from 'node:module'
import {ROOT, tcpProcess} from '../helpers/cli.js'

const loads = (stderr: string) => stderr.split('\n').filter((l) => /^MODULE \d+: load "/.test(l))

it('tcp verify loads @oclif/core from the vendored single file, built from the installed version', () => {
  const vendor = JSON.parse(readFileSync(join(ROOT, 'dist', 'vendor', 'oclif-core.json'), 'utf8'))
  assert.equal(vendor.version, createRequire(join(ROOT, 'bin', 'run.js'))('@oclif/core/package.json').version)
  const r = tcpProcess(['verify', '--help'], {env: {NODE_DEBUG: 'module'}})
  assert.equal(r.code, 0, r.stderr)
  const files = loads(r.stderr)
  assert.ok(files.some((l) => l.includes('dist/vendor/oclif-core.cjs')), 'the vendored copy is loaded')
  assert.deepEqual(files.filter((l) => l.includes('@oclif/core/lib/')), [], 'no module of the installed @oclif/core is loaded')
})

it('plugin commands (tcp help) share the vendored copy', () => {
  const r = tcpProcess(['help', 'verify'], {env: {NODE_DEBUG: 'module'}})
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /USAGE/)
  assert.deepEqual(loads(r.stderr).filter((l) => l.includes('@oclif/core/lib/')), [])
})
