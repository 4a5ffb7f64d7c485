// Issue 9 item 9: adding a signature in place through a symbolic link updates the file the link points to, keeps
// the link, and says so.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

const {dir, cleanup} = tempDir('tcp-sign-link-')
after(cleanup)
const env = {TCP_NO_CONFIG: '1'}

describe('item 9: sign in place through a symlink', () => {
  it('follows the link, keeps it a link, and names the target', async () => {
    for (const who of ['alice', 'bob']) assert.equal((await tcp(['keys', 'generate', '--out', join(dir, who), '--unencrypted'], env)).code, 0)
    mkdirSync(join(dir, 'store'))
    writeFileSync(join(dir, 'report.txt'), 'report\n')
    const real = join(dir, 'store', 'report.dsse.json')
    assert.equal((await tcp(['sign', join(dir, 'report.txt'), '--key', join(dir, 'alice.key'), '--out', real], env)).code, 0)
    const link = join(dir, 'current.dsse.json')
    symlinkSync(join('store', 'report.dsse.json'), link)
    const r = await tcp(['sign', link, '--key', join(dir, 'bob.key'), '--pub', join(dir, 'alice.pub'), '--json'], env)
    assert.equal(r.code, 0, r.stderr)
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link')
    assert.equal(JSON.parse(readFileSync(real, 'utf8')).signatures.length, 2, 'the real envelope has both signatures')
    assert.equal(r.json().written.envelope, real)
    const text = await tcp(['verify', link, '--pub', join(dir, 'alice.pub'), '--pub', join(dir, 'bob.pub'), '--threshold', '2', '--file', join(dir, 'report.txt')], env)
    assert.equal(text.code, 0, text.stderr + text.stdout)
  })
  it('a dangling link is "not found", not a new file in its place', async () => {
    const link = join(dir, 'dangling.dsse.json')
    symlinkSync(join(dir, 'nowhere.dsse.json'), link)
    writeFileSync(join(dir, 'nowhere.dsse.json'), readFileSync(join(dir, 'store', 'report.dsse.json')))
    const {rmSync} = await import('node:fs')
    rmSync(join(dir, 'nowhere.dsse.json'))
    const r = await tcp(['sign', link, '--key', join(dir, 'bob.key')], env)
    assert.equal(r.code, 2)
    assert.ok(lstatSync(link).isSymbolicLink())
  })
})
