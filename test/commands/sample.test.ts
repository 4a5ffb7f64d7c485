import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

describe('tcp sample', () => {
  const t = tempDir()
  after(t.cleanup)

  it('same seed, same bytes; another seed, other bytes', async () => {
    const a = join(t.dir, 'a.jsonl')
    const b = join(t.dir, 'b.jsonl')
    const c = join(t.dir, 'c.jsonl')
    for (const [out, seed] of [[a, '42'], [b, '42'], [c, '43']] as const) {
      const r = await tcp(['sample', '--agents', '4', '--observations', '20', '--compromised', '1', '--seed', seed, '--out', out])
      assert.equal(r.code, 0, r.stderr)
    }
    assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'))
    assert.notEqual(readFileSync(a, 'utf8'), readFileSync(c, 'utf8'))
    assert.equal(readFileSync(a, 'utf8').trim().split('\n').length, 80)
  })

  it('--json reports the seed and the compromised agents', async () => {
    const r = await tcp(['sample', '--agents', '5', '--observations', '4', '--compromised', '2', '--seed', '9', '--out', join(t.dir, 'j.jsonl'), '--json'])
    assert.equal(r.code, 0)
    const j = r.json()
    assert.equal(j.seed, 9)
    assert.equal(j.compromisedAgents.length, 2)
  })

  it('refuses to overwrite without --force, and bad seeds are usage errors (exit 2)', async () => {
    const p = join(t.dir, 'x.jsonl')
    assert.equal((await tcp(['sample', '--seed', '1', '--out', p])).code, 0)
    const again = await tcp(['sample', '--seed', '2', '--out', p])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /already exists/)
    assert.equal((await tcp(['sample', '--seed', '2', '--out', p, '--force'])).code, 0)
    const bad = await tcp(['sample', '--seed', 'nope', '--out', p, '--json'])
    assert.equal(bad.code, 2)
    assert.equal(bad.json().error.code, 'usage')
    assert.equal((await tcp(['sample', '--compromised', '9', '--agents', '2', '--out', p, '--force'])).code, 2)
  })

  it('--truth - is refused (exit 2) before the telemetry is written: no data file without its truth', async () => {
    const out = join(t.dir, 'no-truth.jsonl')
    const r = await tcp(['sample', '--scenario', 'sleeper', '--agents', '10', '--observations', '20', '--seed', '1', '--out', out, '--truth', '-', '--json'])
    assert.equal(r.code, 2, r.stdout)
    assert.match(r.json().error.message, /^--truth: "-"/)
    assert.equal(existsSync(out), false)
  })
})
