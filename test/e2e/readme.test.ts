// The README is the user's door: it must include every topic's current section and name every command.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'

describe('README', () => {
  it('includes the current docs/readme sections (node scripts/readme.mjs --check)', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'readme.mjs'), '--check'], {stdio: 'pipe'})
  })

  it('shows every command with an example, and the exit-code table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
    const missing = Object.keys(manifest.commands).filter((id) => !readme.includes(`tcp ${id.replaceAll(':', ' ')}`))
    assert.deepEqual(missing, [])
    for (const code of ['| 0 |', '| 1 |', '| 2 |', '| 3 |']) assert.ok(readme.includes(code), code)
    assert.match(readme, /npm ci && npm test/)
    assert.match(readme, /npm ci && npm run demo/)
  })
})
