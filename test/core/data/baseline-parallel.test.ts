// Issue 9 item 11: large JSONL files are read on worker threads; the result, and every error with its line number,
// match a read on one thread.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {accumulateFile} from '../../../src/core/baseline/parallel.js'
import {createBaseline, parseObservations} from '../../../src/core/baseline/index.js'
import {Rng} from '../../../src/core/rng.js'

const dir = mkdtempSync(join(tmpdir(), 'tcp-par-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const OPTS = {subject: 'fleet/a', created: '2026-06-01T00:00:00.000Z'}
const t = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()

function lines(n: number): string[] {
  const rng = new Rng(9)
  return Array.from({length: n}, (_, i) => JSON.stringify({agent: `a${rng.int(3)}`, time: t(i), x: Number((rng.normal() * 5 + 100).toFixed(4)), y: rng.int(50)}))
}
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a))

describe('item 11: parallel parts', () => {
  it('parts on two threads give the one-thread baseline (same counts, window, extremes; sums to 1e-9)', async () => {
    const text = lines(20_000).join('\n') + '\n'
    const p = join(dir, 'ok.jsonl')
    writeFileSync(p, text)
    for (const agent of [undefined, 'a1']) {
      const par = (await accumulateFile(p, agent, {threads: 2, partBytes: 256 * 1024})).finish({...OPTS, agent: agent ?? null})
      const mem = parseObservations(text)
      const one = createBaseline(agent ? {features: mem.features, rows: mem.rows.filter((r) => r.agent === agent)} : mem, {...OPTS, agent: agent ?? null})
      assert.deepEqual(par.window, one.window)
      for (const f of ['x', 'y']) {
        const a = par.features[f]!
        const b = one.features[f]!
        assert.equal(a.count, b.count)
        assert.equal(a.min, b.min)
        assert.equal(a.max, b.max)
        assert.ok(near(a.mean, b.mean) && near(a.variance, b.variance), `${f}: ${a.mean}/${b.mean} ${a.variance}/${b.variance}`)
      }
    }
  })
  it('an error in a later part names the file-wide line, as on one thread', async () => {
    const ls = lines(20_000)
    ls[15_000] = ls[15_000]!.replace('"y":', '"y":"oops","z":')
    const p = join(dir, 'bad.jsonl')
    writeFileSync(p, ls.join('\n') + '\n')
    await assert.rejects(accumulateFile(p, undefined, {threads: 2, partBytes: 256 * 1024}), (e: Error) => e.message.startsWith(`${p}:15001: feature "y" must be a finite number`))
    const ls2 = lines(20_000)
    ls2[12_345] = ls2[12_345]!.replace('"y":', '"w":')
    const ls3 = ls2.slice(0, 12_345).concat(ls2.slice(12_345).map((l) => l.replace('"y":', '"w":')))
    writeFileSync(p, ls3.join('\n') + '\n')
    const one = await accumulateFile(p, undefined, {threads: 1, partBytes: 1e12}).catch((e: Error) => e.message)
    const two = await accumulateFile(p, undefined, {threads: 2, partBytes: 256 * 1024}).catch((e: Error) => e.message)
    assert.match(String(one), /:12346: missing feature "y"/)
    assert.equal(two, one)
  })
})
