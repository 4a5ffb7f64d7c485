// tcp verify --batch refuses flags that do not apply to it (exit 2), as a single artifact does: a CI script must
// never believe that a nonce, a policy, a PCR selection or a pinned key was checked when it was not.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

describe('tcp verify --batch: foreign flags', () => {
  const t = tempDir()
  after(t.cleanup)
  const p = (n: string) => join(t.dir, n)
  const env = {TCP_PASSPHRASE: 'batch'}

  before(async () => {
    assert.equal((await tcp(['keys', 'generate', '--out', p('k')], env)).code, 0)
    writeFileSync(p('a.txt'), 'a\n')
    assert.equal((await tcp(['sign', p('a.txt'), '--key', p('k.key')], env)).code, 0)
    writeFileSync(p('batch.jsonl'), JSON.stringify(JSON.parse(readFileSync(p('a.txt.dsse.json'), 'utf8'))) + '\n')
  })

  it('verifies the batch with the flags that apply, and names the trust', async () => {
    const r = await tcp(['verify', '--batch', p('batch.jsonl'), '--pub', p('k.pub'), '--threshold', '1', '--at', '2030-01-01T00:00:00Z', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json().report.verified, 1)
    assert.equal(r.json().report.trust, `--pub ${p('k.pub')}`)
  })

  for (const flag of [['--nonce', '00112233445566778899'], ['--policy', 'p.json'], ['--pcrs', 'sha256:0'], ['--vkey', 'v.json'], ['--k', '2'], ['--ak', 'ak.pem'], ['--file', 'a.txt'], ['--previous', 'b.json'], ['--baseline', 'b.json'], ['--vkey-sha3', 'ab']]) {
    it(`refuses ${flag[0]} (exit 2, naming the flag)`, async () => {
      const r = await tcp(['verify', '--batch', p('batch.jsonl'), '--pub', p('k.pub'), ...flag])
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.match(r.stderr, new RegExp(`${flag[0]} does not apply to --batch`))
    })
  }
})
