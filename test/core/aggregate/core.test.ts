import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Rng} from '../../../src/core/rng.js'
import {canonicalize} from '../../../src/core/canonical/jcs.js'
import {
  buildLevel, buildTreeInMemory, checkMoments, EMPTY, escapeProbability, honestAgents, inclusionPath, mad, median, medianOfMeans,
  mergeAll, mergeMoments, merkleRoot, momentsOfQuantized, nodeAsChild, outlierTest, poisonChild, rootFromPath, summaryOf,
  trimmedMean, verifyInclusion, leafHash, nodeHash, varianceOf, type ChildInput, type Moments,
} from '../../../src/core/aggregate/index.js'
import {sha3_256} from '../../../src/core/crypto/hash.js'
import {concatBytes} from '../../../src/core/bytes.js'

const ri = (rng: Rng, lo: number, hi: number) => lo + rng.int(hi - lo + 1)
const big = (rng: Rng) => BigInt(ri(rng, 0, 2_000_000) - 1_000_000)

test('Chan merge with the between-group term equals one pass over all values, for random splits and orders', () => {
  const rng = new Rng(11)
  for (let trial = 0; trial < 200; trial++) {
    const xs = Array.from({length: ri(rng, 1, 60)}, () => big(rng))
    const whole = momentsOfQuantized(xs)
    // random split into groups, merged in a random tree order
    let groups: Moments[] = []
    let i = 0
    while (i < xs.length) {
      const j = Math.min(xs.length, i + ri(rng, 1, 8))
      groups.push(momentsOfQuantized(xs.slice(i, j)))
      i = j
    }
    while (groups.length > 1) {
      const a = ri(rng, 0, groups.length - 1)
      const x = groups.splice(a, 1)[0]!
      const b = ri(rng, 0, groups.length - 1)
      groups[b] = ri(rng, 0, 1) ? mergeMoments(x, groups[b]!) : mergeMoments(groups[b]!, x)
    }
    assert.deepEqual(groups[0], whole)
  }
  // without the between-group term the merge is wrong: the prototype's bug
  const a = momentsOfQuantized([1n, 2n, 3n])
  const b = momentsOfQuantized([101n, 102n, 103n])
  const wrong = {n: a.n + b.n, sum: a.sum + b.sum, m2n: ((a.m2n / a.n + b.m2n / b.n) * (a.n + b.n))}
  assert.notDeepEqual(wrong, mergeMoments(a, b))
  assert.deepEqual(mergeMoments(a, b), momentsOfQuantized([1n, 2n, 3n, 101n, 102n, 103n]))
  assert.deepEqual(mergeAll([]), EMPTY)
})

test('moments no integers can have are refused', () => {
  assert.throws(() => checkMoments({n: 3n, sum: 1n, m2n: 1n}, 'c'), /no 3 integers/)
  assert.throws(() => checkMoments({n: 1n, sum: 5n, m2n: 2n}, 'c'), /must be 0/)
  assert.throws(() => checkMoments({n: 2n, sum: 5n, m2n: -1n}, 'c'), /negative/)
})

test('robust statistics', () => {
  assert.equal(median([3, 1, 2]), 2)
  assert.equal(median([4, 1, 2, 3]), 2.5)
  assert.equal(mad([1, 2, 3, 4, 100]), 1.4826)
  assert.equal(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 0.1), 5.5)
  assert.equal(medianOfMeans([1, 1, 2, 2, 1000, 1000], 3), 2)
  assert.throws(() => trimmedMean([1], 0.5), /trim/)
})

test('RFC 9162 Merkle: leaf and node prefixes, every inclusion path verifies, every altered path fails', () => {
  const d = (i: number) => sha3_256(Uint8Array.of(i))
  // MTH of one leaf is HASH(0x00 || d0); of two, HASH(0x01 || leaf0 || leaf1)
  assert.deepEqual(merkleRoot([d(0)]), sha3_256(concatBytes(Uint8Array.of(0), d(0))))
  assert.deepEqual(merkleRoot([d(0), d(1)]), nodeHash(leafHash(d(0)), leafHash(d(1))))
  // 3 leaves: k = 2
  assert.deepEqual(merkleRoot([d(0), d(1), d(2)]), nodeHash(nodeHash(leafHash(d(0)), leafHash(d(1))), leafHash(d(2))))
  for (const n of [1, 2, 3, 5, 7, 8, 13, 50]) {
    const leaves = Array.from({length: n}, (_, i) => d(i))
    const root = merkleRoot(leaves)
    for (let m = 0; m < n; m++) {
      const path = inclusionPath(leaves, m)
      assert.ok(verifyInclusion(leaves[m]!, m, n, path, root), `n=${n} m=${m}`)
      if (n > 1) {
        assert.ok(!verifyInclusion(leaves[(m + 1) % n]!, m, n, path, root))
        assert.ok(!verifyInclusion(leaves[m]!, (m + 1) % n, n, path, root) || (m + 1) % n === m)
        assert.equal(rootFromPath(leaves[m]!, m, n, path.slice(1)), null)
        const bad = path.map((p) => p.slice())
        bad[0]![0]! ^= 1
        assert.ok(!verifyInclusion(leaves[m]!, m, n, bad, root))
      }
    }
  }
  // a leaf is never an interior node: the 64-byte concatenation of two leaf hashes as a leaf gives another root
  const two = [d(0), d(1)]
  assert.notDeepEqual(merkleRoot([concatBytes(leafHash(d(0)), leafHash(d(1)))]), merkleRoot(two))
})

test('a tree built from any split gives the same root bytes; the root equals one pass over every observation', () => {
  const decimals = 3
  const agents = honestAgents(5, {agents: 537, observations: 7, decimals})
  const a = buildTreeInMemory(agents, {decimals, leafSize: 50, branching: 10})
  const b = buildTreeInMemory(agents, {decimals, leafSize: 50, branching: 10})
  assert.equal(canonicalize(a.root), canonicalize(b.root))
  // shard-like: level 1 built in two ranges then joined gives the same level-2 nodes
  const l1a = buildLevel(agents.slice(0, 250), 0, 50, 0, {decimals})
  const l1b = buildLevel(agents.slice(250), 0, 50, 5, {decimals})
  const l2 = buildLevel([...l1a.nodes, ...l1b.nodes].map(nodeAsChild), 1, 10, 0, {decimals})
  assert.equal(canonicalize(l2.nodes[0]), canonicalize(a.levels[1]!.nodes[0]))
  for (const f of ['latency', 'calls']) {
    const whole = mergeAll(agents.map((c) => c.features[f]!.moments))
    const r = a.root.features[f]!
    assert.deepEqual({n: r.n, sum: r.sum, m2n: r.m2n}, {n: whole.n.toString(), sum: whole.sum.toString(), m2n: whole.m2n.toString()})
  }
})

/** Honest local aggregators (level-1 nodes of 50 agents) for one seeded fleet. */
function locals(seed: number, count: number): ChildInput[] {
  const agents = honestAgents(seed, {agents: count * 50, observations: 20})
  return buildLevel(agents, 0, 50, 0, {decimals: 3}).nodes.map(nodeAsChild)
}

test('poisoning 5% and 10% of local aggregators: detected >= 0.95 at a false-positive rate <= 0.01', () => {
  const fleets = [1, 2, 3, 4].map((seed) => locals(seed * 100, 100))
  for (const rate of [0.05, 0.1]) {
    for (const kind of ['low-variance', 'shift', 'inflate-count'] as const) {
      let honest = 0
      let falsePos = 0
      let poisoned = 0
      let caught = 0
      for (let seed = 1; seed <= 4; seed++) {
        const ls = fleets[seed - 1]!
        const rng = new Rng(seed)
        const bad = new Set<number>()
        while (bad.size < Math.round(rate * ls.length)) bad.add(ri(rng, 0, ls.length - 1))
        const kids = ls.map((c, i) => (bad.has(i) ? poisonChild(c, kind, 3) : c))
        for (let g = 0; g < kids.length; g += 10) {
          const group = kids.slice(g, g + 10)
          const flagged = new Set(outlierTest(group.map((c) => summaryOf(c, 3))).map((f) => f.child + g))
          for (let i = g; i < g + group.length; i++) {
            if (bad.has(i)) (poisoned++, flagged.has(i) && caught++)
            else (honest++, flagged.has(i) && falsePos++)
          }
        }
      }
      assert.ok(caught / poisoned >= 0.95, `${kind} at ${rate}: detection ${caught}/${poisoned}`)
      assert.ok(falsePos / honest <= 0.01, `${kind} at ${rate}: false positives ${falsePos}/${honest}`)
    }
  }
})

test('robust global mean moves < 0.1 sd under shifted poison where the plain weighted mean moves more', () => {
  for (const rate of [0.05, 0.1]) {
    const ls = locals(77, 100)
    const honest = buildTreeInMemory(ls, {decimals: 3, childLevel: 1, branching: 10})
    const rng = new Rng(9)
    const bad = new Set<number>()
    while (bad.size < Math.round(rate * ls.length)) bad.add(ri(rng, 0, ls.length - 1))
    const poisoned = buildTreeInMemory(ls.map((c, i) => (bad.has(i) ? poisonChild(c, 'shift', 3, 4) : c)), {decimals: 3, childLevel: 1, branching: 10})
    const f = honest.root.features.latency!
    const p = poisoned.root.features.latency!
    const sd = Math.sqrt(f.variance)
    assert.ok(Math.abs(p.median - f.median) / sd < 0.1, `robust moved ${(p.median - f.median) / sd} sd`)
    assert.ok(Math.abs(p.mean - f.mean) / sd > 0.1, `plain moved ${(p.mean - f.mean) / sd} sd`)
    assert.ok(poisoned.findings.length >= bad.size)
    // excluding outliers, the plain mean is back near the honest one
    const ex = buildTreeInMemory(ls.map((c, i) => (bad.has(i) ? poisonChild(c, 'shift', 3, 4) : c)), {decimals: 3, childLevel: 1, branching: 10, test: {excludeOutliers: true}})
    assert.ok(Math.abs(ex.root.features.latency!.mean - f.mean) / sd < 0.02)
    assert.ok(ex.levels[0]!.nodes.some((n) => n.quarantined.length > 0))
  }
})

test('escape probability of sampled audits', () => {
  assert.equal(escapeProbability(100, 0, 10), 1)
  assert.equal(escapeProbability(100, 5, 100), 0)
  assert.ok(Math.abs(escapeProbability(100, 1, 10) - 0.9) < 1e-12)
  assert.ok(varianceOf(EMPTY, 3) === 0)
})

test('any shard layout (N = 1..7, random sizes) merges to the same root bytes as one process', async () => {
  const {shardPlan, treeShape} = await import('../../../src/core/aggregate/index.js')
  const rng = new Rng(21)
  for (let trial = 0; trial < 12; trial++) {
    const leafSize = ri(rng, 2, 9)
    const branching = ri(rng, 2, 5)
    const agents = honestAgents(trial, {agents: ri(rng, 20, 400), observations: 3})
    const one = buildTreeInMemory(agents, {decimals: 3, leafSize, branching})
    const shape = treeShape(agents.length, leafSize, branching)
    for (let of = 1; of <= Math.min(7, shape.counts[0]!); of++) {
      const top: ChildInput[] = []
      let level = 0
      for (let k = 0; k < of; k++) {
        const plan = shardPlan(shape, k, of)
        level = plan.level
        let cur: ChildInput[] = agents.slice(plan.leafFirst, plan.leafEnd)
        for (let l = 1; l <= plan.level; l++) {
          const first = l === 1 ? plan.leafFirst / leafSize : plan.first * branching ** (plan.level - l)
          cur = buildLevel(cur, l - 1, l === 1 ? leafSize : branching, first, {decimals: 3}).nodes.map(nodeAsChild)
        }
        top.push(...cur)
      }
      let cur = top
      let root = null
      for (let l = level + 1; l <= shape.counts.length; l++) {
        const b = buildLevel(cur, l - 1, branching, 0, {decimals: 3})
        cur = b.nodes.map(nodeAsChild)
        root = b.nodes[0]
      }
      if (of === 1) assert.equal(level, shape.counts.length)
      else assert.equal(canonicalize(root), canonicalize(one.root), `trial ${trial} N=${of}`)
    }
  }
})
