/**
 * `tcp verify ROOT --audit TREE_DIR`: recomputes nodes from their children and names every node whose statistics
 * or Merkle root do not follow from them. Level 1 is recomputed from the leaves (every leaf signature verified,
 * on worker threads); a node above from the stored nodes below it (each signature verified, by a trusted key that is
 * its own aggregator). Each node is recomputed with the parameters it declares (aggregator, decimals, test) and
 * its canonical bytes compared with the stored ones; the stored level at the top must be the signed root.
 * Children are the STORED nodes below, so a lie is pinned on the node that told it, not on its ancestors.
 * With `sample`, only the nodes on K random root-to-leaf paths (distinct level-1 nodes, seeded) are recomputed; the
 * report gives the probability that a given fraction of poisoned level-1 aggregators escapes the sample.
 * The tree manifest (tree.json) is not trusted: a lie in it (shape, leaves) makes recomputed nodes differ.
 * With `leafTrust` (roles), leaves verify against it alone and nodes against `trust` alone; a child signed by the
 * other role's key is refused naming it. Roles do not say WHICH node key may sign which node, nor which leaf key which agent.
 */
import {TcpError} from '../errors.js'
import {canonicalize} from '../canonical/jcs.js'
import {equalBytes} from '../bytes.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {parseJson} from '../json.js'
import {Rng} from '../rng.js'
import type {TrustStore} from '../envelope/trust.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {computeNode, type AggregateNode, type ChildInput} from './node.js'
import {openNode, wrongRole, type OtherRole} from './leaf.js'
import {escapeProbability} from './outliers.js'
import {childRange, treeShape, type Shape} from './tree.js'
import {nodesFile, readManifest} from './files.js'
import {pickLines, readLines} from './lines.js'
import {openLeafSource} from './source.js'
import {LeafPool, defaultWorkers} from './pool.js'

export interface AuditOptions {
  /** The keys that may sign nodes (the root included); without `leafTrust`, leaves too, except the root's aggregator. */
  trust: TrustStore
  /** Roles: the keys that may sign leaves (agents, recorders), and only leaves. No key may be in both stores. */
  leafTrust?: TrustStore
  /** Leaves (directory or JSON Lines); default: the source the tree manifest names. */
  leaves?: string
  sample?: number
  seed?: number
  workers?: number
  now?: number
}

export interface AuditFinding {
  node: string
  problem: string
}

/** The first field where two nodes differ, for a message a person can act on. */
function firstDifference(stored: AggregateNode, want: AggregateNode): string {
  if (stored.merkleRoot !== want.merkleRoot) return `its Merkle root ${stored.merkleRoot.slice(0, 16)}... is not that of its children (${want.merkleRoot.slice(0, 16)}...): a child was added, removed, replaced or reordered`
  for (const k of Object.keys(want) as Array<keyof AggregateNode>) {
    if (k === 'features') continue
    if (canonicalize(stored[k]) !== canonicalize(want[k])) return `${k} is ${canonicalize(stored[k]).slice(0, 80)}, its children give ${canonicalize(want[k]).slice(0, 80)}`
  }
  for (const [f, v] of Object.entries(want.features)) {
    const s = stored.features[f] as unknown as Record<string, unknown> | undefined
    if (!s) return `feature ${f} is missing`
    for (const [k, x] of Object.entries(v)) if (canonicalize(s[k]) !== canonicalize(x)) return `features.${f}.${k} is ${canonicalize(s[k])}, its children give ${canonicalize(x)}`
  }
  return 'its bytes differ from the node its children give'
}

interface Ctx {
  findings: AuditFinding[]
  /** The signed root's outlier-test parameters and grid: every node must use the same (a lower aggregator that
   * raises its threshold would otherwise hide its children's outliers and still "follow"). */
  root?: AggregateNode
  trust: TrustStore
  /** With roles: the leaf signers, named when one of them signed a node. */
  leafSigners?: OtherRole
  now: number
  recomputed: number
}

/** Recomputes `stored` from children and records a finding when they differ. */
function judge(ctx: Ctx, stored: AggregateNode, children: ChildInput[], childNodes: AggregateNode[] = []): void {
  ctx.recomputed++
  const name = `L${stored.level}/${stored.index}`
  if (ctx.root && canonicalize([stored.test, stored.decimals]) !== canonicalize([ctx.root.test, ctx.root.decimals]))
    ctx.findings.push({node: name, problem: `its outlier test or grid ${canonicalize([stored.test, stored.decimals])} differs from the signed root's ${canonicalize([ctx.root.test, ctx.root.decimals])}`})
  const overlap = childNodes.findIndex((c, i) => !(c.first <= c.last) || (i > 0 && !(childNodes[i - 1]!.last < c.first)))
  if (overlap >= 0) ctx.findings.push({node: name, problem: `child L${childNodes[overlap]!.level}/${childNodes[overlap]!.index} covers agents ${childNodes[overlap]!.first}..${childNodes[overlap]!.last}, not after its previous sibling's: an agent is under two children`})
  const odd = childNodes.find((c) => c.decimals !== stored.decimals || c.level !== stored.level - 1)
  if (odd) ctx.findings.push({node: name, problem: `child L${odd.level}/${odd.index} is on ${odd.decimals} decimals at level ${odd.level}, not ${stored.decimals} at level ${stored.level - 1}`})
  let want: AggregateNode
  try {
    want = computeNode(children, {level: stored.level, index: stored.index, aggregator: stored.aggregator, decimals: stored.decimals, test: stored.test})
  } catch (e) {
    ctx.findings.push({node: name, problem: (e as Error).message})
    return
  }
  if (!equalBytes(canonicalBytes(want), canonicalBytes(stored))) ctx.findings.push({node: name, problem: firstDifference(stored, want)})
}

/** The stored top node must be the signed root: else a root that lies would stand on an honest stored tree (in a
 * one-level tree too, where no level above reads the top). */
function topIsRoot(ctx: Ctx, top: AggregateNode): void {
  if (canonicalize(top) !== canonicalize(ctx.root)) ctx.findings.push({node: `L${top.level}/${top.index}`, problem: 'the stored top node is not the signed root'})
}

function openStored(ctx: Ctx, line: string | undefined, level: number, index: number): {node: AggregateNode; child: ChildInput} | null {
  const name = `L${level}/${index}`
  if (line === undefined) {
    ctx.findings.push({node: name, problem: 'missing from the tree'})
    return null
  }
  let doc: unknown
  try {
    doc = parseJson(line, name)
    const r = openNode(doc, ctx.trust, `node ${name}`, ctx.now)
    if (r.node.level !== level || r.node.index !== index) throw new TcpError('rejected', `node ${name}: claims to be L${r.node.level}/${r.node.index}`)
    return r
  } catch (e) {
    ctx.findings.push({node: name, problem: (wrongRole(doc, ctx.leafSigners, e, ctx.now) as Error).message})
    return null
  }
}

/** One key, one role: a key in both stores would let a recorder sign nodes or an aggregator sign leaves. */
function roles(o: AuditOptions): {leafSigners?: OtherRole; nodeSigners?: OtherRole; extra: Record<string, unknown>} {
  if (!o.leafTrust) return {extra: {caveats: [NO_ROLES]}}
  const both = o.leafTrust.keys.find((k) => o.trust.keys.some((n) => n.keyId === k.keyId))
  if (both) throw new TcpError('usage', `key ${both.keyId} is both a node signer (${o.trust.source}) and a leaf signer (${o.leafTrust.source}): give each key one role`)
  return {
    leafSigners: {trust: o.leafTrust, role: `a leaf signer (${o.leafTrust.source}), not a node signer`},
    nodeSigners: {trust: o.trust, role: `a node signer (${o.trust.source}), not a leaf signer`},
    extra: {leafTrust: o.leafTrust.source},
  }
}

const NO_ROLES = 'roles: one trust store signs nodes and leaves, so any key in it but the root aggregator\'s may sign a leaf (a lower aggregator\'s or shard signer\'s key could invent agents); pass --leaf-pub or --leaf-trust to separate them'

export async function auditTree(rootEnvelope: unknown, dir: string, o: AuditOptions): Promise<VerifyReport> {
  const t0 = performance.now()
  const now = o.now ?? Date.now()
  const checks: Check[] = []
  const role = roles(o)
  let root: AggregateNode
  try {
    root = openNode(rootEnvelope, o.trust, 'root', now).node
    checks.push({check: 'root-signature', ok: true, detail: `root L${root.level}/${root.index} signed by aggregator ${root.aggregator}`})
  } catch (e) {
    return makeReport('aggregate-root', [{check: 'root-signature', ok: false, detail: (wrongRole(rootEnvelope, role.leafSigners, e, now) as Error).message}], role.extra)
  }
  const m = await readManifest(dir)
  const shape: Shape = treeShape(m.leaves, m.leafSize, m.branching)
  if (shape.counts.length !== root.level) {
    checks.push({check: 'audit', ok: false, detail: `the tree in ${dir} has ${shape.counts.length} levels, the signed root is at level ${root.level}`})
    return makeReport('aggregate-root', checks, role.extra)
  }
  const ctx: Ctx = {findings: [], trust: o.trust, leafSigners: role.leafSigners, now, recomputed: 0, root}
  const src = await openLeafSource(o.leaves ?? m.source)
  if (src.count !== shape.leaves) ctx.findings.push({node: 'leaves', problem: `${src.count} leaves in ${src.path}, the tree says ${shape.leaves}`})
  // Without roles the audit's one store holds the aggregator's key (for nodes) and the agents' (for leaves); a
  // baseline the aggregator signed itself would let it invent agents, so leaves are checked without the root
  // aggregator's key. With roles, leaves are checked against the leaf signers only.
  const leafTrust: TrustStore = o.leafTrust ?? {...o.trust, keys: o.trust.keys.filter((k) => k.keyId !== root.aggregator)}
  const job = {trust: leafTrust, decimals: root.decimals, now, nodeSigners: role.nodeSigners}
  const workers = o.workers ?? defaultWorkers()
  const h = shape.counts.length
  // Which nodes to recompute, per level (null: all).
  let chosen: Array<Set<number> | null> = Array.from({length: h}, () => null)
  if (o.sample !== undefined) {
    const k = Math.min(o.sample, shape.counts[0]!)
    const rng = new Rng(o.seed ?? 1)
    const picked = new Set<number>()
    while (picked.size < k) picked.add(rng.int(shape.counts[0]!))
    chosen = [picked]
    for (let l = 2; l <= h; l++) chosen.push(new Set([...chosen[l - 2]!].map((i) => Math.floor(i / shape.branching))))
  }
  if (ctx.findings.length === 0) {
    // Level 1 from the leaves.
    const level1 = chosen[0]
    const stored1 = level1 ? await pickLines(nodesFile(dir, 1), level1, 'level 1 nodes').catch(() => new Map<number, string>()) : null
    const want = level1 ? [...level1].sort((a, b) => a - b) : null
    // One pass over the leaves (sampled: only the leaves of the chosen level-1 nodes, in order).
    const ranges = want ? want.map((i) => childRange(shape, 1, i)) : [[0, shape.leaves] as [number, number]]
    const texts = want ? src.pick(ranges.flatMap(([lo, hi]) => Array.from({length: hi - lo}, (_, j) => lo + j))) : src.read(0, shape.leaves)
    const storedIter: AsyncIterator<string> | null = stored1 ? null : readLines(nodesFile(dir, 1), 'level 1 nodes')[Symbol.asyncIterator]()
    const pool = new LeafPool(job, workers)
    try {
      let r = 0
      let group: ChildInput[] = []
      let index = Math.floor(ranges[0]![0] / shape.leafSize)
      let seen = 0
      // Leaves come in index order (sampled too): each agent once, sorted, as the build requires, else one agent
      // filed twice in a JSON Lines source would be counted twice by nodes that "follow" from it.
      let prev: string | null = null
      for await (const child of pool.stream(texts)) {
        if (prev !== null && !(child.id > prev)) throw new TcpError('input', `agent ${JSON.stringify(child.id)} comes after ${JSON.stringify(prev)}: leaves must be sorted by agent id, each once`)
        prev = child.id
        group.push(child)
        seen++
        const [lo, hi] = ranges[r]!
        if (group.length === shape.leafSize || seen === hi - lo) {
          const line = stored1 ? stored1.get(index) : ((await storedIter!.next()).value as string | undefined)
          const s = openStored(ctx, line, 1, index)
          if (s) judge(ctx, s.node, group)
          if (s && h === 1) topIsRoot(ctx, s.node)
          group = []
          index++
          if (seen === hi - lo && ++r < ranges.length) {
            seen = 0
            index = Math.floor(ranges[r]![0] / shape.leafSize)
          }
        }
      }
    } catch (e) {
      if (!(e instanceof TcpError)) throw e
      ctx.findings.push({node: 'leaves', problem: e.message})
    } finally {
      await pool.close()
    }
    // Levels above from the stored nodes below.
    for (let l = 2; l <= h && ctx.findings.every((f) => f.node !== 'leaves'); l++) {
      const targets = chosen[l - 1] ? [...chosen[l - 1]!].sort((a, b) => a - b) : Array.from({length: shape.counts[l - 1]!}, (_, i) => i)
      const below = new Set<number>()
      for (const t of targets) for (let c = t * shape.branching; c < Math.min((t + 1) * shape.branching, shape.counts[l - 2]!); c++) below.add(c)
      const lowerLines = await pickLines(nodesFile(dir, l - 1), below, `level ${l - 1} nodes`).catch((e: Error) => (ctx.findings.push({node: `L${l - 1}`, problem: e.message}), new Map<number, string>()))
      const upperLines = await pickLines(nodesFile(dir, l), targets, `level ${l} nodes`).catch((e: Error) => (ctx.findings.push({node: `L${l}`, problem: e.message}), new Map<number, string>()))
      for (const t of targets) {
        const kids: ChildInput[] = []
        const kidNodes: AggregateNode[] = []
        let complete = true
        for (let c = t * shape.branching; c < Math.min((t + 1) * shape.branching, shape.counts[l - 2]!); c++) {
          // the signature and index of a lower node were judged at its own level; here it is only read
          const s = openStored({...ctx, findings: []}, lowerLines.get(c), l - 1, c)
          if (s) (kids.push(s.child), kidNodes.push(s.node))
          else complete = false
        }
        const s = openStored(ctx, upperLines.get(t), l, t)
        if (!s) continue
        if (!complete) ctx.findings.push({node: `L${l}/${t}`, problem: 'cannot be recomputed: a child node is missing or does not verify'})
        else judge(ctx, s.node, kids, kidNodes)
        if (l === h) topIsRoot(ctx, s.node)
      }
    }
  }
  const ok = ctx.findings.length === 0
  checks.push({check: 'audit', ok, detail: ok ? `${ctx.recomputed} node(s) recomputed from their children${o.sample !== undefined ? ` on ${chosen[0]!.size} sampled path(s)` : ''}: all follow` : `${ctx.findings[0]!.node}: ${ctx.findings[0]!.problem}${ctx.findings.length > 1 ? ` (+${ctx.findings.length - 1} more)` : ''}`})
  const extra: Record<string, unknown> = {...role.extra, recomputed: ctx.recomputed, findings: ctx.findings, seconds: Number(((performance.now() - t0) / 1000).toFixed(3)), leaves: src.path}
  if (o.sample !== undefined) {
    const g = shape.counts[0]!
    const k = chosen[0]!.size
    extra.sample = {paths: k, of: g, seed: o.seed ?? 1, escape: [0.01, 0.05, 0.1].map((f) => ({poisonedFraction: f, poisoned: Math.ceil(f * g), escapeProbability: Number(escapeProbability(g, Math.ceil(f * g), k).toPrecision(4))}))}
  }
  return makeReport('aggregate-root', checks, extra)
}
