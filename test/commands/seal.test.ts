// tcp seal / tcp unseal in process: key files, passphrases, --json, and every exit code (0, 1 rejected, 2 input).
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir, ROOT} from '../helpers/cli.js'

const SAMPLE = join(ROOT, 'examples', 'telemetry.jsonl')
const NO_PASS = {TCP_PASSPHRASE: undefined}

describe('tcp seal / unseal', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  before(async () => {
    for (const n of ['ops', 'backup', 'other'])
      assert.equal((await tcp(['keys', 'generate', '--out', p(n), '--type', 'x25519', '--unencrypted'])).code, 0)
    assert.equal((await tcp(['keys', 'generate', '--out', p('signer'), '--unencrypted'])).code, 0)
  })

  it('seals to two recipients; each unseals the same bytes; --json describes both ends', async () => {
    const s = await tcp(['seal', SAMPLE, '-r', p('ops.pub'), '-r', p('backup.pub'), '--out', p('t.sealed'), '--json'])
    assert.equal(s.code, 0, s.stdout + s.stderr)
    const sj = s.json()
    assert.deepEqual([sj.mode, sj.recipients, sj.recipientKeyIds.length], ['x25519', 2, 2])
    assert.equal(sj.plaintextBytes, statSync(SAMPLE).size)
    assert.equal(sj.sealedBytes, statSync(p('t.sealed')).size)
    for (const who of ['ops', 'backup']) {
      const u = await tcp(['unseal', p('t.sealed'), '--identity', p(`${who}.key`), '--out', p(`${who}.out`), '--json'])
      assert.equal(u.code, 0, u.stdout + u.stderr)
      assert.equal(u.json().plaintextBytes, sj.plaintextBytes)
      assert.match(u.json().identityKeyId, /^[0-9a-f]{16}$/)
      assert.ok(readFileSync(p(`${who}.out`)).equals(readFileSync(SAMPLE)))
    }
    const text = await tcp(['unseal', p('t.sealed'), '-i', p('ops.key'), '-o', p('ops2.out')])
    assert.match(text.stdout, /^unsealed .* with identity [0-9a-f]{16}: .*ops2\.out \(\d+ bytes, \d+ chunks? authenticated\)\n$/)
  })

  it('exit 1 for a tampered, truncated or extended file and for a wrong identity; no output appears', async () => {
    const sealed = readFileSync(p('t.sealed'))
    const cases: Array<[string, Buffer, RegExp]> = [
      ['flip.sealed', Buffer.from(sealed).fill(sealed[sealed.length - 5]! ^ 1, sealed.length - 5, sealed.length - 4), /failed authentication/],
      ['cut.sealed', sealed.subarray(0, sealed.length - 1), /failed authentication|truncated/],
      ['more.sealed', Buffer.concat([sealed, Buffer.from('x')]), /failed authentication|appended/],
    ]
    for (const [name, bytes, why] of cases) {
      writeFileSync(p(name), bytes)
      const r = await tcp(['unseal', p(name), '-i', p('ops.key'), '-o', p(`${name}.out`), '--json'])
      assert.equal(r.code, 1, name)
      assert.equal(r.json().error.code, 'rejected')
      assert.match(r.json().error.message, why)
      assert.throws(() => statSync(p(`${name}.out`)), /ENOENT/)
    }
    const wrong = await tcp(['unseal', p('t.sealed'), '-i', p('other.key'), '-o', p('w.out')])
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /^tcp: error: no recipient stanza \(X25519\) opens with identity [0-9a-f]{16}/)
  })

  it('exit 2: Ed25519 keys named as such, not a sealed file, missing files, existing output, flag misuse', async () => {
    const ed = await tcp(['seal', SAMPLE, '-r', p('signer.pub'), '-o', p('e.sealed'), '--json'])
    assert.equal(ed.code, 2)
    assert.equal(ed.json().error.code, 'unsupported')
    assert.match(ed.json().error.message, /recipient .*signer\.pub: an Ed25519 signing key \([0-9a-f]{16}\) cannot receive sealed files/)
    const edId = await tcp(['unseal', p('t.sealed'), '-i', p('signer.key'), '-o', p('e.out')])
    assert.equal(edId.code, 2)
    assert.match(edId.stderr, /Ed25519 signing key .* cannot open sealed files/)
    const plain = await tcp(['unseal', SAMPLE, '-i', p('ops.key'), '-o', p('x.out'), '--json'])
    assert.equal(plain.code, 2)
    assert.match(plain.json().error.message, /not an age file/)
    assert.equal((await tcp(['seal', p('missing'), '-r', p('ops.pub'), '-o', p('m.sealed')])).code, 2)
    assert.equal((await tcp(['seal', SAMPLE, '-r', p('missing.pub'), '-o', p('m.sealed')])).code, 2)
    const exists = await tcp(['seal', SAMPLE, '-r', p('ops.pub'), '-o', p('t.sealed')])
    assert.equal(exists.code, 2)
    assert.match(exists.stderr, /already exists.*--force/)
    assert.equal((await tcp(['seal', SAMPLE, '-r', p('ops.pub'), '-o', p('t.sealed'), '--force'])).code, 0)
    for (const argv of [
      ['seal', SAMPLE, '-o', p('n.sealed')],
      ['seal', SAMPLE, '-r', p('ops.pub'), '--passphrase', '-o', p('n.sealed')],
      ['seal', SAMPLE, '-r', p('ops.pub')],
      ['unseal', p('t.sealed'), '-o', p('n.out')],
      ['unseal', p('t.sealed'), '-i', p('ops.key'), '--passphrase', '-o', p('n.out')],
    ]) {
      const r = await tcp([...argv, '--json'], NO_PASS)
      assert.equal(r.code, 2, argv.join(' '))
      assert.equal(r.json().error.code, 'usage', argv.join(' '))
    }
  })

  it('--passphrase: TCP_PASSPHRASE or --passphrase-file; wrong passphrase exit 1; none available exit 2', async () => {
    const s = await tcp(['seal', SAMPLE, '--passphrase', '-o', p('p.sealed'), '--json'], {TCP_PASSPHRASE: 'tide pool'})
    assert.equal(s.code, 0, s.stdout + s.stderr)
    assert.equal(s.json().mode, 'passphrase')
    writeFileSync(p('pass.txt'), 'tide pool\n')
    const u = await tcp(['unseal', p('p.sealed'), '--passphrase', '--passphrase-file', p('pass.txt'), '-o', p('p.out')], NO_PASS)
    assert.equal(u.code, 0, u.stderr)
    assert.ok(readFileSync(p('p.out')).equals(readFileSync(SAMPLE)))
    const wrong = await tcp(['unseal', p('p.sealed'), '--passphrase', '-o', p('pw.out'), '--json'], {TCP_PASSPHRASE: 'tide poo1'})
    assert.equal(wrong.code, 1)
    assert.match(wrong.json().error.message, /wrong passphrase/)
    const none = await tcp(['unseal', p('p.sealed'), '--passphrase', '-o', p('pn.out'), '--json'], NO_PASS)
    assert.equal(none.code, 2)
    assert.equal(none.json().error.code, 'passphrase')
    const idForPass = await tcp(['unseal', p('p.sealed'), '-i', p('ops.key'), '-o', p('pi.out')])
    assert.equal(idForPass.code, 2)
    assert.match(idForPass.stderr, /sealed to a passphrase/)
  })
})
