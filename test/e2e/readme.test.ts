// The README is the user's door: short, with the two set-up commands and the exit-code table, and every command
// line it shows is a real command with real flags. The command reference (docs/commands.md) is generated from the
// oclif manifest and must be current.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'
import {commandLines, loadManifest, scriptProblem, tcpInvocations, tcpProblem} from '../helpers/commands.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const manifest = loadManifest({plugins: false}) // the README's topics are tcp's own

describe('README', () => {
  it('is a short door page: at most 200 lines, the two set-up commands, the exit-code table', () => {
    assert.ok(readme.split('\n').length <= 200, `README.md has ${readme.split('\n').length} lines`)
    assert.match(readme, /npm ci && npm test/)
    assert.match(readme, /npm ci && npm run demo/)
    for (const code of ['| 0 |', '| 1 |', '| 2 |', '| 3 |']) assert.ok(readme.includes(code), code)
  })

  it('links only to pages that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^https?:/.test(l))
    assert.ok(links.length > 5)
    assert.deepEqual(links.filter((l) => !existsSync(join(ROOT, l))), [])
  })

  it('shows only real commands with real flags, and names every topic', () => {
    const ids = Object.keys(manifest.commands)
    const seen = tcpInvocations(commandLines(readme)) // the README's sh blocks
    assert.ok(seen.length >= 10, `only ${seen.length} tcp command lines`)
    assert.deepEqual(seen.map((words) => tcpProblem(manifest, words)).filter(Boolean), [])
    assert.deepEqual(commandLines(readme).map(scriptProblem).filter(Boolean), [], 'every npm run / node script it names exists')
    const topics = new Set(ids.map((id) => id.split(':')[0]!))
    const missing = [...topics].filter((t) => !readme.includes(`tcp ${t}`))
    assert.deepEqual(missing, [], 'every topic appears in the README tour')
  })

  it('docs/commands.md is generated from the current manifest (node scripts/commands-doc.mjs --check)', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'commands-doc.mjs'), '--check'], {stdio: 'pipe'})
    const ref = readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8')
    for (const id of Object.keys(manifest.commands)) assert.ok(ref.includes(`## tcp ${id.replaceAll(':', ' ')}`), id)
  })
})
