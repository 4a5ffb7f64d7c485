// Installed as a user installs it: scripts/pack-check.mjs packs a fresh copy of the checkout (prepack must build
// dist/ and the manifest), installs the tarball into a temporary prefix, and runs tcp and the library by name from
// another folder (zk compile included: circom2 and circomlib must ship as dependencies), and validates a CI flow's
// --json documents against the schemas the package ships (tcp-toolkit/schemas/*). About 50 s on a quiet
// machine; `node scripts/pack-check.mjs --demo` adds the whole `tcp demo` (about 90 s more).
import {it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'

it('npm pack, npm install -g --prefix P, then tcp and import "tcp-toolkit" work from another folder', {timeout: 300_000}, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'pack-check.mjs')], {encoding: 'utf8', timeout: 290_000})
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /^pack check passed/m)
  for (const step of ['npm pack', 'npm install -g', 'tcp --version', 'tcp zk compile', "import 'tcp-toolkit'", 'tcp --json in a CI flow']) assert.match(r.stdout, new RegExp(`^ok   ${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'))
})
