import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

describe('tcp redteam run', () => {
  const t = tempDir()
  after(t.cleanup)

  it('--json: the report with timings apart; --report writes the JSON, the SVG and the timings; exit 0 when every bound holds', async () => {
    const dir = join(t.dir, 'rep')
    const r = await tcp(['redteam', 'run', '--vector', 'tree-poisoning', '--agents', '400', '--quick', '--seed', '5', '--report', dir, '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const j = r.json()
    assert.equal(j.type, 'tcp.redteam.run/v1')
    assert.equal(j.report.type, 'tcp.redteam.report/v1')
    assert.equal(j.report.seed, 5)
    assert.equal(j.report.verdict, 'holds')
    assert.ok(j.timings.totalMs >= 0)
    const onDisk = JSON.parse(readFileSync(join(dir, 'redteam.json'), 'utf8'))
    assert.equal(onDisk.timings, undefined, 'the report file carries no timings')
    assert.deepEqual(onDisk, j.report, '--json carries the report as the file holds it')
    assert.deepEqual(j.written, {report: join(dir, 'redteam.json'), chart: join(dir, 'redteam.svg'), timings: join(dir, 'timings.json')})
    assert.match(readFileSync(join(dir, 'redteam.svg'), 'utf8'), /^<svg /)
    assert.ok(existsSync(join(dir, 'timings.json')))
  })

  it('refuses to overwrite a report without --force (exit 2), and overwrites with it', async () => {
    const dir = join(t.dir, 'rep')
    const r = await tcp(['redteam', 'run', '--vector', 'tree-poisoning', '--agents', '400', '--quick', '--seed', '5', '--report', dir])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /already exists/)
    const f = await tcp(['redteam', 'run', '--vector', 'tree-poisoning', '--agents', '400', '--quick', '--seed', '5', '--report', dir, '--force'])
    assert.equal(f.code, 0, f.stderr)
    assert.match(f.stdout, /^seed 5 /)
    assert.match(f.stdout, /attacks resisted with tcp's defences: \d+\/\d+/)
  })

  it('writes all three report files or none: an existing chart alone stops the run before it starts', async () => {
    const dir = join(t.dir, 'partial')
    mkdirSync(dir)
    writeFileSync(join(dir, 'redteam.svg'), 'mine')
    const r = await tcp(['redteam', 'run', '--vector', 'tree-poisoning', '--agents', '400', '--quick', '--seed', '5', '--report', dir])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /red-team report file already exists: .*redteam\.svg/)
    assert.equal(existsSync(join(dir, 'redteam.json')), false)
    assert.equal(readFileSync(join(dir, 'redteam.svg'), 'utf8'), 'mine')
  })

  it('bad input is exit 2 with a one-line message', async () => {
    const a = await tcp(['redteam', 'run', '--vector', 'nope'])
    assert.equal(a.code, 2)
    assert.match(a.stderr, /--vector: expected all or one of tree-poisoning, sub-threshold, temporal, clock-forgery, got "nope"/)
    const b = await tcp(['redteam', 'run', '--agents', '50', '--vector', 'temporal'])
    assert.equal(b.code, 2)
    assert.match(b.stderr, /--agents: expected an integer from 200/)
    const c = await tcp(['redteam', 'run', '--seed', 'x', '--vector', 'temporal'])
    assert.equal(c.code, 2)
  })
})
