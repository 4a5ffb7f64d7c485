// End-to-end: the built bin/run.js as a whole process against a swtpm started here, the TCTI taken from
// TPM2TOOLS_TCTI: init, measure, quote, then tcp verify accepts (0) and rejects a stale nonce (1).
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir} from '../helpers/cli.js'
import {startSwtpm, swtpmMissing, type Swtpm} from '../core/attest/swtpm-harness.js'

describe('tcp attest as a process', {skip: swtpmMissing()}, () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  let tpm: Swtpm
  before(async () => {
    tpm = await startSwtpm()
  })
  after(async () => {
    await tpm?.stop()
    t.cleanup()
  })

  it('attests and verifies; a stale nonce exits 1 with a JSON error', () => {
    const env = {TPM2TOOLS_TCTI: tpm.tcti}
    const st = ['--state', p('st')]
    assert.equal(tcpProcess(['attest', 'init', ...st, '--ek-alg', 'ecc'], {env}).code, 0)
    writeFileSync(p('f'), 'x')
    assert.equal(tcpProcess(['attest', 'measure', p('f'), ...st], {env}).code, 0)
    const nonce = '0123456789abcdef0123456789abcdef'
    const q = tcpProcess(['attest', 'quote', ...st, '--nonce', nonce, '--out', p('q.json'), '--json'], {env})
    assert.equal(q.code, 0, q.stderr)
    assert.equal(q.json().eventLogEntries, 1)
    const ok = tcpProcess(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', nonce])
    assert.equal(ok.code, 0, ok.stderr)
    const stale = tcpProcess(['verify', p('q.json'), '--ak', p('st/ak.pem'), '--nonce', 'ff' + nonce.slice(2), '--json'])
    assert.equal(stale.code, 1)
    assert.equal(stale.json().error.code, 'rejected')
  })
})
