/**
 * `tcp aggregate build`: streams the leaves (every signature verified on worker threads), builds level 1 node by
 * node as its leaves arrive (only the level-1 summaries stay in memory: a few hundred bytes per 50 agents), then
 * the levels above, signing each node, and writes the tree (files.ts). With a shard plan it builds only its range
 * of the split level and writes shard.json instead of a root. Completes with findings when the outlier test flags
 * children; a leaf that does not verify stops the build (fail closed).
 */
import {mkdir} from 'node:fs/promises'
import {resolve} from 'node:path'
import {TcpError} from '../errors.js'
import {toHex} from '../bytes.js'
import {assertAbsent, writeFileAtomic} from '../io.js'
import {keyIdOf} from '../keys/keyid.js'
import type {Signer} from '../envelope/dsse.js'
import {encodeEnvelope} from '../envelope/dsse.js'
import type {TrustStore} from '../envelope/trust.js'
import {assertDecimals} from './moments.js'
import {computeNode, defaultTest, nodeAsChild, nodeDigest, signNode, type AggregateNode, type ChildInput, type TestParams} from './node.js'
import {buildLevel, shardPlan, treeShape, type ShardPlan, type Shape} from './tree.js'
import {openLeafSource} from './source.js'
import {LeafPool, defaultWorkers} from './pool.js'
import {jsonText, LevelWriter, manifestOf, SHARD_TYPE, type ShardRoot} from './files.js'
import {join} from 'node:path'

export interface BuildFilesOptions {
  from: string
  trust: TrustStore
  signer: Signer
  out: string
  leafSize?: number
  branching?: number
  decimals?: number
  test?: Partial<TestParams>
  shard?: {shard: number; of: number}
  force?: boolean
  workers?: number
  now?: number
}

export type Finding = {node: string} & AggregateNode['outliers'][number]

export interface BuildFilesResult {
  out: string
  leaves: number
  shape: Shape
  plan: ShardPlan
  /** Root digest (hex) and file, or the shard root file. */
  root: string | null
  rootFile: string | null
  shardFile: string | null
  findings: Finding[]
  quarantined: number
  seconds: number
}

export const findingsOf = (nodes: readonly AggregateNode[]): Finding[] =>
  nodes.flatMap((n) => n.outliers.map((o) => ({node: `L${n.level}/${n.index}`, ...o})))

export async function buildTreeFiles(o: BuildFilesOptions): Promise<BuildFilesResult> {
  const t0 = performance.now()
  const decimals = assertDecimals(o.decimals ?? 3, '--decimals')
  const test = defaultTest(o.test)
  if (!(test.threshold > 0) || !Number.isFinite(test.threshold)) throw new TcpError('usage', `--outlier-z: expected a positive number, got ${String(o.test?.threshold)}`)
  const src = await openLeafSource(o.from)
  const shape = treeShape(src.count, o.leafSize ?? 50, o.branching ?? 10)
  const plan = shardPlan(shape, o.shard?.shard ?? 0, o.shard?.of ?? 1)
  const sharded = plan.of > 1
  const force = o.force ?? false
  if (!force) await assertAbsent(join(o.out, 'tree.json'), 'tree')
  await mkdir(o.out, {recursive: true})
  const aggregator = keyIdOf(o.signer.publicKey)
  const findings: Finding[] = []
  let quarantined = 0
  const keep = (nodes: AggregateNode[]) => {
    findings.push(...findingsOf(nodes))
    quarantined += nodes.reduce((a, n) => a + n.quarantined.length, 0)
  }

  // Level 1, streamed.
  const w1 = await LevelWriter.open(o.out, 1, force)
  let level: ChildInput[] = []
  let lastNodes: AggregateNode[] = []
  let envelopes = [] as ReturnType<typeof signNode>[]
  try {
    let group: ChildInput[] = []
    let index = plan.leafFirst / shape.leafSize
    let prev: string | null = null
    const flush = async () => {
      const node = computeNode(group, {level: 1, index, aggregator, decimals, test})
      const env = signNode(node, o.signer)
      await w1.add(env, group.map((c) => [c.id, toHex(c.digest)]))
      keep([node])
      level.push(nodeAsChild(node))
      if (plan.level === 1) (lastNodes.push(node), envelopes.push(env))
      index++
      group = []
    }
    const pool = new LeafPool({trust: o.trust, decimals, now: o.now ?? Date.now()}, o.workers ?? defaultWorkers())
    try {
      for await (const child of pool.stream(src.read(plan.leafFirst, plan.leafEnd))) {
        if (prev !== null && !(child.id > prev)) throw new TcpError('input', `leaves: agent ${JSON.stringify(child.id)} comes after ${JSON.stringify(prev)} (leaves must be sorted by agent id, each once)`)
        prev = child.id
        group.push(child)
        if (group.length === shape.leafSize) await flush()
      }
    } finally {
      await pool.close()
    }
    if (group.length) await flush()
    await w1.commit()
  } catch (e) {
    await w1.abort()
    throw e
  }

  // Levels above, in memory (a tenth of the level below each time).
  for (let l = 2; l <= plan.level; l++) {
    const span = shape.branching ** (plan.level - l)
    const b = buildLevel(level, l - 1, shape.branching, plan.first * span, {decimals, test, signer: o.signer})
    const w = await LevelWriter.open(o.out, l, force)
    try {
      for (let i = 0; i < b.nodes.length; i++) await w.add(b.envelopes[i]!, b.children[i]!)
      await w.commit()
    } catch (e) {
      await w.abort()
      throw e
    }
    keep(b.nodes)
    level = b.nodes.map(nodeAsChild)
    lastNodes = b.nodes
    envelopes = b.envelopes
  }

  const source = resolve(o.from)
  let root: string | null = null
  let rootFile: string | null = null
  let shardFile: string | null = null
  if (sharded) {
    const shard: ShardRoot = {type: SHARD_TYPE, plan, leaves: shape.leaves, leafSize: shape.leafSize, branching: shape.branching, decimals, nodes: envelopes}
    shardFile = join(o.out, 'shard.json')
    await writeFileAtomic(shardFile, jsonText(shard), {force, what: 'shard root'})
  } else {
    rootFile = join(o.out, 'root.dsse.json')
    root = toHex(nodeDigest(lastNodes[0]!))
    await writeFileAtomic(rootFile, encodeEnvelope(envelopes[0]!), {force, what: 'root'})
  }
  await writeFileAtomic(join(o.out, 'tree.json'), jsonText(manifestOf(shape, decimals, aggregator, source, sharded ? plan : null)), {force, what: 'tree manifest'})
  return {out: o.out, leaves: plan.leafEnd - plan.leafFirst, shape, plan, root, rootFile, shardFile, findings, quarantined, seconds: (performance.now() - t0) / 1000}
}
