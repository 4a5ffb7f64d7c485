/**
 * `tcp aggregate merge`: the signed nodes of N shard roots (shard.json) become one root, the same bytes one process
 * would have built. Each shard's plan must be the one its tree shape gives, the shards must be 0..N-1 once each,
 * and every node must be signed by a trusted key that is its own aggregator and sit at its planned index.
 * With a tree directory, the shards' level files are joined into one tree, identical to a one-process build.
 */
import {createReadStream} from 'node:fs'
import {dirname, join} from 'node:path'
import {canonicalize} from '../canonical/jcs.js'
import {toHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {createOutput, readJsonFile, writeFileAtomic, assertAbsent} from '../io.js'
import {encodeEnvelope, type Signer} from '../envelope/dsse.js'
import type {TrustStore} from '../envelope/trust.js'
import {keyIdOf} from '../keys/keyid.js'
import {nodeAsChild, nodeDigest, type AggregateNode, type ChildInput} from './node.js'
import {openNode} from './leaf.js'
import {buildLevel, shardPlan, treeShape} from './tree.js'
import {childrenFile, jsonText, manifestOf, nodesFile, readManifest, SHARD_TYPE, type ShardRoot} from './files.js'
import {findingsOf, type Finding} from './build.js'

export interface MergeOptions {
  shards: string[]
  trust: TrustStore
  signer: Signer
  out: string
  tree?: string
  force?: boolean
  now?: number
}

export interface MergeResult {
  root: string
  out: string
  shards: number
  leaves: number
  findings: Finding[]
  tree: string | null
}

function readShard(doc: unknown, path: string): ShardRoot {
  const s = doc as ShardRoot
  if (!s || typeof s !== 'object' || s.type !== SHARD_TYPE) throw new TcpError('input', `shard root ${path}: type must be "${SHARD_TYPE}"`)
  if (!s.plan || typeof s.plan !== 'object' || !Array.isArray(s.nodes)) throw new TcpError('input', `shard root ${path}: needs a plan and nodes`)
  const shape = treeShape(s.leaves, s.leafSize, s.branching)
  const want = shardPlan(shape, s.plan.shard, s.plan.of)
  if (canonicalize(want) !== canonicalize(s.plan)) throw new TcpError('rejected', `shard root ${path}: its plan is not the one ${s.leaves} leaves give for shard ${s.plan.shard}/${s.plan.of}`)
  if (s.nodes.length !== want.end - want.first) throw new TcpError('rejected', `shard root ${path}: ${s.nodes.length} nodes, its plan has ${want.end - want.first}`)
  return s
}

export async function mergeShards(o: MergeOptions): Promise<MergeResult> {
  if (o.shards.length === 0) throw new TcpError('usage', 'merge: no shard roots given')
  if (!o.force) await assertAbsent(o.out, 'root')
  const shards: Array<{path: string; s: ShardRoot}> = []
  for (const p of o.shards) shards.push({path: p, s: readShard(await readJsonFile(p, {what: 'shard root'}), p)})
  shards.sort((a, b) => a.s.plan.shard - b.s.plan.shard)
  const first = shards[0]!.s
  const key = (s: ShardRoot) => canonicalize([s.leaves, s.leafSize, s.branching, s.decimals, s.plan.of, s.plan.level])
  shards.forEach(({s, path}, i) => {
    if (key(s) !== key(first)) throw new TcpError('rejected', `shard root ${path}: its tree (leaves, leaf size, branching, decimals, shards, level) differs from ${shards[0]!.path}'s`)
    if (s.plan.shard !== i) throw new TcpError('rejected', `shards: shard ${i} of ${first.plan.of} is ${i < s.plan.shard ? 'missing' : 'given twice'}`)
  })
  if (shards.length !== first.plan.of) throw new TcpError('rejected', `shards: ${shards.length} given, the plan has ${first.plan.of}`)
  const shape = treeShape(first.leaves, first.leafSize, first.branching)
  const level = first.plan.level
  const children: ChildInput[] = []
  const nodes: AggregateNode[] = []
  for (const {s, path} of shards)
    s.nodes.forEach((env, i) => {
      const what = `shard root ${path}: node ${i}`
      const {node, child} = openNode(env, o.trust, what, o.now)
      const index = s.plan.first + i
      if (node.level !== level || node.index !== index) throw new TcpError('rejected', `${what}: is L${node.level}/${node.index}, the plan puts L${level}/${index} here`)
      if (node.decimals !== first.decimals) throw new TcpError('rejected', `${what}: ${node.decimals} decimals, the tree has ${first.decimals}`)
      const prev = nodes[nodes.length - 1]
      if (prev && !(prev.last < node.first)) throw new TcpError('rejected', `${what}: covers agents ${node.first}..${node.last}, not after L${prev.level}/${prev.index}'s (..${prev.last}): an agent would be counted twice`)
      nodes.push(node)
      children.push(child)
    })
  const test = nodes[0]!.test
  const upper = []
  let cur = children
  for (let l = level + 1; l <= shape.counts.length; l++) {
    const b = buildLevel(cur, l - 1, shape.branching, 0, {decimals: first.decimals, test, signer: o.signer})
    upper.push({level: l, b})
    cur = b.nodes.map(nodeAsChild)
  }
  if (upper.length === 0) throw new TcpError('usage', 'merge: the shards already end at the root')
  const top = upper[upper.length - 1]!.b
  await writeFileAtomic(o.out, encodeEnvelope(top.envelopes[0]!), {force: o.force, what: 'root'})
  if (o.tree) await joinTree(o, shards.map((x) => dirname(x.path)), shape, first, upper)
  return {
    root: toHex(nodeDigest(top.nodes[0]!)),
    out: o.out,
    shards: shards.length,
    leaves: first.leaves,
    findings: [...findingsOf(nodes), ...upper.flatMap((u) => findingsOf(u.b.nodes))],
    tree: o.tree ?? null,
  }
}

async function joinTree(o: MergeOptions, dirs: string[], shape: ReturnType<typeof treeShape>, first: ShardRoot, upper: Array<{level: number; b: ReturnType<typeof buildLevel>}>): Promise<void> {
  const dir = o.tree!
  const force = o.force ?? false
  if (!force) await assertAbsent(join(dir, 'tree.json'), 'tree')
  for (let l = 1; l <= first.plan.level; l++)
    for (const file of [nodesFile, childrenFile]) {
      const out = await createOutput(file(dir, l), {force, mode: 0o644, what: `level ${l} file`})
      try {
        for (const d of dirs) for await (const chunk of createReadStream(file(d, l))) await out.sink.write([chunk as Buffer])
        await out.commit()
      } catch (e) {
        await out.abort()
        throw new TcpError('io', `joining ${file(dir, l)}: ${(e as Error).message}`)
      }
    }
  for (const {level, b} of upper) {
    const lines = (xs: unknown[]) => xs.map((x) => JSON.stringify(x) + '\n').join('')
    await writeFileAtomic(nodesFile(dir, level), lines(b.envelopes), {force, what: `level ${level} nodes`})
    await writeFileAtomic(childrenFile(dir, level), lines(b.children), {force, what: `level ${level} children`})
  }
  const top = upper[upper.length - 1]!.b
  await writeFileAtomic(join(dir, 'root.dsse.json'), encodeEnvelope(top.envelopes[0]!), {force, what: 'root'})
  const source = (await readManifest(dirs[0]!)).source
  await writeFileAtomic(join(dir, 'tree.json'), jsonText(manifestOf(shape, first.decimals, keyIdOf(o.signer.publicKey), source, null)), {force, what: 'tree manifest'})
}
