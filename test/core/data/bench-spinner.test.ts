// Issue 9 item 17: a seed of 2^31 or more works in the all-pairs bench; no spinner on a 0-column terminal; scrypt
// runs off the event loop so that a spinner moves.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runAllPairs} from '../../../src/core/bench/allpairs.js'
import {scrypt, scryptAsync} from '../../../src/core/crypto/kdf.js'
import {sealBytes, unsealBytes} from '../../../src/core/seal/index.js'
import {utf8} from '../../../src/core/bytes.js'
import {BIN} from '../../helpers/cli.js'

/** How many 1 ms timer ticks happen while `work` runs. */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0
  const t = setInterval(() => ticks++, 1)
  try {
    await work()
  } finally {
    clearInterval(t)
  }
  return ticks
}

describe('item 17: bench seed, spinner, async scrypt', () => {
  it('the all-pairs sample path accepts a seed above 2^31 (2344414322)', () => {
    const r = runAllPairs({sizes: [300], kinds: ['fleet'], seed: 2344414322, bruteMaxN: 100, sampleRows: 50, lshReps: 1})
    assert.ok(r.rows.length > 0)
  })
  it('scryptAsync gives scrypt\'s bytes, and timers keep firing while it runs', async () => {
    const params = {N: 2 ** 15, r: 8, p: 1}
    const a = await scryptAsync(utf8('pw'), utf8('salt'), params)
    assert.deepEqual(a, scrypt(utf8('pw'), utf8('salt'), params))
    assert.ok((await ticksDuring(() => scryptAsync(utf8('pw'), utf8('salt'), {N: 2 ** 16, r: 8, p: 1}))) > 0)
  })
  it('sealing and unsealing with a passphrase leave the event loop free during scrypt', async () => {
    const opts = {scrypt: {N: 2 ** 16, r: 8, p: 1}}
    let sealed = new Uint8Array()
    assert.ok((await ticksDuring(async () => (sealed = await sealBytes(utf8('secret'), {passphrase: utf8('pw')}, opts)))) > 0)
    assert.ok((await ticksDuring(() => unsealBytes(sealed, {passphrase: utf8('pw')}))) > 0)
  })
  it('on a pseudo-terminal of 0 columns (script -qec) no spinner is drawn and the command ends', (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('script (util-linux) is not installed')
    const dir = mkdtempSync(join(tmpdir(), 'tcp-spin-'))
    try {
      writeFileSync(join(dir, 'plain.txt'), 'hello\n')
      const cmd = `node ${BIN} seal plain.txt --passphrase --out p.sealed`
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {cwd: dir, encoding: 'utf8', timeout: 30_000, env: {...process.env, TCP_NO_CONFIG: '1', TCP_PASSPHRASE: 'pw', CI: ''}, stdio: ['ignore', 'pipe', 'pipe']})
      assert.equal(r.error, undefined, 'the command hung (killed after 30 s)')
      assert.equal(r.status, 0, r.stdout + r.stderr)
      assert.ok(r.stdout.length < 2000, `${r.stdout.length} bytes of output`)
      assert.match(r.stdout, /sealed 6 bytes/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
