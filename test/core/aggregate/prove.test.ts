// Inclusion proofs v2 (src/core/aggregate/prove.ts) on small signed trees built in process: every agent's proof
// verifies, every field change is rejected (exit 1) or refused as malformed (exit 2) and never accepted, a proof
// against another root is rejected, a v1 proof is refused, and the format fits 2 KB at the million-agent shape.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tempDir} from '../../helpers/cli.js'
import {ed25519} from '../../../src/core/crypto/ed25519.js'
import {keyIdOf} from '../../../src/core/keys/keyid.js'
import {TcpError, exitCodeOf} from '../../../src/core/errors.js'
import {Rng} from '../../../src/core/rng.js'
import {createBaseline} from '../../../src/core/baseline/baseline.js'
import type {TrustStore} from '../../../src/core/envelope/trust.js'
import {detectArtifact} from '../../../src/core/verify/detect.js'
import {buildTreeFiles} from '../../../src/core/aggregate/build.js'
import {agentId, agentObservations, inclusionPath, proveInclusion, signBaseline, treeShape, verifyInclusionProof, INCLUSION_TYPE, type InclusionProof} from '../../../src/core/aggregate/index.js'

const key = () => {
  const secretKey = ed25519.randomSecretKey()
  const publicKey = ed25519.getPublicKey(secretKey)
  return {secretKey, publicKey, keyId: keyIdOf(publicKey)}
}
const rec = key()
const agg = key()
const trust: TrustStore = {keys: [rec, agg].map((k) => ({type: 'ed25519' as const, publicKey: k.publicKey, keyId: k.keyId})), revoked: new Set(), source: 'test keys'}
const {dir, cleanup} = tempDir('tcp-prove-')

/** Signed per-agent baselines of `n` seeded agents as a JSON Lines source. */
function leaves(file: string, n: number, seed: number): string {
  const rng = new Rng(seed)
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const obs = agentObservations(rng, {agents: 1, observations: 6})
    const rows = obs.latency!.map((_, j) => ({agent: agentId(i), time: Date.UTC(2026, 0, 1) + j * 60000, values: {latency: obs.latency![j]!, calls: obs.calls![j]!}}))
    const b = createBaseline({features: ['latency', 'calls'], rows}, {subject: `fleet/${agentId(i)}`, agent: agentId(i), created: '2026-01-02T00:00:00.000Z', momentsDecimals: 3})
    lines.push(JSON.stringify(signBaseline(b, rec)))
  }
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

async function tree(name: string, n: number, seed: number, leafSize = 4, branching = 3): Promise<{dir: string; root: unknown}> {
  const out = join(dir, name)
  await buildTreeFiles({from: leaves(join(dir, `${name}.jsonl`), n, seed), trust, signer: agg, out, leafSize, branching, workers: 0})
  return {dir: out, root: JSON.parse(readFileSync(join(out, 'root.dsse.json'), 'utf8'))}
}

/** 0 accepted, 1 rejected, 2 refused as bad input; anything else (a crash) fails the test. */
function outcome(proof: unknown, root: unknown): number {
  try {
    return verifyInclusionProof(proof, root, trust).ok ? 0 : 1
  } catch (e) {
    if (e instanceof TcpError) return exitCodeOf(e.code)
    throw e
  }
}

const flip = (b64: string): string => {
  const b = Buffer.from(b64, 'base64')
  b[7] ^= 0x10
  return b.toString('base64')
}

/** Every change of one field of the proof (value, type, presence), each a new document (no-op changes left out). */
function fieldChanges(p: InclusionProof, other: InclusionProof): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  const put = (what: string, f: (q: any) => void) => {
    const q = structuredClone(p) as any
    f(q)
    if (JSON.stringify(q) !== JSON.stringify(p)) out.push([what, q])
  }
  put('type', (q) => (q.type = 'tcp.aggregate.inclusion/v3'))
  put('agent: another agent', (q) => (q.agent = other.agent))
  put('agent: one more character', (q) => (q.agent += 'x'))
  put('agent: empty', (q) => (q.agent = ''))
  put('leaf: another agent\'s', (q) => (q.leaf = other.leaf))
  put('leaf: one bit', (q) => (q.leaf = flip(q.leaf)))
  put('levels: the other proof\'s', (q) => (q.levels = structuredClone(other.levels)))
  put('levels: one fewer', (q) => q.levels.pop())
  put('levels: one more', (q) => q.levels.push(structuredClone(q.levels.at(-1))))
  put('levels: first two swapped', (q) => q.levels.splice(0, 2, q.levels[1], q.levels[0]))
  put('levels: empty', (q) => (q.levels = []))
  for (const k of ['type', 'agent', 'leaf', 'levels']) put(`${k}: missing`, (q) => delete q[k])
  put('an extra field', (q) => (q.root = q.leaf))
  p.levels.forEach((l, i) => {
    const w = `levels[${i}]`
    for (const k of ['index', 'size', 'position'] as const)
      for (const d of [-1, 1, 2 ** 32]) if (l[k] + d >= 0) put(`${w}.${k} ${d > 0 ? '+' : ''}${d}`, (q) => (q.levels[i][k] += d))
    for (const k of ['index', 'size', 'position', 'body', 'path']) {
      put(`${w}.${k}: missing`, (q) => delete q.levels[i][k])
      put(`${w}.${k}: another type`, (q) => (q.levels[i][k] = typeof q.levels[i][k] === 'string' ? 1 : String(q.levels[i][k])))
    }
    put(`${w}.body: one bit`, (q) => (q.levels[i].body = flip(q.levels[i].body)))
    put(`${w}.body: the other proof's`, (q) => (q.levels[i].body = other.levels[i]!.body))
    put(`${w}.level (a v1 member)`, (q) => (q.levels[i].level = i + 1))
    l.path.forEach((_, j) => {
      put(`${w}.path[${j}]: one bit`, (q) => (q.levels[i].path[j] = flip(q.levels[i].path[j])))
      put(`${w}.path[${j}]: removed`, (q) => q.levels[i].path.splice(j, 1))
      put(`${w}.path[${j}]: doubled`, (q) => q.levels[i].path.splice(j, 0, q.levels[i].path[j]))
    })
    put(`${w}.path: one more`, (q) => q.levels[i].path.push(q.leaf))
    if (l.path.length > 1) put(`${w}.path: reversed`, (q) => q.levels[i].path.reverse())
  })
  return out
}

describe('inclusion proofs v2', () => {
  let a: {dir: string; root: unknown}
  before(async () => {
    // 61 agents, 4 per level-1 node, 3 per node above: 16, 6, 2, 1 nodes; L1/15 has one child (an empty path)
    a = await tree('a', 61, 1)
  })
  after(cleanup)

  it('every agent\'s proof verifies, with the same shape as the tree, and names no root of its own', async () => {
    for (let i = 0; i < 61; i++) {
      const {proof, root} = await proveInclusion(a.dir, agentId(i))
      assert.equal(proof.type, INCLUSION_TYPE)
      assert.deepEqual(Object.keys(proof), ['type', 'agent', 'leaf', 'levels'])
      assert.equal(proof.levels.length, 4)
      const r = verifyInclusionProof(proof, a.root, trust)
      assert.ok(r.ok, `${agentId(i)}: ${JSON.stringify(r.checks)}`)
      assert.equal(r.root, root)
      assert.equal(r.agent, agentId(i))
    }
    assert.deepEqual((await proveInclusion(a.dir, agentId(60))).proof.levels[0]!.path, [])
  })

  it('every change of any field is rejected (1) or refused as malformed (2), never accepted', async () => {
    for (const [x, y] of [[60, 3], [13, 14], [0, 59]] as const) {
      const p = (await proveInclusion(a.dir, agentId(x))).proof
      const other = (await proveInclusion(a.dir, agentId(y))).proof
      const seen = {1: 0, 2: 0}
      for (const [what, q] of fieldChanges(p, other)) {
        const code = outcome(q, a.root)
        assert.ok(code === 1 || code === 2, `${agentId(x)}: ${what}: exit ${code}`)
        seen[code]++
      }
      assert.ok(seen[1] > 10 && seen[2] > 10, JSON.stringify(seen))
    }
  })

  it('a broken chain does not say at which level it breaks, except a path of the wrong length', async () => {
    const p = (await proveInclusion(a.dir, agentId(13))).proof
    const q = structuredClone(p)
    q.levels[1]!.path[0] = flip(q.levels[1]!.path[0]!)
    const r = verifyInclusionProof(q, a.root, trust)
    assert.equal(r.ok, false)
    assert.match(r.checks.at(-1)!.detail!, /does not reach the signed root/)
    q.levels[1]!.path.pop()
    assert.match(verifyInclusionProof(q, a.root, trust).checks.at(-1)!.detail!, /^level 2: the path has \d+ hashes, the wrong length/)
    const top = structuredClone(p)
    top.levels[3]!.index = 1
    assert.match(verifyInclusionProof(top, a.root, trust).checks.at(-1)!.detail!, /level 4: index 1, the signed root is L4\/0/)
  })

  it('a proof against another root is rejected, of the same shape or not', async () => {
    const b = await tree('b', 61, 2)
    const c = await tree('c', 61, 1, 4, 8)
    const p = (await proveInclusion(a.dir, agentId(20))).proof
    assert.equal(outcome(p, b.root), 1)
    const r = verifyInclusionProof(p, c.root, trust)
    assert.equal(r.ok, false)
    assert.match(r.checks.at(-1)!.detail!, /the proof has 4 levels, the root is at level 3/)
    assert.ok(verifyInclusionProof((await proveInclusion(b.dir, agentId(20))).proof, b.root, trust).ok)
  })

  it('a v1 proof is refused (exit 2) by the verifier and by detection, saying to re-run tcp aggregate prove', async () => {
    const {proof, root} = await proveInclusion(a.dir, agentId(5))
    const v1 = {...proof, type: 'tcp.aggregate.inclusion/v1', root: Buffer.from(root, 'hex').toString('base64'), levels: proof.levels.map((l, i) => ({level: i + 1, ...l, node: proof.leaf}))}
    for (const f of [() => verifyInclusionProof(v1, a.root, trust), () => detectArtifact(v1)])
      assert.throws(f, (e: unknown) => e instanceof TcpError && e.code === 'input' && /tcp\.aggregate\.inclusion\/v1.*re-run tcp aggregate prove/.test(e.message))
    assert.equal(detectArtifact(proof), 'aggregate-inclusion')
  })

  it('a well-formed proof fits 2 KB at the million-agent shape (50 agents per local node, 10 per node above), at its largest', () => {
    // Each level at its largest: the last node's index, the longest audit path its size allows.
    const shape = treeShape(1_000_000, 50, 10)
    const digest = Buffer.alloc(32, 0xff).toString('base64')
    const levels = shape.counts.map((count, l) => {
      const size = l === 0 ? 50 : Math.min(10, shape.counts[l - 1]!)
      const dummy = Array.from({length: size}, () => new Uint8Array(1))
      const longest = Math.max(...dummy.map((_, m) => inclusionPath(dummy, m).length))
      return {index: count - 1, size, body: digest, position: size - 1, path: Array.from({length: longest}, () => digest)}
    })
    assert.equal(levels.reduce((s, l) => s + l.path.length, 0), 23)
    const proof: InclusionProof = {type: INCLUSION_TYPE, agent: agentId(999_999), leaf: digest, levels}
    assert.ok(JSON.stringify(proof).length + 1 < 2048, `${JSON.stringify(proof).length + 1} bytes`)
    // a well-formed proof (the verifier reads it and rejects it for its level count, not as malformed)
    assert.match(verifyInclusionProof(proof, a.root, trust).checks.at(-1)!.detail!, /the proof has 6 levels, the root is at level 4/)
  })
})
