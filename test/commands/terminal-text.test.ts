// Messages quote file names and artifact fields an attacker chooses: printed to a terminal, their control
// characters (ESC sequences clear the screen, move the cursor, rewrite earlier lines) are shown as \xNN.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir} from '../helpers/cli.js'
import {printable} from '../../src/cli/base.js'

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

describe('terminal text', () => {
  const t = tempDir()
  after(t.cleanup)

  it('an error quoting an attacker-chosen name or field carries no control character (exit code kept)', () => {
    const missing = tcpProcess(['verify', join(t.dir, 'x\x1b[2J\x1b[1Averified ok\x07')])
    assert.equal(missing.code, 2)
    assert.doesNotMatch(missing.stderr, CONTROL)
    assert.match(missing.stderr, /x\\x1b\[2J\\x1b\[1Averified ok\\x07/)
    writeFileSync(join(t.dir, 'e.json'), JSON.stringify({payloadType: 'a\x1b]0;owned\x07', payload: '', signatures: [{keyid: 'k\x1b[31m', sig: ''}]}))
    const bad = tcpProcess(['verify', join(t.dir, 'e.json')])
    assert.ok(bad.code === 1 || bad.code === 2, bad.stderr)
    assert.doesNotMatch(bad.stderr + bad.stdout, CONTROL)
  })

  it('a report line naming an output path carries none either', () => {
    const r = tcpProcess(['keys', 'generate', '--out', join(t.dir, 'k\x1b[2Jey')], {env: {TCP_PASSPHRASE: 'p'}})
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stdout + r.stderr, CONTROL)
    assert.match(r.stdout, /k\\x1b\[2Jey/)
  })

  it('printable keeps newlines, tabs and text, escapes the rest', () => {
    assert.equal(printable('a\tb\nc é ✓'), 'a\tb\nc é ✓')
    assert.equal(printable('\x1b[0m\x00\x7f\x9b'), '\\x1b[0m\\x00\\x7f\\x9b')
  })
})
