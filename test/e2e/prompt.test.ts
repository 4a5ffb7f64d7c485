// The hidden passphrase prompt on a real terminal (a pseudo-terminal driven by python3's pty module): the
// passphrase is asked twice for a new key, never echoed, and a mismatch is a one-line error (exit 2).
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, tempDir, tcp} from '../helpers/cli.js'

const DRIVER = `
import os, pty, select, sys, time
answers = sys.argv[1].split(',')
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop('TCP_PASSPHRASE', None)
    os.execv('${process.execPath}', ['node', '${BIN}'] + sys.argv[2:])
out = b''
def pump(until, since):
    # Wait for 'until' to appear after offset 'since': the second prompt must be new output, not the first one.
    global out
    end = time.time() + 20
    while time.time() < end and until not in out[since:]:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
seen = 0
for a in answers:
    pump(b'assphrase: ', seen)
    seen = len(out)
    os.write(fd, a.encode() + b'\\r')
    pump(b'\\n', seen)
    seen = len(out)
end = time.time() + 20
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf-8', 'replace'))
sys.exit(os.WEXITSTATUS(status))
`

const hasPython = spawnSync('python3', ['-c', 'import pty']).status === 0

describe('passphrase prompt on a terminal', {skip: hasPython ? false : 'python3 with pty is not installed'}, () => {
  const t = tempDir()
  after(t.cleanup)
  const run = (answers: string[], argv: string[]) => spawnSync('python3', ['-c', DRIVER, answers.join(','), ...argv], {encoding: 'utf8', cwd: t.dir, env: {...process.env, TCP_PASSPHRASE: '', TCP_NO_CONFIG: '1'}})

  it('asks twice, hides what is typed, and the key opens with that passphrase', async () => {
    const r = run(['s3cret-typed', 's3cret-typed'], ['keys', 'generate', '--out', 'k'])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /New passphrase: /)
    assert.match(r.stdout, /Repeat passphrase: /)
    assert.ok(!r.stdout.includes('s3cret-typed'), 'the passphrase was echoed')
    assert.ok(existsSync(join(t.dir, 'k.key')))
    const {readPrivateKeyFile} = await import('../../src/core/keys/files.js')
    const k = await readPrivateKeyFile(join(t.dir, 'k.key'), async () => new TextEncoder().encode('s3cret-typed'))
    assert.equal(k.encrypted, true)
    assert.equal((await tcp(['sign', BIN, '--key', join(t.dir, 'k.key'), '--out', join(t.dir, 'x.dsse.json')], {TCP_PASSPHRASE: 'wrong'})).code, 2)
  })

  it('two different answers: one-line error, exit 2, no key written', () => {
    const r = run(['one', 'two'], ['keys', 'generate', '--out', 'k2'])
    assert.equal(r.status, 2, r.stdout)
    assert.match(r.stdout, /tcp: error: the two passphrases differ/)
    assert.ok(!existsSync(join(t.dir, 'k2.key')))
  })
})
