// End-to-end: the built bin/run.js as a whole process. Every exit code of the table, --json that parses (errors
// too), help that teaches, and the demo (its one run: the --json of tcp demo, docs/schemas/tcp.demo.v1).
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir, ROOT} from '../helpers/cli.js'
import {assertWrittenCovers, snapshot} from '../helpers/written.js'

const SAMPLE = join(ROOT, 'examples', 'telemetry.jsonl')

describe('tcp as a process', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  const env = {TCP_PASSPHRASE: 'e2e pass'}
  after(t.cleanup)

  before(() => {
    assert.equal(tcpProcess(['keys', 'generate', '--out', p('k')], {env}).code, 0)
    const rows = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const times = [...new Set(rows.map((r) => r.time))].sort()
    const cut = times[times.length / 2]
    writeFileSync(p('early.jsonl'), rows.filter((r) => r.time < cut).map((r) => JSON.stringify(r)).join('\n'))
    writeFileSync(p('late.jsonl'), rows.filter((r) => r.time >= cut).map((r) => JSON.stringify(r)).join('\n'))
    assert.equal(tcpProcess(['baseline', 'create', '--from', p('early.jsonl'), '--subject', 'fleet/e2e', '--out', p('b.json')]).code, 0)
    assert.equal(tcpProcess(['sign', p('b.json'), '--key', p('k.key'), '--out', p('b.dsse.json')], {env}).code, 0)
  })

  it('exit 0: verified, with --json that parses', () => {
    const r = tcpProcess(['verify', p('b.dsse.json'), '--pub', p('k.pub'), '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json().report.ok, true)
  })

  it('exit 1: a tampered envelope is rejected, the reason on stderr, JSON error under --json', () => {
    const env1 = JSON.parse(readFileSync(p('b.dsse.json'), 'utf8'))
    const body = Buffer.from(env1.payload, 'base64')
    body[body.length - 3]! ^= 1
    env1.payload = body.toString('base64')
    writeFileSync(p('tampered.json'), JSON.stringify(env1))
    const r = tcpProcess(['verify', p('tampered.json'), '--pub', p('k.pub')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^tcp: error: rejected: signatures: .*invalid/)
    assert.equal(r.stdout, '')
    const j = tcpProcess(['verify', p('tampered.json'), '--pub', p('k.pub'), '--json'])
    assert.equal(j.code, 1)
    assert.equal(j.json().error.exitCode, 1)
  })

  it('exit 2: usage and input errors are one line; unknown commands and flags too', () => {
    for (const argv of [['verify'], ['nosuch'], ['verify', p('b.dsse.json'), '--bogus'], ['verify', p('nope.json'), '--pub', p('k.pub')], ['keys', 'show', SAMPLE]]) {
      const r = tcpProcess(argv)
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^tcp: error: .+\n$/, argv.join(' '))
    }
    const j = tcpProcess(['verify', p('nope.json'), '--pub', p('k.pub'), '--json'])
    assert.equal(j.code, 2)
    assert.deepEqual([j.json().error.code, j.json().error.exitCode], ['not_found', 2])
  })

  it('exit 3: findings, with the report on stdout', () => {
    const r = tcpProcess(['baseline', 'check', '--baseline', p('b.dsse.json'), '--pub', p('k.pub'), '--window', p('late.jsonl'), '--agent', 'agent-05', '--json'])
    assert.equal(r.code, 3, r.stderr)
    assert.ok(r.json().deviating.length >= 1)
  })

  it('--help teaches: summary, flags and examples for every command', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
    const ids = Object.keys(manifest.commands)
    assert.ok(ids.includes('verify') && ids.includes('keys:generate'))
    for (const id of ['verify', 'sign', 'keys:generate', 'baseline:create', 'baseline:check', 'sample', 'demo']) {
      const r = tcpProcess([...id.split(':'), '--help'])
      assert.equal(r.code, 0, id)
      assert.match(r.stdout, /USAGE/, id)
      assert.match(r.stdout, /EXAMPLES/, id)
      assert.match(r.stdout, /--json/, id)
    }
    for (const [id, c] of Object.entries<any>(manifest.commands)) {
      assert.ok(c.summary || c.description, `${id} has no summary`)
      assert.ok(c.flags.json, `${id} has no --json`)
    }
  })

  it('tcp demo runs the main job end to end and exits 0; --json names the kept folder under written, and only it', () => {
    const before = snapshot(t.dir)
    const r = tcpProcess(['demo', '--dir', p('demo'), '--json'], {timeout: 600_000})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const j = r.json()
    assert.deepEqual(j.written, {dir: p('demo')})
    assertWrittenCovers(j, before, snapshot(t.dir))
    assert.equal(j.ok, true)
    for (const s of ['keys', 'baseline', 'verify', 'tamper', 'check']) assert.ok(j.steps.some((x: any) => x.step === s && x.ok), s)
    // The kept keys open with the passphrase file written beside them (owner-only), --json or not.
    assert.equal(statSync(p('demo/passphrase.txt')).mode & 0o777, 0o600)
    writeFileSync(p('note.txt'), 'signed with a kept demo key\n')
    const sg = tcpProcess(['sign', p('note.txt'), '--key', p('demo/keys/alice.key'), '--passphrase-file', p('demo/passphrase.txt'), '--json'])
    assert.equal(sg.code, 0, sg.stdout + sg.stderr)
  })
})
