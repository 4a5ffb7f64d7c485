// LSH: bit operations against naive references, SimHash's collision law 1 - theta/pi, determinism by seed, and the
// bucket index's recall against brute force on seeded data (with no pair beyond the radius, ever).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {Rng} from '../../../src/core/rng.js'
import {TcpError} from '../../../src/core/errors.js'
import {
  BitSampler, bruteForcePairs, chooseParams, collisionProbability, FleetData, hamming64, LshIndex, popcount32, recallOf, SimHasher,
} from '../../../src/core/lsh/index.js'
import {pairAtAngle} from '../../helpers/vectors.js'

function naivePopcount(x: number): number {
  let c = 0
  for (let i = 0; i < 32; i++) c += (x >>> i) & 1
  return c
}

function agreement(projection: 'gaussian' | 'sparse', theta: number, seed: number): number {
  const rng = new Rng(seed)
  const d = 32
  let agree = 0
  let total = 0
  for (let h = 0; h < 5; h++) {
    const hasher = new SimHasher({dim: d, seed: rng.u32(), projection})
    for (let p = 0; p < 100; p++) {
      const [x, y] = pairAtAngle(rng, d, theta)
      const sx = hasher.hash(x)
      const sy = hasher.hash(y)
      agree += 64 - hamming64(sx, 0, sy, 0)
      total += 64
    }
  }
  return agree / total
}

describe('lsh bits', () => {
  it('popcount32 and hamming64 match a naive count', () => {
    const rng = new Rng(1)
    const a = new Uint32Array(200).map(() => rng.u32())
    for (let i = 0; i < 200; i++) assert.equal(popcount32(a[i]!), naivePopcount(a[i]!))
    for (let i = 0; i < 99; i++) assert.equal(hamming64(a, i, a, i + 1), naivePopcount(a[2 * i]! ^ a[2 * i + 2]!) + naivePopcount(a[2 * i + 1]! ^ a[2 * i + 3]!))
    assert.equal(popcount32(0xffffffff), 32)
  })

  it('bit-sampling keys (lookup tables) equal the bit-by-bit definition, for bytes and for signatures', () => {
    const rng = new Rng(2)
    const pb = BitSampler.samplePositions(rng, 192, 16)
    const sb = BitSampler.forBytes(pb)
    const ps = BitSampler.samplePositions(rng, 64, 20)
    const ss = BitSampler.forSignature(ps)
    for (let t = 0; t < 300; t++) {
      const buf = rng.bytes(24)
      let want = 0
      pb.forEach((p, j) => (want |= ((buf[p >> 3]! >> (7 - (p & 7))) & 1) << j))
      assert.equal(sb.keyBytes(buf, 0), want >>> 0)
      const sig = new Uint32Array([rng.u32(), rng.u32()])
      let w2 = 0
      ps.forEach((p, j) => (w2 |= ((sig[p >> 5]! >>> (p & 31)) & 1) << j))
      assert.equal(ss.keySig(sig, 0), w2 >>> 0)
    }
    assert.equal(new Set(pb).size, 16)
    assert.throws(() => BitSampler.samplePositions(rng, 8, 9), TcpError)
  })
})

describe('SimHash', () => {
  it('gaussian hyperplanes: bit agreement matches 1 - theta/pi within 0.015 (32,000 bits per angle)', () => {
    for (const theta of [Math.PI / 16, Math.PI / 4, Math.PI / 2, (3 * Math.PI) / 4]) {
      const got = agreement('gaussian', theta, 7)
      assert.ok(Math.abs(got - (1 - theta / Math.PI)) < 0.015, `theta ${theta.toFixed(3)}: ${got} vs ${1 - theta / Math.PI}`)
    }
  })

  it('sparse hyperplanes: agreement still falls with the angle and stays within 0.06 of 1 - theta/pi', () => {
    let prev = 1
    for (const theta of [Math.PI / 16, Math.PI / 4, Math.PI / 2, (3 * Math.PI) / 4]) {
      const got = agreement('sparse', theta, 8)
      assert.ok(got < prev, `not decreasing at ${theta}`)
      assert.ok(Math.abs(got - (1 - theta / Math.PI)) < 0.06, `theta ${theta.toFixed(3)}: ${got} vs ${1 - theta / Math.PI}`)
      prev = got
    }
  })

  it('same seed, same signatures; another seed, others; bad dimensions are input errors', () => {
    const vecs = new FleetData('uniform', 50, 16, 1).all()
    for (const projection of ['gaussian', 'sparse'] as const) {
      const a = new SimHasher({dim: 16, seed: 9, projection}).hashAll(vecs)
      const b = new SimHasher({dim: 16, seed: 9, projection}).hashAll(vecs)
      const c = new SimHasher({dim: 16, seed: 10, projection}).hashAll(vecs)
      assert.deepEqual(a, b)
      assert.notDeepEqual(a, c)
    }
    assert.throws(() => new SimHasher({dim: 16, seed: 1}).hash([1, 2, 3]), /expected 16 values, got 3/)
    assert.throws(() => new SimHasher({dim: 0, seed: 1}), TcpError)
    // The sign of a zero projection counts as 0 (positive), of -0 as 1: no NaN path, no branch.
    assert.equal(new SimHasher({dim: 4, seed: 1}).hash(new Float64Array(4)).join(','), '0,0')
  })
})

describe('LSH bucket index', () => {
  const sigsOf = (kind: 'uniform' | 'fleet', n: number, seed: number) => new SimHasher({dim: 32, seed}).hashAll(new FleetData(kind, n, 32, seed).all())

  it('all-pairs: recall >= 0.95 against brute force on both data sets, and never a pair beyond the radius', () => {
    for (const kind of ['uniform', 'fleet'] as const) {
      const n = 4000
      const sigs = sigsOf(kind, n, 21)
      const params = chooseParams(n, 3, 21)
      const lsh = new LshIndex(sigs, params).allPairs()
      const brute = bruteForcePairs(sigs, 3)
      assert.ok(brute.pairs.length / 2 >= 40, `${kind}: only ${brute.pairs.length / 2} true pairs: the data plants too few`)
      const r = recallOf(lsh.pairs, brute.pairs, n)
      assert.ok(r.recall >= 0.95, `${kind}: recall ${r.recall}`)
      assert.equal(r.foundTrue, lsh.pairs.length / 2, `${kind}: LSH reported pairs brute force does not have`)
      assert.ok(lsh.candidates < brute.candidates / 10, `${kind}: ${lsh.candidates} candidates is not a search`)
      for (let p = 0; p < lsh.pairs.length; p += 2) assert.ok(lsh.pairs[p]! < lsh.pairs[p + 1]!)
    }
  })

  it('a single table of many bits misses pairs: recall follows the collision law, so the check can fail', () => {
    const n = 3000
    const sigs = sigsOf('uniform', n, 5)
    const brute = bruteForcePairs(sigs, 6)
    const r = recallOf(new LshIndex(sigs, {k: 20, L: 1, radius: 6, seed: 5}).allPairs().pairs, brute.pairs, n)
    assert.ok(r.recall < 0.9, `recall ${r.recall} with one 20-bit table`)
    assert.ok(collisionProbability(6, 20, 1) < 0.2)
    assert.ok(collisionProbability(3, chooseParams(1e5, 3, 1).k, chooseParams(1e5, 3, 1).L) >= 0.99)
  })

  it('queries: variable and constant-work results are true neighbours; constant work finds them when buckets are small', () => {
    const n = 3000
    const sigs = sigsOf('uniform', n, 33)
    const index = new LshIndex(sigs, chooseParams(n, 3, 33))
    const brute = bruteForcePairs(sigs, 3)
    let checked = 0
    for (let p = 0; p < brute.pairs.length && checked < 30; p += 2, checked++) {
      const i = brute.pairs[p]!
      const j = brute.pairs[p + 1]!
      const q = index.query(sigs, i)
      for (const x of q) assert.ok(hamming64(sigs, i, sigs, x) <= 3)
      const c = index.queryConstantWork(sigs, i, 64 * index.params.L)
      for (const x of c) assert.ok(hamming64(sigs, i, sigs, x) <= 3)
      assert.ok(q.includes(i) && c.includes(i), 'a point is its own neighbour')
      if (q.includes(j)) assert.ok(c.includes(j), `constant-work query missed ${j} that the bucket holds`)
    }
    assert.ok(checked > 0)
    const out = new Int32Array(10 * index.params.L)
    assert.ok(index.examineFixed(sigs, 0, 10, out) >= 1)
  })

  it('same seed, same pairs; bad parameters are input errors', () => {
    const sigs = sigsOf('fleet', 1500, 2)
    const a = new LshIndex(sigs, chooseParams(1500, 3, 4)).allPairs()
    const b = new LshIndex(sigs, chooseParams(1500, 3, 4)).allPairs()
    assert.deepEqual(a.pairs, b.pairs)
    assert.throws(() => new LshIndex(sigs, {k: 25, L: 1, radius: 3, seed: 1}), /k: expected 1 to 24, got 25/)
    assert.throws(() => new LshIndex(sigs.subarray(1), {k: 8, L: 1, radius: 3, seed: 1}), /even number/)
    assert.deepEqual(recallOf(new Int32Array(0), new Int32Array(0), 5), {recall: 1, truePairs: 0, foundTrue: 0})
  })
})
