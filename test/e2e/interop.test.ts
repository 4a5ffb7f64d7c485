// Streams, refusals of "-" and shell completion through the built bin/run.js; pipes with the age binary.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, tcpProcess, tempDir} from '../helpers/cli.js'

const hasAge = spawnSync('age', ['--version']).status === 0

describe('e2e: "-" and completion', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  it('cat f | tcp seal - -r R -o - | age -d -i id gives f back; age -e | tcp unseal - -o - too', {skip: hasAge ? false : 'age is not installed'}, () => {
    execFileSync('age-keygen', ['-o', p('id.txt')], {stdio: 'ignore'})
    const rec = execFileSync('age-keygen', ['-y', p('id.txt')]).toString().trim()
    const data = Buffer.alloc(300_000, 7)
    const sealed = spawnSync(process.execPath, [BIN, 'seal', '-', '-r', rec, '-o', '-'], {input: data})
    assert.equal(sealed.status, 0, sealed.stderr.toString())
    assert.match(sealed.stderr.toString(), /sealed 300000 bytes of -/)
    assert.ok(execFileSync('age', ['-d', '-i', p('id.txt')], {input: sealed.stdout}).equals(data))
    const theirs = execFileSync('age', ['-e', '-r', rec], {input: data})
    const opened = spawnSync(process.execPath, [BIN, 'unseal', '-', '-i', p('id.txt'), '-o', '-'], {input: theirs})
    assert.equal(opened.status, 0, opened.stderr.toString())
    assert.ok(opened.stdout.equals(data))
    // A tampered stream exits 1.
    const bad = Buffer.from(theirs)
    bad[bad.length - 3]! ^= 1
    assert.equal(spawnSync(process.execPath, [BIN, 'unseal', '-', '-i', p('id.txt'), '-o', '-'], {input: bad}).status, 1)
  })

  it('refuses "-" with exit 2 where it makes no sense, and --out - with --json', () => {
    writeFileSync(p('f'), 'x')
    for (const argv of [
      ['keys', 'import', '-', '--out', p('k')],
      ['sign', p('f'), '--key', p('nokey'), '-o', '-'],
      ['sign', '-', '--key', p('nokey')],
      ['verify', '-', '--pub', p('nopub')],
      ['keys', 'export', '-', '--format', 'pkcs8', '--out', p('e')],
      ['seal', p('f'), '-r', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', '-o', '-', '--json'],
      ['seal', '-', '--passphrase', '-o', p('s.age')],
      ['seal', p('f'), '-r', '-', '-o', p('s2.age')],
      ['unseal', p('f'), '-i', '-', '-o', p('u')],
    ]) {
      const r = tcpProcess(argv, {env: {...process.env, TCP_PASSPHRASE: ''}})
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}${r.stdout}`)
    }
    assert.equal(existsSync(join(process.cwd(), '-')), false)
  })

  it('bash and zsh completion scripts', () => {
    for (const shell of ['bash', 'zsh']) {
      const r = tcpProcess(['autocomplete', 'script', shell], {env: {...process.env, HOME: t.dir, XDG_CACHE_HOME: p('cache')}})
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /tcp/)
    }
    const b = tcpProcess(['autocomplete', 'bash'], {env: {...process.env, HOME: t.dir, XDG_CACHE_HOME: p('cache')}})
    assert.equal(b.code, 0, b.stderr)
    assert.ok(readFileSync(join(p('cache'), 'tcp', 'autocomplete', 'functions', 'bash', 'tcp.bash'), 'utf8').includes('seal'))
  })
})
