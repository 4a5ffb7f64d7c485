import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {steps} from '../../../src/core/demo/consensus.js'
import {tempDir} from '../../helpers/cli.js'

describe('tcp demo: consensus steps', () => {
  const t = tempDir()
  after(t.cleanup)
  it('every step behaves as the theory predicts and the sweep SVG is written', async () => {
    const ctx = {dir: t.dir, samplePath: '', passphrase: 'x', log: () => {}, artifacts: {} as Record<string, string>}
    const results = []
    for (const s of steps) results.push(await s.run(ctx))
    assert.equal(results.length, 4)
    for (const r of results) assert.equal(r.ok, true, `${r.step}: ${r.summary}`)
    assert.match(results[1]!.summary, /safety violated/)
    assert.match(results[2]!.summary, /stalled/)
    assert.ok(existsSync(ctx.artifacts.consensusSvg!))
    assert.match(readFileSync(ctx.artifacts.consensusSvg!, 'utf8'), /^<svg/)
  })
})
