import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {steps} from '../../../src/core/demo/aggregate.js'
import {tempDir, ROOT} from '../../helpers/cli.js'

describe('tcp demo: aggregate steps', () => {
  const t = tempDir()
  after(t.cleanup)
  it('the tree verifies and audits, a relabelled proof is rejected, poisoning moves the plain mean and not the robust one', async () => {
    const ctx = {dir: t.dir, samplePath: join(ROOT, 'examples', 'telemetry.jsonl'), passphrase: 'x', log: () => {}, artifacts: {} as Record<string, string>}
    const results = []
    for (const s of steps) results.push(await s.run(ctx))
    assert.equal(results.length, 2)
    for (const r of results) assert.equal(r.ok, true, `${r.step}: ${r.summary}`)
    assert.match(results[0]!.summary, /relabelled as another agent rejected/)
    assert.match(results[1]!.summary, /flagged 10\/10 poisoned/)
  })
})
