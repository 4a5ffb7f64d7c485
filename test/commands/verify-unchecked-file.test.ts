// A signed file's envelope verified without --file proves who signed which digest, not that the file on disk is that
// file. Review 2: `tcp verify fleet.jsonl.dsse.json --pub alice.pub` printed "verified ... statement ok" (exit 0)
// after fleet.jsonl had been changed. The exit stays 0 (the envelope is valid), but the report must say what it did
// not check, in text and in --json.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

describe('tcp verify of a signed file without --file', () => {
  const t = tempDir()
  after(t.cleanup)
  const p = (f: string) => join(t.dir, f)
  const env = {TCP_PASSPHRASE: 'unchecked'}

  it('says the file itself was not checked, and how to check it', async () => {
    assert.equal((await tcp(['keys', 'generate', '--out', p('alice')], env)).code, 0)
    writeFileSync(p('report.txt'), 'all good\n')
    assert.equal((await tcp(['sign', p('report.txt'), '--key', p('alice.key')], env)).code, 0)
    writeFileSync(p('report.txt'), 'all bad\n')
    const r = await tcp(['verify', p('report.txt.dsse.json'), '--pub', p('alice.pub')])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /not checked: the contents of report\.txt \(pass --file FILE to compare its SHA3-256\)/)
    const j = await tcp(['verify', p('report.txt.dsse.json'), '--pub', p('alice.pub'), '--json'])
    assert.deepEqual(j.json().report.notChecked, ['report.txt'])
    const f = await tcp(['verify', p('report.txt.dsse.json'), '--pub', p('alice.pub'), '--file', p('report.txt')])
    assert.equal(f.code, 1)
    writeFileSync(p('report.txt'), 'all good\n')
    const ok = await tcp(['verify', p('report.txt.dsse.json'), '--pub', p('alice.pub'), '--file', p('report.txt'), '--json'])
    assert.equal(ok.code, 0)
    assert.equal(ok.json().report.notChecked, undefined)
  })
})
