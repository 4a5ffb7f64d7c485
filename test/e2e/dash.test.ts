// "-" means stdin/stdout where a command says so (tcp sample --out -, tcp log append --from -, tcp seal/unseal). Elsewhere it was a
// file named "-": review 2 ran `tcp unseal F --identity ops.key --out -` expecting the plaintext on stdout and got a
// file "-" in the working directory (exit 0), which the next `tcp seal - ...` then read as its input.
import {describe, it, after, before} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir} from '../helpers/cli.js'

describe('"-" where a command does not read stdin or write stdout', () => {
  const t = tempDir()
  after(t.cleanup)
  const env = {TCP_PASSPHRASE: 'dash dash dash'}
  const run = (argv: string[]) => tcpProcess(argv, {cwd: t.dir, env})

  before(() => {
    assert.equal(run(['keys', 'generate', '--out', 'ops', '--type', 'x25519']).code, 0)
    assert.equal(run(['keys', 'generate', '--out', 'alice']).code, 0)
    writeFileSync(join(t.dir, 'data.txt'), 'secret telemetry\n')
    assert.equal(run(['seal', 'data.txt', '--recipient', 'ops.pub', '--out', 'data.tcpseal']).code, 0)
    assert.equal(run(['sample', '--agents', '2', '--observations', '10', '--seed', '1', '--out', 'obs.jsonl']).code, 0)
  })

  it('seal and unseal stream "-" (stdout) and write no file named "-"', () => {
    const u = run(['unseal', 'data.tcpseal', '--identity', 'ops.key', '--out', '-'])
    assert.equal(u.code, 0, u.stderr)
    assert.equal(u.stdout, 'secret telemetry\n')
    const s = run(['seal', 'data.txt', '--recipient', 'ops.pub', '--out', '-'])
    assert.equal(s.code, 0, s.stderr)
    assert.match(s.stdout, /^age-encryption\.org\/v1\n/)
    assert.equal(existsSync(join(t.dir, '-')), false)
  })

  for (const argv of [
    ['sign', 'data.txt', '--key', 'alice.key', '--out', '-'],
    ['baseline', 'create', '--from', 'obs.jsonl', '--subject', 's', '--out', '-'],
  ]) {
    it(`tcp ${argv.join(' ')}: a one-line usage error (exit 2), no file named "-"`, () => {
      const r = run(argv)
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.match(r.stderr, /^tcp: error: .*"-" (is not stdout here|\(standard input or output\) is not supported here)[^\n]*\n$/)
      assert.equal(existsSync(join(t.dir, '-')), false)
    })
  }

  it('an input "-" is refused where it is not read as stdin (sign, verify)', () => {
    for (const argv of [['sign', '-', '--key', 'alice.key', '--out', 'x.dsse.json'], ['verify', '-', '--pub', 'alice.pub']]) {
      const r = run(argv)
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.match(r.stderr, /"-" (is not stdin here|\(standard input or output\) is not supported here)/, argv.join(' '))
    }
  })

  it('--out - with --json: one usage error document (exit 2), the same words for every command that streams', () => {
    for (const argv of [
      ['sample', '--agents', '2', '--observations', '10', '--seed', '1', '--out', '-'],
      ['seal', 'data.txt', '--recipient', 'ops.pub', '--out', '-'],
      ['unseal', 'data.tcpseal', '--identity', 'ops.key', '--out', '-'],
    ]) {
      const r = run([...argv, '--json'])
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.deepEqual(r.json().error, {code: 'usage', exitCode: 2, message: '--out - and --json both write standard output: choose one'}, argv[0])
    }
  })

  it('./- is still a file named "-"', () => {
    assert.equal(run(['unseal', 'data.tcpseal', '--identity', 'ops.key', '--out', './-']).code, 0)
    assert.equal(existsSync(join(t.dir, '-')), true)
  })
})
