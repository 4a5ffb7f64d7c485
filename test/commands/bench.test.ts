// tcp bench in process at small sizes: the JSON report's shape, the seed round trip, the exit code of the leak
// detector, and usage errors. It prints figures; it asserts none of them against a time.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {tcp} from '../helpers/cli.js'

describe('tcp bench', () => {
  it('bench lsh: same seed, same pairs and recall; the seed is in the report', async () => {
    const run = () => tcp(['bench', 'lsh', '--quick', '--sizes', '600,1200', '--seed', '77', '--json'])
    const a = await run()
    assert.equal(a.code, 0, a.stderr)
    const b = await run()
    const ja = a.json()
    assert.equal(ja.seed, 77)
    assert.deepEqual(ja.allPairs.rows.map((r: {kind: string; n: number}) => `${r.kind}:${r.n}`), ['uniform:600', 'uniform:1200', 'fleet:600', 'fleet:1200'])
    const facts = (j: any) => j.allPairs.rows.map((r: any) => [r.lshPairs, r.truePairs, r.recall, r.lshCandidates])
    assert.deepEqual(facts(ja), facts(b.json()))
    for (const r of ja.allPairs.rows) assert.ok(r.recall >= 0 && r.recall <= 1 && r.lshMs > 0 && r.bruteMs > 0)
    assert.equal(ja.claims.find((c: any) => c.claim.startsWith('374.4x')).status, 'not measured')
    assert.equal(ja.paths, undefined)
  })

  it('bench ct exits 3 exactly when the verdict is a leak or inconclusive, 0 otherwise', async () => {
    const r = await tcp(['bench', 'ct', '--quick', '--seed', '5', '--json'])
    const j = r.json()
    assert.ok(['no-leak-found', 'leak', 'inconclusive'].includes(j.ct.verdict))
    assert.equal(r.code, j.ct.verdict === 'no-leak-found' ? 0 : 3)
    assert.equal(j.ct.results.length, 8)
  })

  it('usage errors exit 2', async () => {
    assert.equal((await tcp(['bench', '--sizes', '10,abc', '--only', 'lsh'])).code, 2)
    assert.equal((await tcp(['bench', '--seed', '-1'])).code, 2)
    assert.equal((await tcp(['bench', '--only', 'gpu'])).code, 2)
  })
})
