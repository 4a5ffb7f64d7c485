// Configuration through cosmiconfig: a .tcprc.json (or the "tcp" key of package.json) gives the default signing
// key and trust directory; flags win; a bad configuration is a clear error.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdirSync, copyFileSync, writeFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir} from '../helpers/cli.js'

describe('configuration', () => {
  const t = tempDir()
  after(t.cleanup)
  const env = {TCP_PASSPHRASE: 'cfg', TCP_NO_CONFIG: ''}

  it('.tcprc.json supplies the key for sign and the trust directory for verify', () => {
    const run = (argv: string[]) => tcpProcess(argv, {cwd: t.dir, env})
    const g = run(['keys', 'generate', '--out', 'keys/ci'])
    assert.equal(g.code, 0, g.stderr)
    mkdirSync(join(t.dir, 'trust'))
    copyFileSync(join(t.dir, 'keys/ci.pub'), join(t.dir, 'trust/ci.pub'))
    writeFileSync(join(t.dir, '.tcprc.json'), JSON.stringify({key: 'keys/ci.key', trust: 'trust'}))
    writeFileSync(join(t.dir, 'note.txt'), 'hello\n')
    const s = run(['sign', 'note.txt'])
    assert.equal(s.code, 0, s.stderr)
    const v = run(['verify', 'note.txt.dsse.json', '--file', 'note.txt'])
    assert.equal(v.code, 0, v.stderr)
    // A subfolder finds the same configuration, paths relative to the file.
    mkdirSync(join(t.dir, 'sub'))
    assert.equal(tcpProcess(['verify', '../note.txt.dsse.json'], {cwd: join(t.dir, 'sub'), env}).code, 0)
    // Flags win: a foreign key fails even though the configuration trusts ours.
    run(['keys', 'generate', '--out', 'other'])
    assert.equal(run(['verify', 'note.txt.dsse.json', '--pub', 'other.pub']).code, 1)
  })

  it('a bad configuration is a one-line error with exit 2', () => {
    writeFileSync(join(t.dir, '.tcprc.json'), JSON.stringify({keyy: 'x'}))
    const r = tcpProcess(['verify', 'note.txt.dsse.json'], {cwd: t.dir, env})
    assert.equal(r.code, 2)
    assert.match(r.stderr, /unknown key "keyy"/)
    rmSync(join(t.dir, '.tcprc.json'))
  })
})
