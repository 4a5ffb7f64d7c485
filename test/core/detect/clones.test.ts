// The clone detector hashes with the lsh module's SimHash (sparse +-1 hyperplanes at d = 64), not a copy of its own:
// on the same vectors and seed, its counts, groups and Hamming distances are those of SimHasher + allPairsWithin.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {clones, RADIUS} from '../../../src/core/detect/clones.js'
import type {DetectContext, Finding} from '../../../src/core/detect/types.js'
import {allPairsWithin, chooseParams, cosineOf, FleetData, hamming64, SimHasher} from '../../../src/core/lsh/index.js'

describe('clones detector: hashing', () => {
  it('its signatures are the lsh module SimHasher({projection: sparse}) ones for the same seed and vectors', () => {
    const n = 4000
    const d = 64
    const seed = 12
    const vectors = Float32Array.from(new FleetData('uniform', n, d, 6).all()) // 2% planted near-copies
    // The fields the clone detector reads; the rest of the engine's context is not needed here.
    const ctx = {n, vectors, vectorDim: d, seed, alpha: 0.01, source: {name: (i: number) => `a${i}`}} as unknown as DetectContext
    const out = clones.run(ctx)
    const groups = out.findings as Array<Extract<Finding, {detector: 'clones'}>>
    assert.ok(groups.length >= 20, `${groups.length} groups`)
    const c = groups[0]!.minCosine

    // The reference, from the lsh module directly.
    const sigs = new SimHasher({dim: d, seed, projection: 'sparse'}).hashAll(Float64Array.from(vectors))
    const proposed = allPairsWithin(sigs, chooseParams(n, RADIUS, seed, 0.99)).pairs
    const confirmed: Array<[number, number]> = []
    for (let k = 0; k < proposed.length; k += 2) if (cosineOf(vectors, d, proposed[k]!, proposed[k + 1]!) >= c) confirmed.push([proposed[k]!, proposed[k + 1]!])
    assert.match(out.notes!.join(' '), new RegExp(`SimHash sparse, 8 nonzeros per hyperplane\\): .* ${proposed.length / 2} within the radius, ${confirmed.length} confirmed`))

    const groupOf = new Map<string, number>()
    groups.forEach((g, gi) => g.members.forEach((m) => groupOf.set(m, gi)))
    const maxD = new Array<number>(groups.length).fill(0)
    for (const [i, j] of confirmed) {
      const gi = groupOf.get(`a${i}`)
      assert.ok(gi !== undefined && gi === groupOf.get(`a${j}`), `confirmed pair (${i}, ${j}) is not inside one group`)
      maxD[gi] = Math.max(maxD[gi]!, hamming64(sigs, i, sigs, j))
    }
    assert.deepEqual(groups.map((g) => g.maxDistance), maxD)
    assert.equal(groupOf.size, new Set(confirmed.flat()).size)
  })
})
