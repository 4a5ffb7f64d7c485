import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {steps} from '../../../src/core/demo/aggregate.js'
import {readFileSync} from 'node:fs'
import {tempDir, ROOT} from '../../helpers/cli.js'
import {trustFromFiles} from '../../../src/core/envelope/trust.js'
import {auditTree} from '../../../src/core/aggregate/audit.js'

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

  it('a kept folder\'s tree can be audited with roles: the recorder\'s and the aggregator\'s public keys are written beside it', async () => {
    const keys = join(t.dir, 'aggregate-keys')
    const tree = join(t.dir, 'aggregate-tree')
    const root = JSON.parse(readFileSync(join(tree, 'root.dsse.json'), 'utf8'))
    const r = await auditTree(root, tree, {trust: await trustFromFiles([join(keys, 'aggregator.pub')]), leafTrust: await trustFromFiles([join(keys, 'recorder.pub')]), workers: 0})
    assert.equal(r.ok, true, JSON.stringify(r.checks))
  })
})
