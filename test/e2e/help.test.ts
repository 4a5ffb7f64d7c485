// Help must teach: a description written with hard line breaks is reflowed, not wrapped twice into a ragged column
// of short lines (review 2: `tcp verify --help` printed "every check; it exits 0" alone on a line when piped).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {tcpProcess} from '../helpers/cli.js'
import {reflow} from '../../src/cli/help.js'

/** The DESCRIPTION section's paragraphs, as lists of lines. */
function paragraphs(help: string): string[][] {
  const d = help.slice(help.indexOf('DESCRIPTION\n') + 12, help.indexOf('\nEXAMPLES'))
  return d.split(/\n\s*\n/).map((p) => p.split('\n').filter((l) => l.trim()))
}

describe('help', () => {
  for (const argv of [['verify'], ['baseline', 'check'], ['log', 'append'], ['detect'], ['seal']]) {
    it(`${argv.join(' ')} --help: no line of a paragraph stops short of the width but its last`, () => {
      const r = tcpProcess([...argv, '--help'], {env: {COLUMNS: '80'}})
      assert.equal(r.code, 0, r.stderr)
      for (const p of paragraphs(r.stdout))
        for (const line of p.slice(0, -1)) assert.ok(line.length >= 55, `short line in ${argv.join(' ')} --help: "${line}"\n${r.stdout}`)
    })
  }

  it('reflow joins a paragraph\'s lines and keeps blank lines, list items, tables and indented lines', () => {
    assert.equal(reflow('a b\nc d\n\ne\n- f\n- g\n  h\n| i |\nk\n--saw x'), 'a b c d\n\ne\n- f\n- g\n  h\n| i |\nk --saw x')
  })
})
