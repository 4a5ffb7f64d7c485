import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync, readdirSync, cpSync, mkdirSync, copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir, BIN} from '../helpers/cli.js'
import {Rng} from '../../src/core/rng.js'
import {readPrivateKeyFile, readPublicKeyFile} from '../../src/core/keys/files.js'
import {trustFromFiles} from '../../src/core/envelope/trust.js'
import {openLeaf} from '../../src/core/aggregate/leaf.js'
import {buildLevel, nodeAsChild, nodeOfEnvelope, openNode, signNode, computeNode, proveInclusion, verifyInclusionProof, type AggregateNode} from '../../src/core/aggregate/index.js'
import {childrenFile, nodesFile} from '../../src/core/aggregate/files.js'
import {TcpError} from '../../src/core/errors.js'

const {dir, cleanup} = tempDir('tcp-agg-')
const p = (...x: string[]) => join(dir, ...x)
const AGENTS = 230

/** Observations: 6 per agent; agents a0050..a0099 (one whole level-1 node with leaf size 50) are shifted by `shift`. */
function observations(file: string, shift = 0, seed = 3): void {
  const rng = new Rng(seed)
  const lines: string[] = []
  for (let a = 0; a < AGENTS; a++) {
    const mu = 100 + 3 * rng.normal() + (a >= 50 && a < 100 ? shift : 0)
    for (let i = 0; i < 6; i++)
      lines.push(JSON.stringify({time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), agent: `a${String(a).padStart(4, '0')}`, lat: Number((mu + 10 * rng.normal()).toFixed(2)), calls: Number((5 + rng.normal()).toFixed(1))}))
  }
  writeFileSync(file, lines.join('\n') + '\n')
}

before(async () => {
  for (const k of ['rec', 'agg', 'other']) assert.equal((await tcp(['keys', 'generate', '--out', p(k), '--unencrypted'])).code, 0)
  observations(p('obs.jsonl'))
  observations(p('poison.jsonl'), 40)
  const r = await tcp(['baseline', 'create', '--per-agent', '--from', p('obs.jsonl'), '--subject', 'fleet', '--key', p('rec.key'), '--out-dir', p('leaves'), '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.json().agents, AGENTS)
  assert.equal((await tcp(['baseline', 'create', '--per-agent', '--from', p('poison.jsonl'), '--subject', 'fleet', '--key', p('rec.key'), '--out-dir', p('pleaves')])).code, 0)
  const b = await tcp(['aggregate', 'build', '--from', p('leaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('tree'), '--json'])
  assert.equal(b.code, 0, b.stdout + b.stderr)
})
after(cleanup)

const PUBS = () => ['--pub', p('agg.pub'), '--pub', p('rec.pub')]

test('per-agent baselines carry exact moments; a baseline with a non-agent record or a bad id is refused', async () => {
  const env = JSON.parse(readFileSync(p('leaves', 'a0007.dsse.json'), 'utf8'))
  const b = JSON.parse(Buffer.from(env.payload, 'base64').toString())
  assert.equal(b.agent, 'a0007')
  assert.equal(b.moments.decimals, 3)
  assert.equal(b.moments.features.lat.n, '6')
  assert.equal((await tcp(['verify', p('leaves', 'a0007.dsse.json'), '--pub', p('rec.pub')])).code, 0)
  writeFileSync(p('noagent.jsonl'), '{"time":"2026-01-01T00:00:00Z","x":1}\n{"time":"2026-01-01T00:01:00Z","x":2}\n')
  const r = await tcp(['baseline', 'create', '--per-agent', '--from', p('noagent.jsonl'), '--subject', 'f', '--key', p('rec.key'), '--out-dir', p('x')])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /names no agent/)
  const again = await tcp(['baseline', 'create', '--per-agent', '--from', p('obs.jsonl'), '--subject', 'fleet', '--key', p('rec.key'), '--out-dir', p('leaves')])
  assert.equal(again.code, 2)
  assert.match(again.stderr, /already exists/)
})

test('build: root verifies, inclusion proof verifies; a changed proof is rejected, a path of the wrong length naming its level; v1 is refused', async () => {
  const v = await tcp(['verify', p('tree', 'root.dsse.json'), '--pub', p('agg.pub'), '--json'])
  assert.equal(v.code, 0, v.stdout)
  assert.equal(v.json().report.leaves, AGENTS)
  assert.equal((await tcp(['verify', p('tree', 'root.dsse.json'), '--pub', p('rec.pub')])).code, 1, 'a root signed by an untrusted key is rejected')
  const pr = await tcp(['aggregate', 'prove', '--tree', p('tree'), '--agent', 'a0123', '--out', p('incl.json'), '--json'])
  assert.equal(pr.code, 0, pr.stderr)
  assert.equal(pr.json().bytes, readFileSync(p('incl.json')).length)
  const ok = await tcp(['verify', p('incl.json'), '--root', p('tree', 'root.dsse.json'), '--pub', p('agg.pub'), '--json'])
  assert.equal(ok.code, 0, ok.stdout)
  assert.equal(ok.json().report.root, pr.json().root, 'the root prove names is the signed one the proof reaches')
  const proof = JSON.parse(readFileSync(p('incl.json'), 'utf8'))
  assert.equal(proof.type, 'tcp.aggregate.inclusion/v2')
  const path = proof.levels[1].path
  path[0] = Buffer.from(Buffer.from(path[0], 'base64').map((x: number, i: number) => (i === 0 ? x ^ 1 : x))).toString('base64')
  writeFileSync(p('bad-incl.json'), JSON.stringify(proof))
  const bad = await tcp(['verify', p('bad-incl.json'), '--root', p('tree', 'root.dsse.json'), '--pub', p('agg.pub'), '--json'])
  assert.equal(bad.code, 1)
  assert.match(JSON.stringify(bad.json()), /does not reach the signed root/)
  path.pop()
  writeFileSync(p('short-incl.json'), JSON.stringify(proof))
  const short = await tcp(['verify', p('short-incl.json'), '--root', p('tree', 'root.dsse.json'), '--pub', p('agg.pub')])
  assert.equal(short.code, 1)
  assert.match(short.stderr, /level 2: the path has/)
  assert.equal((await tcp(['verify', p('incl.json'), '--pub', p('agg.pub')])).code, 2, 'no --root: usage')
  writeFileSync(p('malformed-incl.json'), JSON.stringify({...proof, levels: []}))
  assert.equal((await tcp(['verify', p('malformed-incl.json'), '--root', p('tree', 'root.dsse.json'), '--pub', p('agg.pub')])).code, 2, 'malformed proof: input')
  // a proof of the v1 format (per-level node digests and the root's digest) is refused whatever the flags
  const good = JSON.parse(readFileSync(p('incl.json'), 'utf8'))
  const v1 = {...good, type: 'tcp.aggregate.inclusion/v1', root: Buffer.from(pr.json().root, 'hex').toString('base64'), levels: good.levels.map((l: object, i: number) => ({level: i + 1, ...l, node: good.leaf}))}
  writeFileSync(p('v1-incl.json'), JSON.stringify(v1))
  for (const extra of [['--root', p('tree', 'root.dsse.json')], []]) {
    const r = await tcp(['verify', p('v1-incl.json'), ...extra, '--pub', p('agg.pub')])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /tcp\.aggregate\.inclusion\/v1" proof is no longer read: re-run tcp aggregate prove/)
  }
  const z = await tcp(['aggregate', 'build', '--from', p('leaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('ztree'), '--outlier-z', 'abc'])
  assert.equal(z.code, 2)
  assert.match(z.stderr, /--outlier-z/)
  assert.equal((await tcp(['aggregate', 'prove', '--tree', p('tree'), '--agent', 'nobody', '--out', p('n.json')])).code, 2)
})

test('every single-byte change of the root node or of an inclusion proof is rejected or refused, never accepted', async () => {
  const trust = await trustFromFiles([p('agg.pub')])
  const rootText = readFileSync(p('tree', 'root.dsse.json'), 'utf8')
  const proofText = readFileSync(p('incl.json'), 'utf8')
  // the proof flipped below carries every member of the format, each level's too
  assert.deepEqual(Object.keys(JSON.parse(proofText)), ['type', 'agent', 'leaf', 'levels'])
  for (const l of JSON.parse(proofText).levels) assert.deepEqual(Object.keys(l), ['index', 'size', 'body', 'position', 'path'])
  const same = (a: string, b: string) => {
    try {
      return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b))
    } catch {
      return false
    }
  }
  // Text that is not JSON is refused when read; a TcpError is a refusal (exit 2) or rejection (exit 1); any other
  // exception is a crash and fails the test.
  const accepted = (proof: string, root: string) => {
    let docs: [unknown, unknown]
    try {
      docs = [JSON.parse(proof), JSON.parse(root)]
    } catch {
      return false
    }
    try {
      return verifyInclusionProof(docs[0], docs[1], trust).ok
    } catch (e) {
      if (e instanceof TcpError) return false
      throw e
    }
  }
  assert.ok(accepted(proofText, rootText))
  const mutate = (s: string, i: number) => {
    const c = s.charCodeAt(i)
    const r = c === 0x41 ? 'B' : c === 0x30 ? '1' : String.fromCharCode(c ^ 1)
    return s.slice(0, i) + r + s.slice(i + 1)
  }
  let tried = 0
  // DSSE's keyid is an unauthenticated hint (a signature under an unknown keyid is tried against the trusted keys),
  // so a change inside it alone is not a forgery; every other byte must be.
  const hint = /"keyid":\s*"([^"]*)"/.exec(rootText)!
  const hintStart = hint.index + hint[0].length - hint[1]!.length - 1
  const inHint = (i: number) => i >= hintStart && i < hintStart + hint[1]!.length
  for (let i = 0; i < rootText.length; i++) {
    if (inHint(i)) continue
    const m = mutate(rootText, i)
    if (same(m, rootText)) continue
    tried++
    assert.ok(!accepted(proofText, m), `root byte ${i} changed and still accepted`)
  }
  for (let i = 0; i < proofText.length; i++) {
    const m = mutate(proofText, i)
    if (same(m, proofText)) continue
    tried++
    assert.ok(!accepted(m, rootText), `proof byte ${i} (${proofText.slice(Math.max(0, i - 20), i + 20)}) changed and still accepted`)
  }
  assert.ok(tried > 1500)
})

test('--audit: the honest tree follows; a sampled audit prints escape probabilities', async () => {
  const a = await tcp(['verify', p('tree', 'root.dsse.json'), ...PUBS(), '--audit', p('tree'), '--json'])
  assert.equal(a.code, 0, a.stdout)
  assert.equal(a.json().report.findings.length, 0)
  const s = await tcp(['verify', p('tree', 'root.dsse.json'), ...PUBS(), '--audit', p('tree'), '--sample', '2', '--seed', '5', '--json'])
  assert.equal(s.code, 0, s.stdout)
  assert.equal(s.json().report.sample.paths, 2)
  assert.ok(s.json().report.sample.escape[0].escapeProbability > 0 && s.json().report.sample.escape[0].escapeProbability < 1)
  // without the leaves' signer in the trust, the audit cannot accept the leaves
  assert.equal((await tcp(['verify', p('tree', 'root.dsse.json'), '--pub', p('agg.pub'), '--audit', p('tree')])).code, 1)
})

/** A dishonest aggregator (holding a trusted key) replaces node `index` of level 1 and the levels above are rebuilt
 * honestly over its lie: the root signature and every inclusion proof still verify. */
async function tamperLevel1(tree: string, index: number, change: (n: AggregateNode, kids: Array<[string, string]>) => void): Promise<void> {
  const key = await readPrivateKeyFile(p('agg.key'), async () => new Uint8Array(0))
  const trust = await trustFromFiles([p('agg.pub')])
  const lines = readFileSync(nodesFile(tree, 1), 'utf8').trimEnd().split('\n')
  const kidsLines = readFileSync(childrenFile(tree, 1), 'utf8').trimEnd().split('\n')
  const node = structuredClone(nodeOfEnvelope(JSON.parse(lines[index]!)).node)
  const kids = JSON.parse(kidsLines[index]!)
  change(node, kids)
  lines[index] = JSON.stringify(signNode(node, key))
  kidsLines[index] = JSON.stringify(kids)
  writeFileSync(nodesFile(tree, 1), lines.join('\n') + '\n')
  writeFileSync(childrenFile(tree, 1), kidsLines.join('\n') + '\n')
  let cur = lines.map((l) => openNode(JSON.parse(l), trust, 'n').child)
  for (let level = 2; readdirSync(tree).includes(`L${level}.nodes.jsonl`); level++) {
    const b = buildLevel(cur, level - 1, 10, 0, {decimals: 3, signer: key})
    writeFileSync(nodesFile(tree, level), b.envelopes.map((e) => JSON.stringify(e) + '\n').join(''))
    writeFileSync(childrenFile(tree, level), b.children.map((e) => JSON.stringify(e) + '\n').join(''))
    cur = b.nodes.map(nodeAsChild)
    if (b.nodes.length === 1) writeFileSync(join(tree, 'root.dsse.json'), JSON.stringify(b.envelopes[0]))
  }
}

test('--audit names the aggregator that alters or invents a child, or loosens its test; the root alone does not catch it', async () => {
  for (const [name, change] of [
    ['altered', (n: AggregateNode) => {
      // a low variance, exact-merge-valid: m2n divided by 4 rounded to keep m2n + sum^2 a multiple of n
      const f = n.features.lat!
      const N = BigInt(f.n), S = BigInt(f.sum)
      const sq = (BigInt(f.m2n) / 4n + S * S) / N
      f.m2n = (N * sq - S * S).toString()
    }],
    ['invented', (n: AggregateNode, kids: Array<[string, string]>) => {
      kids.push(['zz-ghost', 'ab'.repeat(32)])
      n.children = kids.length
      const {childLeaf, merkleRoot} = requireMerkle
      n.merkleRoot = Buffer.from(merkleRoot(kids.map(([id, d]) => childLeaf(id, Buffer.from(d, 'hex'))))).toString('hex')
    }],
    ['lax', (n: AggregateNode) => {
      // raises its own outlier threshold: the node still follows from its children under its own parameters
      n.test.threshold = 1000
    }],
  ] as const) {
    const tree = p(`tree-${name}`)
    assert.equal((await tcp(['aggregate', 'build', '--from', p('leaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', tree])).code, 0)
    await tamperLevel1(tree, 2, change as (n: AggregateNode, k: Array<[string, string]>) => void)
    assert.equal((await tcp(['verify', join(tree, 'root.dsse.json'), '--pub', p('agg.pub')])).code, 0, 'the root signature alone cannot tell')
    const a = await tcp(['verify', join(tree, 'root.dsse.json'), ...PUBS(), '--audit', tree, '--json'])
    assert.equal(a.code, 1, `${name}: ${a.stdout}`)
    const findings = a.json().report.findings as Array<{node: string; problem: string}>
    assert.deepEqual(findings.map((f) => f.node), ['L1/2'], `${name}: ${JSON.stringify(findings)}`)
    assert.match(findings[0]!.problem, name === 'altered' ? /features\.lat\.m2n/ : name === 'invented' ? /Merkle root/ : /outlier test or grid/)
  }
})

const requireMerkle = await import('../../src/core/aggregate/merkle.js')

test('outliers: a poisoned level-1 node is a finding (exit 3) naming child and statistic; --exclude-outliers quarantines it', async () => {
  const r = await tcp(['aggregate', 'build', '--from', p('pleaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('ptree'), '--json'])
  assert.equal(r.code, 3, r.stdout)
  const f = r.json().findings
  assert.ok(f.some((x: any) => x.node === 'L2/0' && x.id === 'L1/1' && x.statistic === 'mean-shift' && x.feature === 'lat'), JSON.stringify(f))
  const h = await tcp(['aggregate', 'build', '--from', p('pleaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('ptree')])
  assert.equal(h.code, 2, 'refuses to overwrite')
  const ex = await tcp(['aggregate', 'build', '--from', p('pleaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('ptree2'), '--exclude-outliers'])
  assert.equal(ex.code, 3)
  assert.match(ex.stdout, /L1\/1.*quarantined/)
  const root = nodeOfEnvelope(JSON.parse(readFileSync(p('ptree2', 'root.dsse.json'), 'utf8'))).node
  const plain = nodeOfEnvelope(JSON.parse(readFileSync(p('ptree', 'root.dsse.json'), 'utf8'))).node
  assert.equal(root.leaves, AGENTS - 50)
  assert.ok(root.features.lat!.mean < plain.features.lat!.mean - 5)
  // the audit recomputes quarantines too
  assert.equal((await tcp(['verify', p('ptree2', 'root.dsse.json'), ...PUBS(), '--audit', p('ptree2')])).code, 0)
})

test('a leaf signed by an untrusted key, or filed under another agent, stops the build (fail closed)', async () => {
  assert.equal((await tcp(['baseline', 'create', '--per-agent', '--from', p('obs.jsonl'), '--subject', 'fleet', '--key', p('other.key'), '--out-dir', p('oleaves')])).code, 0)
  const r = await tcp(['aggregate', 'build', '--from', p('oleaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('otree')])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /leaf .*a0000\.dsse\.json/)
  writeFileSync(p('oleaves', 'a0001.dsse.json'), readFileSync(p('leaves', 'a0002.dsse.json')))
  const m = await tcp(['aggregate', 'build', '--from', p('oleaves'), '--pub', p('rec.pub'), '--pub', p('other.pub'), '--key', p('agg.key'), '--out', p('otree2')])
  assert.equal(m.code, 1)
  assert.match(m.stderr, /a0001.*filed as/)
})

function run(argv: string[]): Promise<number> {
  return new Promise((resolve) => spawn(process.execPath, [BIN, ...argv], {stdio: 'ignore', env: {...process.env, TCP_NO_CONFIG: '1'}}).on('exit', (c) => resolve(c ?? -1)))
}

test('three shard processes and a merge give the same root and tree bytes as one process', async () => {
  const base = ['aggregate', 'build', '--from', p('leaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--leaf-size', '10', '--branching', '4']
  assert.equal(await run([...base, '--out', p('one')]), 0)
  const codes = await Promise.all([0, 1, 2].map((k) => run([...base, '--shard', `${k}/3`, '--out', p(`s${k}`), '--workers', '1'])))
  assert.deepEqual(codes, [0, 0, 0])
  const shards = [2, 0, 1].map((k) => p(`s${k}`, 'shard.json'))
  const m = await tcp(['aggregate', 'merge', ...shards, '--pub', p('agg.pub'), '--key', p('agg.key'), '--out', p('merged.dsse.json'), '--tree', p('joined')])
  assert.equal(m.code, 0, m.stderr)
  assert.deepEqual(readFileSync(p('merged.dsse.json')), readFileSync(p('one', 'root.dsse.json')))
  for (const f of readdirSync(p('one'))) assert.deepEqual(readFileSync(p('joined', f)), readFileSync(p('one', f)), f)
  // a missing shard, a duplicated one, or one signed by an untrusted key is refused
  assert.equal((await tcp(['aggregate', 'merge', shards[0]!, shards[1]!, '--pub', p('agg.pub'), '--key', p('agg.key'), '--out', p('m2.json')])).code, 1)
  assert.equal((await tcp(['aggregate', 'merge', shards[0]!, shards[0]!, shards[1]!, '--pub', p('agg.pub'), '--key', p('agg.key'), '--out', p('m3.json')])).code, 1)
  assert.equal((await tcp(['aggregate', 'merge', ...shards, '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('m4.json')])).code, 1)
  // a shard signer that re-signs another shard's nodes at its own indices (agents counted twice) is refused
  const s0 = JSON.parse(readFileSync(shards[1]!, 'utf8')), s1 = JSON.parse(readFileSync(shards[2]!, 'utf8'))
  const key = await readPrivateKeyFile(p('agg.key'), async () => new Uint8Array(0))
  s1.nodes = s1.nodes.map((_: unknown, i: number) => signNode({...nodeOfEnvelope(s0.nodes[i]).node, index: s1.plan.first + i}, key))
  writeFileSync(p('s1-dup.json'), JSON.stringify(s1))
  const d = await tcp(['aggregate', 'merge', shards[1]!, p('s1-dup.json'), shards[0]!, '--pub', p('agg.pub'), '--key', p('agg.key'), '--out', p('m5.json')])
  assert.equal(d.code, 1, d.stderr)
  assert.match(d.stderr, /counted twice/)
  // proofs from the joined tree verify against the merged root
  const {proof} = await proveInclusion(p('joined'), 'a0200')
  const trust = await trustFromFiles([p('agg.pub')])
  assert.ok(verifyInclusionProof(proof, JSON.parse(readFileSync(p('merged.dsse.json'), 'utf8')), trust).ok)
  void computeNode
})

test('a JSON Lines source gives the same root as the directory; out of order or a bad agent id is refused', async () => {
  const names = readdirSync(p('leaves')).sort()
  const line = (n: string) => JSON.stringify(JSON.parse(readFileSync(p('leaves', n), 'utf8')))
  writeFileSync(p('leaves.jsonl'), names.map(line).join('\n') + '\n')
  const r = await tcp(['aggregate', 'build', '--from', p('leaves.jsonl'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('jtree'), '--workers', '0'])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(readFileSync(p('jtree', 'root.dsse.json')), readFileSync(p('tree', 'root.dsse.json')))
  const swapped = [names[1]!, names[0]!, ...names.slice(2)]
  writeFileSync(p('swapped.jsonl'), swapped.map(line).join('\n') + '\n')
  const s = await tcp(['aggregate', 'build', '--from', p('swapped.jsonl'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', p('stree')])
  assert.equal(s.code, 2)
  assert.match(s.stderr, /sorted by agent id/)
})

test('--audit refuses leaves that name one agent twice (a duplicate counted twice), even when the nodes were signed over them', async () => {
  const lines = readFileSync(p('leaves.jsonl'), 'utf8').trimEnd().split('\n')
  lines[1] = lines[0]!
  writeFileSync(p('dup.jsonl'), lines.join('\n') + '\n')
  const tree = p('dtree')
  assert.equal((await tcp(['aggregate', 'build', '--from', p('leaves.jsonl'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', tree, '--workers', '0'])).code, 0)
  const trust = await trustFromFiles([p('rec.pub')])
  const kids = lines.slice(0, 50).map((l, i) => openLeaf(JSON.parse(l), trust, 3, `leaf ${i}`))
  await tamperLevel1(tree, 0, (n, k) => {
    Object.assign(n, computeNode(kids, {level: 1, index: 0, aggregator: n.aggregator, decimals: 3, test: n.test}))
    k.splice(0, k.length, ...kids.map((c) => [c.id, Buffer.from(c.digest).toString('hex')] as [string, string]))
  })
  for (const extra of [[], ['--sample', '5', '--seed', '1']]) {
    const a = await tcp(['verify', join(tree, 'root.dsse.json'), ...PUBS(), '--audit', tree, '--leaves', p('dup.jsonl'), ...extra, '--json'])
    assert.equal(a.code, 1, a.stdout)
    assert.match(JSON.stringify(a.json().report.findings), /a0000.*once|sorted/)
  }
})

/** `NAME.jsonl`: the honest leaves and, after them, a baseline for a new agent `zz-NAME` signed with `key`. */
async function ghostLeaves(name: string, key: string): Promise<void> {
  const obs = readFileSync(p('obs.jsonl'), 'utf8').trimEnd().split('\n').slice(0, 6).map((l) => JSON.stringify({...JSON.parse(l), agent: `zz-${name}`}))
  writeFileSync(p(`${name}-obs.jsonl`), obs.join('\n') + '\n')
  assert.equal((await tcp(['baseline', 'create', '--per-agent', '--from', p(`${name}-obs.jsonl`), '--subject', 'fleet', '--key', p(key), '--out-dir', p(name)])).code, 0)
  const lines = readFileSync(p('leaves.jsonl'), 'utf8').trimEnd().split('\n')
  lines.push(JSON.stringify(JSON.parse(readFileSync(p(name, `zz-${name}.dsse.json`), 'utf8'))))
  writeFileSync(p(`${name}.jsonl`), lines.join('\n') + '\n')
}

test('--audit refuses an agent whose baseline the aggregator signed itself (a ghost agent made with the key the audit trusts for nodes)', async () => {
  await ghostLeaves('ghost', 'agg.key')
  const b = await tcp(['aggregate', 'build', '--from', p('ghost.jsonl'), ...PUBS(), '--key', p('agg.key'), '--out', p('gtree'), '--workers', '0'])
  assert.ok(b.code === 0 || b.code === 3, b.stderr)
  const a = await tcp(['verify', p('gtree', 'root.dsse.json'), ...PUBS(), '--audit', p('gtree'), '--json'])
  assert.equal(a.code, 1, a.stdout)
  assert.match(JSON.stringify(a.json().report.findings), /ghost\.jsonl:231.*no valid signature by a trusted key/)
})

test('--audit with --leaf-pub: a leaf signed by a node signer\'s key (a lower aggregator inventing an agent) is refused, naming the key; without roles it passes with a caveat', async () => {
  const other = (await readPublicKeyFile(p('other.pub'))).keyId
  await ghostLeaves('ghost2', 'other.key')
  const b = await tcp(['aggregate', 'build', '--from', p('ghost2.jsonl'), '--pub', p('rec.pub'), '--pub', p('other.pub'), '--key', p('agg.key'), '--out', p('g2tree'), '--workers', '0'])
  assert.ok(b.code === 0 || b.code === 3, b.stderr)
  const root = p('g2tree', 'root.dsse.json')
  // one store for both roles: the node signer's ghost is accepted, and the report says roles were not separated
  const one = await tcp(['verify', root, ...PUBS(), '--pub', p('other.pub'), '--audit', p('g2tree'), '--json'])
  assert.equal(one.code, 0, one.stdout)
  assert.match(one.json().report.caveats.join(' '), /roles: one trust store signs nodes and leaves/)
  assert.equal(one.json().report.leafTrust, undefined)
  assert.match((await tcp(['verify', root, ...PUBS(), '--pub', p('other.pub'), '--audit', p('g2tree')])).stdout, /^not checked: roles: /m)
  const sep = await tcp(['verify', root, '--pub', p('agg.pub'), '--pub', p('other.pub'), '--leaf-pub', p('rec.pub'), '--audit', p('g2tree'), '--json'])
  assert.equal(sep.code, 1, sep.stdout)
  assert.match(JSON.stringify(sep.json().report.findings), new RegExp(`ghost2\\.jsonl:231.*signed by ${other}, a node signer \\(--pub [^)]*\\), not a leaf signer`))
  assert.equal(sep.json().report.leafTrust, `--leaf-pub ${p('rec.pub')}`)
  assert.equal(sep.json().report.caveats, undefined)
})

test('--audit with --leaf-pub: a node (the root, or a lower one) signed by a leaf signer\'s key is refused, naming the key', async () => {
  const rec = (await readPublicKeyFile(p('rec.pub'))).keyId
  assert.equal((await tcp(['aggregate', 'build', '--from', p('leaves'), '--pub', p('rec.pub'), '--key', p('rec.key'), '--out', p('rtree')])).code, 0)
  const r = await tcp(['verify', p('rtree', 'root.dsse.json'), '--pub', p('agg.pub'), '--leaf-pub', p('rec.pub'), '--audit', p('rtree'), '--json'])
  assert.equal(r.code, 1, r.stdout)
  assert.match(r.json().report.checks[0].detail, new RegExp(`^root: .*signed by ${rec}, a leaf signer \\(--leaf-pub [^)]*\\), not a node signer`))
  // a level-1 node signed by the recorder under an honest aggregator's root
  cpSync(p('tree'), p('mtree'), {recursive: true})
  copyFileSync(nodesFile(p('rtree'), 1), nodesFile(p('mtree'), 1))
  const m = await tcp(['verify', p('mtree', 'root.dsse.json'), '--pub', p('agg.pub'), '--leaf-pub', p('rec.pub'), '--audit', p('mtree'), '--json'])
  assert.equal(m.code, 1, m.stdout)
  assert.match(JSON.stringify(m.json().report.findings.find((f: {node: string}) => f.node === 'L1/0')), new RegExp(`signed by ${rec}, a leaf signer`))
  // without roles the recorder's signature on a node is accepted: only the parent, which no longer follows, fails
  assert.equal((await tcp(['verify', p('mtree', 'root.dsse.json'), ...PUBS(), '--audit', p('mtree')])).code, 1)
})

test('--audit with roles: the honest tree verifies under --leaf-pub and --leaf-trust; a key in both roles, a bad --leaf-pub, or --leaf-pub without --audit is exit 2', async () => {
  const root = p('tree', 'root.dsse.json')
  const a = await tcp(['verify', root, '--pub', p('agg.pub'), '--leaf-pub', p('rec.pub'), '--audit', p('tree'), '--json'])
  assert.equal(a.code, 0, a.stdout)
  assert.equal(a.json().report.trust, `--pub ${p('agg.pub')}`)
  assert.equal(a.json().report.leafTrust, `--leaf-pub ${p('rec.pub')}`)
  assert.equal(a.json().report.caveats, undefined)
  const text = await tcp(['verify', root, '--pub', p('agg.pub'), '--leaf-pub', p('rec.pub'), '--audit', p('tree'), '--sample', '2'])
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, /^leaf trust: --leaf-pub /m)
  assert.doesNotMatch(text.stdout, /not checked/)
  mkdirSync(p('leaf-trust'))
  copyFileSync(p('rec.pub'), p('leaf-trust', 'rec.pub'))
  const d = await tcp(['verify', root, '--pub', p('agg.pub'), '--leaf-trust', p('leaf-trust'), '--audit', p('tree'), '--json'])
  assert.equal(d.code, 0, d.stdout)
  assert.equal(d.json().report.leafTrust, `--leaf-trust ${p('leaf-trust')}`)
  // the recorder's key without roles is still needed: under roles, the node store alone does not sign leaves
  assert.equal((await tcp(['verify', root, '--pub', p('agg.pub'), '--leaf-pub', p('other.pub'), '--audit', p('tree')])).code, 1)
  const both = await tcp(['verify', root, ...PUBS(), '--leaf-pub', p('rec.pub'), '--audit', p('tree')])
  assert.equal(both.code, 2)
  assert.match(both.stderr, /both a node signer .* and a leaf signer .*: give each key one role/)
  writeFileSync(p('bad.pub'), 'not a key\n')
  for (const bad of [p('bad.pub'), p('missing.pub')]) {
    const r = await tcp(['verify', root, '--pub', p('agg.pub'), '--leaf-pub', bad, '--audit', p('tree')])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, new RegExp(bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  }
  assert.equal((await tcp(['verify', root, '--pub', p('agg.pub'), '--leaf-pub', p('rec.pub')])).code, 2)
})

test('a sampled --audit refuses an upper node whose children cover the same agents (an unsampled node repeating a sampled one)', async () => {
  const tree = p('otree')
  assert.equal((await tcp(['aggregate', 'build', '--from', p('leaves.jsonl'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', tree, '--workers', '0'])).code, 0)
  const node0 = nodeOfEnvelope(JSON.parse(readFileSync(nodesFile(tree, 1), 'utf8').split('\n')[0]!)).node
  const kids0 = JSON.parse(readFileSync(childrenFile(tree, 1), 'utf8').split('\n')[0]!) as Array<[string, string]>
  await tamperLevel1(tree, 1, (n, k) => {
    Object.assign(n, structuredClone(node0), {index: 1})
    k.splice(0, k.length, ...kids0)
  })
  // seed 4 samples only L1/0, which is honest; L2/0 follows from its stored children
  const a = await tcp(['verify', join(tree, 'root.dsse.json'), ...PUBS(), '--audit', tree, '--sample', '1', '--seed', '4', '--json'])
  assert.equal(a.code, 1, a.stdout)
  assert.match(JSON.stringify(a.json().report.findings), /L2\/0.*L1\/1 covers agents a0000\.\.a0049/)
})

test('an inclusion proof whose size does not fit the u32 the node digest hashes is bad input, not an alias of size mod 2^32', async () => {
  const {proof} = await proveInclusion(p('tree'), 'a0017')
  proof.levels[0]!.size += 2 ** 32
  const trust = await trustFromFiles([p('agg.pub')])
  assert.throws(() => verifyInclusionProof(proof, JSON.parse(readFileSync(p('tree', 'root.dsse.json'), 'utf8')), trust), /size: expected 1\.\.2\^32 - 1/)
})

test('--audit of a one-level tree compares the signed root with the stored node (a root that lies about its one node\'s leaves is refused)', async () => {
  // 230 agents with --leaf-size 230: one level-1 node, which is the root; no level above compares it with the root
  const tree = p('onetree')
  assert.equal((await tcp(['aggregate', 'build', '--from', p('leaves'), '--pub', p('rec.pub'), '--key', p('agg.key'), '--out', tree, '--leaf-size', String(AGENTS)])).code, 0)
  assert.equal((await tcp(['verify', join(tree, 'root.dsse.json'), ...PUBS(), '--audit', tree])).code, 0)
  const key = await readPrivateKeyFile(p('agg.key'), async () => new Uint8Array(0))
  const node = structuredClone(nodeOfEnvelope(JSON.parse(readFileSync(join(tree, 'root.dsse.json'), 'utf8'))).node)
  node.leaves += 1000
  writeFileSync(join(tree, 'root.dsse.json'), JSON.stringify(signNode(node, key)))
  for (const extra of [[], ['--sample', '1']]) {
    const a = await tcp(['verify', join(tree, 'root.dsse.json'), ...PUBS(), '--audit', tree, ...extra, '--json'])
    assert.equal(a.code, 1, `${extra.join(' ')}: ${a.stdout}`)
    assert.deepEqual(a.json().report.findings.map((f: {node: string; problem: string}) => [f.node, f.problem]), [['L1/0', 'the stored top node is not the signed root']])
  }
})
