/**
 * The shape of an aggregation tree and building it in memory. Children (agents sorted by id, or nodes in index
 * order) are cut into consecutive groups: leafSize agents per level-1 node, `branching` nodes per node above, up to
 * one root. The shape depends only on (leaves, leafSize, branching), so shards that build disjoint ranges of one
 * level and a merge of their nodes give the same root, byte for byte, as one process (Ed25519 signatures are
 * deterministic and nodes carry no time).
 */
import {TcpError} from '../errors.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {sha3_256} from '../crypto/hash.js'
import {keyIdOf} from '../keys/keyid.js'
import type {Signer, Envelope} from '../envelope/dsse.js'
import type {Moments} from './moments.js'
import {encodeMoments, meanOf} from './moments.js'
import {computeNode, defaultTest, nodeAsChild, signNode, type AggregateNode, type ChildInput, type TestParams} from './node.js'

export interface Shape {
  leaves: number
  leafSize: number
  branching: number
  /** counts[l - 1] = number of nodes at level l; the last is 1 (the root). */
  counts: number[]
}

export function treeShape(leaves: number, leafSize: number, branching: number): Shape {
  if (!Number.isSafeInteger(leaves) || leaves < 1) throw new TcpError('input', `tree: expected at least 1 leaf, got ${leaves}`)
  if (!Number.isSafeInteger(leafSize) || leafSize < 2 || leafSize > 100000) throw new TcpError('usage', `--leaf-size: expected 2..100000, got ${leafSize}`)
  if (!Number.isSafeInteger(branching) || branching < 2 || branching > 100000) throw new TcpError('usage', `--branching: expected 2..100000, got ${branching}`)
  const counts = [Math.ceil(leaves / leafSize)]
  while (counts[counts.length - 1]! > 1) counts.push(Math.ceil(counts[counts.length - 1]! / branching))
  return {leaves, leafSize, branching, counts}
}

/** Children of node `index` at `level`: a range of indices one level down (leaves for level 1). */
export function childRange(shape: Shape, level: number, index: number): [number, number] {
  const size = level === 1 ? shape.leafSize : shape.branching
  const below = level === 1 ? shape.leaves : shape.counts[level - 2]!
  return [index * size, Math.min((index + 1) * size, below)]
}

/** Leaves under nodes [lo, hi) of `level`. */
export function leafRange(shape: Shape, level: number, lo: number, hi: number): [number, number] {
  let span = shape.leafSize
  for (let l = 2; l <= level; l++) span *= shape.branching
  return [Math.min(lo * span, shape.leaves), Math.min(hi * span, shape.leaves)]
}

export interface ShardPlan {
  shard: number
  of: number
  /** The level whose nodes the shards split; the merge builds the levels above it. */
  level: number
  /** Node indices [first, end) of that level built by this shard. */
  first: number
  end: number
  /** Leaves [leafFirst, leafEnd) the shard reads. */
  leafFirst: number
  leafEnd: number
}

/** Shard K of N (K from 0): the highest level below the root with at least N nodes is split into N ranges. */
export function shardPlan(shape: Shape, shard: number, of: number): ShardPlan {
  if (!Number.isSafeInteger(of) || of < 1) throw new TcpError('usage', `--shard: N must be a positive integer, got ${of}`)
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= of) throw new TcpError('usage', `--shard: K must be 0..${of - 1}, got ${shard}`)
  const h = shape.counts.length
  let level = 0
  for (let l = 1; l <= h; l++) if (shape.counts[l - 1]! >= of && (l < h || of === 1)) level = l
  if (level === 0) throw new TcpError('usage', `--shard ${shard}/${of}: only ${shape.counts[0]} level-1 nodes for ${of} shards; use fewer shards`)
  const g = shape.counts[level - 1]!
  const first = Math.floor((shard * g) / of)
  const end = Math.floor(((shard + 1) * g) / of)
  const [leafFirst, leafEnd] = leafRange(shape, level, first, end)
  return {shard, of, level, first, end, leafFirst, leafEnd}
}

export function parseShard(s: string): {shard: number; of: number} {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(s.trim())
  if (!m) throw new TcpError('usage', `--shard: expected K/N such as 0/4 (K from 0), got ${JSON.stringify(s)}`)
  return {shard: Number(m[1]), of: Number(m[2])}
}

export interface BuildParams {
  decimals: number
  leafSize?: number
  branching?: number
  test?: Partial<TestParams>
  /** Signs every node when given; in memory, without a signer, nodes carry this key id (default: zeros). */
  signer?: Signer
  aggregator?: string
}

export interface LevelBuild {
  nodes: AggregateNode[]
  envelopes: Envelope[]
  /** children[i]: the [id, digest hex] list of node i (what its Merkle root covers). */
  children: Array<Array<[string, string]>>
}

/**
 * One level from the children of the level below. `childLevel` 0 means agents. `firstIndex` is the index of the
 * first node built (shards build a range).
 */
export function buildLevel(children: readonly ChildInput[], childLevel: number, groupSize: number, firstIndex: number, p: BuildParams): LevelBuild {
  const aggregator = p.signer ? keyIdOf(p.signer.publicKey) : (p.aggregator ?? '0000000000000000')
  const test = defaultTest(p.test)
  const out: LevelBuild = {nodes: [], envelopes: [], children: []}
  for (let i = 0; i < children.length; i += groupSize) {
    const group = children.slice(i, i + groupSize)
    const node = computeNode(group, {level: childLevel + 1, index: firstIndex + i / groupSize, aggregator, decimals: p.decimals, test})
    out.nodes.push(node)
    if (p.signer) out.envelopes.push(signNode(node, p.signer))
    out.children.push(group.map((c) => [c.id, Buffer.from(c.digest).toString('hex')]))
  }
  return out
}

export interface MemoryTree {
  shape: Shape
  levels: LevelBuild[]
  root: AggregateNode
  /** Every outlier finding, with the node that found it. */
  findings: Array<{node: string} & AggregateNode['outliers'][number]>
}

/**
 * Builds a whole tree in memory from children of `childLevel` (0: agents sorted by id; 1: local aggregators' nodes,
 * e.g. synthetic ones in a red-team harness). No files, no signatures unless a signer is given.
 */
export function buildTreeInMemory(children: readonly ChildInput[], p: BuildParams & {childLevel?: number}): MemoryTree {
  const leafSize = p.leafSize ?? 50
  const branching = p.branching ?? 10
  const childLevel = p.childLevel ?? 0
  const shape = treeShape(children.length, childLevel === 0 ? leafSize : branching, branching)
  const levels: LevelBuild[] = []
  let cur: readonly ChildInput[] = children
  let level = childLevel
  do {
    const b = buildLevel(cur, level, level === childLevel ? shape.leafSize : branching, 0, p)
    levels.push(b)
    cur = b.nodes.map(nodeAsChild)
    level++
  } while (cur.length > 1)
  const findings = levels.flatMap((l) => l.nodes.flatMap((n) => n.outliers.map((o) => ({node: `L${n.level}/${n.index}`, ...o}))))
  return {shape, levels, root: levels[levels.length - 1]!.nodes[0]!, findings}
}

/**
 * A synthetic child for in-process experiments: moments per feature, its digest the SHA3-256 of its canonical
 * description. `center` defaults to the mean (an agent); give a node's robust centre to model an aggregator.
 */
export function syntheticChild(id: string, decimals: number, features: Record<string, Moments | {moments: Moments; center: number}>, leaves = 1): ChildInput {
  const fs: ChildInput['features'] = {}
  for (const [f, v] of Object.entries(features)) {
    const moments = 'moments' in v ? v.moments : v
    fs[f] = {moments, center: 'center' in v ? v.center : meanOf(moments, decimals)}
  }
  const digest = sha3_256(canonicalBytes({id, leaves, features: Object.fromEntries(Object.entries(fs).map(([f, v]) => [f, {...encodeMoments(v.moments), center: v.center}]))}))
  return {id, digest, first: id, last: id, leaves, features: fs}
}
