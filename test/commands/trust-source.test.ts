// baseline check names where its trusted keys came from (text and --json), as tcp verify does.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {ROOT, tcp, tempDir} from '../helpers/cli.js'

const SAMPLE = join(ROOT, 'examples', 'telemetry.jsonl')

describe('trust source in baseline check', () => {
  const t = tempDir()
  after(t.cleanup)
  const p = (n: string) => join(t.dir, n)
  const env = {TCP_PASSPHRASE: 'trust-source'}

  before(async () => {
    assert.equal((await tcp(['keys', 'generate', '--out', p('k')], env)).code, 0)
    assert.equal((await tcp(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/t', '--out', p('b.json')], env)).code, 0)
    assert.equal((await tcp(['sign', p('b.json'), '--key', p('k.key'), '--out', p('b.dsse.json')], env)).code, 0)
  })

  it('prints trust: --pub FILE and carries it in --json, whatever the verdict', async () => {
    const r = await tcp(['baseline', 'check', '--baseline', p('b.dsse.json'), '--window', SAMPLE, '--pub', p('k.pub')])
    assert.ok(r.code === 0 || r.code === 3, r.stderr)
    assert.match(r.stdout, new RegExp(`^trust: --pub ${p('k.pub')}$`, 'm'))
    const j = await tcp(['baseline', 'check', '--baseline', p('b.dsse.json'), '--window', SAMPLE, '--trust', t.dir, '--json'])
    assert.equal(j.json().trust, `--trust ${t.dir}`)
  })
})
