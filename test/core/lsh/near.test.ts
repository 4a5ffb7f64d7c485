// The clone detector's hashing path (src/core/lsh/near.ts): its SimHash is the module's sparse one, near-identical
// vectors collide and unrelated ones do not, at the rates the SimHash law (P[bit differs] = angle / pi) gives, and
// the streaming all-pairs search finds exactly the pairs within the radius that share a table's sampled bits.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {availableParallelism} from 'node:os'
import {Rng} from '../../../src/core/rng.js'
import {
  allPairsWithin, bruteForcePairs, chooseParams, FleetData, hamming64, LshIndex, nearVectors, PARALLEL_MIN, SimHasher, vectorHasher,
  type NearResult,
} from '../../../src/core/lsh/index.js'
import {pairAtAngle} from '../../helpers/vectors.js'

const D = 64
const RADIUS = 6

/** P[Binomial(64, p) <= r]. */
function binomialCdf(p: number, r: number): number {
  let term = (1 - p) ** D
  let sum = 0
  for (let h = 0; h <= r; h++) {
    sum += term
    term *= ((D - h) / (h + 1)) * (p / (1 - p))
  }
  return sum
}

describe('nearVectors: the clone detector hashing path', () => {
  it('hashes with the lsh module SimHasher (sparse +-1 hyperplanes from 16 dimensions up, dense below), same seed same bits', () => {
    const v = Float32Array.from(new FleetData('uniform', 500, D, 3).all())
    const r = nearVectors(v, D, {seed: 9, radius: RADIUS, minCosine: 0.9})
    assert.equal(r.projection, 'sparse')
    assert.equal(r.nnz, 8)
    assert.deepEqual(r.signatures, new SimHasher({dim: D, seed: 9, projection: 'sparse'}).hashAll(Float64Array.from(v)))
    assert.notDeepEqual(r.signatures, new SimHasher({dim: D, seed: 9, projection: 'gaussian'}).hashAll(Float64Array.from(v)))
    assert.equal(vectorHasher(8, 1).projection, 'gaussian')
    assert.throws(() => nearVectors(v, D, {seed: 1, radius: RADIUS, minCosine: 2}), /minCosine: expected -1 to 1, got 2/)
  })

  it('near-identical vectors collide and unrelated ones do not, at the rates of P[bit differs] = angle / pi', () => {
    const rng = new Rng(41)
    const near = 2000 // pairs at angle 0.1 rad (cosine 0.995)
    const far = 20_000 // unrelated vectors
    const theta = 0.1
    const n = 2 * near + far
    const v = new Float32Array(n * D)
    for (let q = 0; q < near; q++) {
      const [x, y] = pairAtAngle(rng, D, theta)
      v.set(x, 2 * q * D)
      v.set(y, (2 * q + 1) * D)
    }
    for (let k = 2 * near * D; k < n * D; k++) v[k] = rng.normal()
    const r = nearVectors(v, D, {seed: 5, radius: RADIUS, minCosine: -1})
    const sigs = r.signatures

    // Bit level: for Gaussian-isotropic pairs, each bit differs with probability theta / pi for any fixed
    // hyperplane, sparse or dense; 128,000 bits, so 10% is many standard deviations.
    let differ = 0
    let within = 0
    for (let q = 0; q < near; q++) {
      const h = hamming64(sigs, 2 * q, sigs, 2 * q + 1)
      differ += h
      within += +(h <= RADIUS)
    }
    const p = theta / Math.PI
    assert.ok(Math.abs(differ / (near * D) - p) < 0.1 * p, `bit difference rate ${differ / (near * D)} vs ${p}`)
    // Pair level: within the radius with probability P[Bin(64, p) <= 6] (0.9965), then proposed by the index with
    // probability at least 1 - (1 - C(58, k) / C(64, k))^L, the law of k distinct sampled bits at 6 bits.
    assert.ok(within / near >= binomialCdf(p, RADIUS) - 0.01, `${within}/${near} within ${RADIUS} bits`)
    const found = new Set<number>()
    for (let k = 0; k < r.pairs.length; k += 2) found.add(r.pairs[k]! * n + r.pairs[k + 1]!)
    let planted = 0
    for (let q = 0; q < near; q++) planted += +found.has(2 * q * n + 2 * q + 1)
    let share = 1
    for (let a = 0; a < r.params.k; a++) share *= (D - RADIUS - a) / (D - a)
    const expected = binomialCdf(p, RADIUS) * (1 - (1 - share) ** r.params.L)
    assert.ok(planted / near >= expected - 0.02, `found ${planted}/${near} planted pairs, expected ${expected}`)

    // Unrelated pairs: the angle of two independent isotropic vectors has density proportional to sin^62; a pair lands
    // within 6 bits with probability E[P[Bin(64, angle / pi) <= 6]] (about 2e-9, mostly from angles well below pi / 2),
    // so about 0.6 of the 2.9e8 pairs here are expected within the radius: at most 4 (a Poisson tail of 5e-4), and
    // none survives the cosine confirmation (why the detector confirms every proposed pair).
    const steps = 4000
    let norm = 0
    let tail = 0
    for (let s = 0; s < steps; s++) {
      const a = ((s + 0.5) * Math.PI) / steps
      const w = Math.sin(a) ** (D - 2)
      norm += w
      tail += w * binomialCdf(a / Math.PI, RADIUS)
    }
    const unrelatedExpected = ((n * (n - 1)) / 2) * (tail / norm)
    assert.ok(unrelatedExpected > 0.1 && unrelatedExpected < 1, `expected ${unrelatedExpected} unrelated pairs within the radius`)
    const unrelated = (pairs: Int32Array) => {
      let c = 0
      for (let k = 0; k < pairs.length; k += 2) c += +!(pairs[k]! < 2 * near && pairs[k + 1] === pairs[k]! + 1)
      return c
    }
    assert.ok(unrelated(r.pairs) <= 4, `${unrelated(r.pairs)} unrelated pairs within ${RADIUS} bits, ${unrelatedExpected} expected`)
    const confirmed = nearVectors(v, D, {seed: 5, radius: RADIUS, minCosine: 0.9})
    assert.equal(unrelated(confirmed.pairs), 0)
    assert.equal(confirmed.pairs.length / 2, planted)
  })

  it('allPairsWithin reports exactly the pairs within the radius that share a table\'s sampled bits, each once', () => {
    const n = 3000
    // The detector's tables (recall 0.99 at the radius), and two short tables that miss many pairs.
    for (const [kind, params] of [['uniform', chooseParams(n, RADIUS, 8)], ['fleet', chooseParams(n, RADIUS, 8)], ['fleet', {k: 14, L: 2, radius: RADIUS, seed: 8}]] as const) {
      const sigs = new SimHasher({dim: 32, seed: 8}).hashAll(new FleetData(kind, n, 32, 8).all())
      const {maskLo, maskHi} = new LshIndex(sigs, params) // the same tables, from the same seed
      const brute = bruteForcePairs(sigs, RADIUS).pairs
      const want: string[] = []
      for (let k = 0; k < brute.length; k += 2) {
        const [i, j] = [brute[k]!, brute[k + 1]!]
        const xlo = sigs[2 * i]! ^ sigs[2 * j]!
        const xhi = sigs[2 * i + 1]! ^ sigs[2 * j + 1]!
        if (maskLo.some((m, t) => ((xlo & m) | (xhi & maskHi[t]!)) === 0)) want.push(`${i},${j}`)
      }
      const got = allPairsWithin(sigs, params).pairs
      const gotKeys = Array.from({length: got.length / 2}, (_, k) => `${got[2 * k]},${got[2 * k + 1]}`)
      assert.ok(want.length >= 50, `${kind}: only ${want.length} pairs`)
      assert.deepEqual(gotKeys.sort(), want.sort(), kind)
      if (params.L === 2) assert.ok(want.length < 0.75 * (brute.length / 2), `brute ${brute.length / 2} vs ${want.length} sharing sampled bits`)
    }
  })

  it('allPairsWithin over consecutive table ranges, concatenated, gives the whole range\'s pairs in the same order', () => {
    const n = 5000
    const sigs = vectorHasher(D, 4).hashAll(new FleetData('fleet', n, D, 4).all())
    const params = chooseParams(n, RADIUS, 4)
    const whole = allPairsWithin(sigs, params)
    const cut = Math.floor(params.L / 3)
    const a = allPairsWithin(sigs, params, {from: 0, to: cut})
    const b = allPairsWithin(sigs, params, {from: cut, to: params.L})
    assert.ok(a.pairs.length > 0 && b.pairs.length > 0)
    assert.deepEqual(Int32Array.from([...a.pairs, ...b.pairs]), whole.pairs)
    assert.equal(a.candidates + b.candidates, whole.candidates)
    assert.throws(() => allPairsWithin(sigs, params, {from: 2, to: params.L + 1}), new RegExp(`tables: expected a range within 0 to ${params.L}, got 2 to ${params.L + 1}`))
  })
})

/** Every output of nearVectors that must not depend on the threads (timings apart). */
function same(a: NearResult, b: NearResult, what: string): void {
  assert.deepEqual(Uint32Array.from(b.signatures), Uint32Array.from(a.signatures), `${what}: signatures`)
  assert.deepEqual(b.pairs, a.pairs, `${what}: pairs`)
  assert.deepEqual([b.candidates, b.withinRadius, b.params], [a.candidates, a.withinRadius, a.params], `${what}: counts`)
}

describe('nearVectors on worker threads', () => {
  it('gives the one-thread results byte for byte, with an odd split of rows and tables, shared or copied vectors', () => {
    for (const kind of ['uniform', 'fleet'] as const) {
      const n = 20_001
      const v = Float32Array.from(new FleetData(kind, n, D, 6).all())
      const sv = new Float32Array(new SharedArrayBuffer(v.byteLength))
      sv.set(v)
      const o = {seed: 11, radius: RADIUS, minCosine: 0.9}
      const one = nearVectors(v, D, {...o, threads: 0})
      assert.ok(one.pairs.length > 0 && one.params.L % 2 === 1, `${kind}: ${one.pairs.length / 2} pairs, L = ${one.params.L}`)
      assert.ok(!(one.signatures.buffer instanceof SharedArrayBuffer))
      for (const threads of [2, 3]) {
        const r = nearVectors(v, D, {...o, threads})
        assert.ok(r.signatures.buffer instanceof SharedArrayBuffer, 'hashed by the workers')
        same(one, r, `${kind}, ${threads} threads`)
        same(one, nearVectors(sv, D, {...o, threads}), `${kind}, ${threads} threads, shared vectors`)
      }
    }
    assert.throws(() => nearVectors(new Float32Array(D), D, {seed: 1, radius: RADIUS, minCosine: 0.9, threads: 1.5}), /threads: expected a non-negative integer, got 1.5/)
  })

  it(`uses the workers by default from PARALLEL_MIN (${PARALLEL_MIN}) rows, with the one-thread results on either side`, (t) => {
    if (availableParallelism() < 2) return t.skip('one core: the default stays on this thread')
    const v = new FleetData('uniform', PARALLEL_MIN + 1, D, 2).all()
    const o = {seed: 3, radius: RADIUS, minCosine: 0.9}
    for (const n of [PARALLEL_MIN - 1, PARALLEL_MIN + 1]) {
      const rows = Float32Array.from(v.subarray(0, n * D))
      const r = nearVectors(rows, D, o)
      assert.equal(r.signatures.buffer instanceof SharedArrayBuffer, n >= PARALLEL_MIN, `n = ${n}: workers`)
      same(nearVectors(rows, D, {...o, threads: 0}), r, `n = ${n}`)
    }
  })
})
