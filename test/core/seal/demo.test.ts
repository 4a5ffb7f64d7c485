// The demo's sealing step on its own: without the foundation's X25519 key it makes one, and it reports ok only
// when the round trip is identical and the tampered copy is rejected.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {steps} from '../../../src/core/demo/seal.js'
import {tempDir, ROOT} from '../../helpers/cli.js'

describe('demo: seal step', () => {
  const t = tempDir('tcp-demo-seal-')
  after(t.cleanup)

  it('seals the sample, unseals it identical, rejects a tampered copy; makes its own key when none is given', async () => {
    const ctx = {dir: t.dir, samplePath: join(ROOT, 'examples', 'telemetry.jsonl'), passphrase: 'demo pass', log: () => {}, artifacts: {} as Record<string, string>}
    const r = await steps[0]!.run(ctx)
    assert.equal(r.ok, true, r.summary)
    assert.match(r.summary, /unsealed identical; a copy with one byte changed was rejected \(chunk \d+ failed authentication\)/)
    assert.ok(existsSync(join(t.dir, 'seal-keys', 'recipient.key')))
    assert.equal(existsSync(join(t.dir, 'telemetry.tampered.jsonl')), false)
    assert.equal(ctx.artifacts.sealedTelemetry, join(t.dir, 'telemetry.jsonl.age'))
  })
})
