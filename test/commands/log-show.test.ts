// tcp log show on a file that is not a log at all (review 2: `tcp log show fleet.jsonl` described "agent ?, 0
// entries" with 720 format problems and exited 0). Not a log is bad input: one line, exit 2. A log with problems is
// still described (exit 0), as its page says.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {appendFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

describe('tcp log show', () => {
  const t = tempDir()
  after(t.cleanup)
  const p = (f: string) => join(t.dir, f)

  it('a file that is not a tcp.log/v1 log is an input error naming its first line', async () => {
    writeFileSync(p('obs.jsonl'), '{"agent":"a","time":"2026-01-01T00:00:00Z","x":1}\n{"agent":"a","time":"2026-01-01T00:01:00Z","x":2}\n')
    const r = await tcp(['log', 'show', p('obs.jsonl')])
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(r.stderr, /obs\.jsonl: not a tcp\.log\/v1 log \(line 1: .*\)\n$/)
    writeFileSync(p('garbage'), 'garbage\n')
    const g = await tcp(['log', 'show', p('garbage'), '--json'])
    assert.equal(g.code, 2)
    assert.equal(g.json().error.code, 'input')
  })

  it('a real log with a torn tail is still described (exit 0) and its problem named', async () => {
    const env = {TCP_PASSPHRASE: 'show show'}
    assert.equal((await tcp(['keys', 'generate', '--out', p('a1')], env)).code, 0)
    writeFileSync(p('o.jsonl'), '{"agent":"a1","time":"2026-01-01T00:00:00Z","x":1}\n')
    assert.equal((await tcp(['log', 'append', '--key', p('a1.key'), '--log', p('a1.log'), '--from', p('o.jsonl')], env)).code, 0)
    appendFileSync(p('a1.log'), '{"torn')
    const r = await tcp(['log', 'show', p('a1.log')])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /1 entries/)
    assert.match(r.stdout, /problems/)
  })
})
