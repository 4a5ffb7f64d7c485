// tcp seal / unseal through the built bin/run.js: exit codes 0, 1, 2 and --json documents that parse, with an
// encrypted X25519 identity key (the passphrase reaches the key file through the real process environment).
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir, ROOT} from '../helpers/cli.js'

const SAMPLE = join(ROOT, 'examples', 'telemetry.jsonl')

describe('e2e: tcp seal / unseal', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)
  const env = {...process.env, TCP_PASSPHRASE: 'e2e seal passphrase'}

  it('0 on a round trip, 1 on tampering, 2 on malformed input and misuse', () => {
    // rcpt.key is encrypted (one scrypt to make, one to open); plain.key is not, to keep the failure cases cheap.
    assert.equal(tcpProcess(['keys', 'generate', '--out', p('rcpt'), '--type', 'x25519'], {env}).code, 0)
    assert.equal(tcpProcess(['keys', 'generate', '--out', p('plain'), '--type', 'x25519', '--unencrypted']).code, 0)
    const s = tcpProcess(['seal', SAMPLE, '-r', p('rcpt.pub'), '-r', p('plain.pub'), '--out', p('s.tcpseal'), '--json'])
    assert.equal(s.code, 0, s.stderr)
    assert.equal(s.json().recipients, 2)

    const u = tcpProcess(['unseal', p('s.tcpseal'), '--identity', p('rcpt.key'), '--out', p('s.out'), '--json'], {env})
    assert.equal(u.code, 0, u.stderr)
    assert.ok(readFileSync(p('s.out')).equals(readFileSync(SAMPLE)))

    const bad = readFileSync(p('s.tcpseal'))
    bad[bad.length >> 1]! ^= 0x04
    writeFileSync(p('bad.tcpseal'), bad)
    const r = tcpProcess(['unseal', p('bad.tcpseal'), '--identity', p('plain.key'), '--out', p('bad.out'), '--json'])
    assert.equal(r.code, 1)
    assert.deepEqual([r.json().error.code, r.json().error.exitCode], ['rejected', 1])
    assert.equal(existsSync(p('bad.out')), false)

    const notSealed = tcpProcess(['unseal', SAMPLE, '--identity', p('plain.key'), '--out', p('x.out')])
    assert.equal(notSealed.code, 2)
    assert.match(notSealed.stderr, /^tcp: error: not an age file/)
    assert.equal(notSealed.stdout, '')

    const usage = tcpProcess(['seal', SAMPLE, '--out', p('u.tcpseal'), '--json'])
    assert.equal(usage.code, 2)
    assert.equal(usage.json().error.code, 'usage')
  })
})
