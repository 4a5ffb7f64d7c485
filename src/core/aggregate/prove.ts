/**
 * Inclusion proofs: an agent's signed baseline digest up to the signed root, O(log n) hashes. Document
 * (type "tcp.aggregate.inclusion/v1"):
 *   agent, leaf (base64 SHA3-256 of the agent's baseline; the Merkle leaf binds the agent id to it), root (base64 digest of the root node), and per level
 *   from 1 to the root: {level, index, position (of the child among the node's children), size (children),
 *   path (RFC 9162 audit path, base64), body (base64 SHA3-256 of the node without its Merkle root), node (the
 *   node's digest: what the next level's path starts from; the root's for the last level)}.
 * Verification recomputes, level by level, merkle = root of (child, position, size, path) and
 * node = SHA3-256(0x02 || u32be(size) || body || merkle), and requires the last node to be the signed root's digest and its
 * body and Merkle root to be the signed root's own. The per-level node digests are claims checked in the chain,
 * there so that a broken proof names the level where it breaks.
 * What it does NOT establish: that the agent's baseline is any good, or that the root's statistics follow from
 * the leaves (that is --audit).
 */
import {fromBase64, toBase64, equalBytes, fromHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {parseJson} from '../json.js'
import type {TrustStore} from '../envelope/trust.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {childLeaf, inclusionPath, rootFromPath} from './merkle.js'
import {nodeBodyDigest, nodeDigest, nodeDigestFrom, nodeOfEnvelope, type AggregateNode} from './node.js'
import {openNode} from './leaf.js'
import {childrenFile, nodesFile, readManifest} from './files.js'
import {pickLines, readLines} from './lines.js'
import {treeShape} from './tree.js'

export const INCLUSION_TYPE = 'tcp.aggregate.inclusion/v1'

export interface ProofLevel {
  level: number
  index: number
  position: number
  size: number
  path: string[]
  body: string
  node: string
}

export interface InclusionProof {
  type: typeof INCLUSION_TYPE
  agent: string
  leaf: string
  root: string
  levels: ProofLevel[]
}

function childrenLine(line: string, what: string): Array<[string, string]> {
  const a = parseJson(line, what)
  if (!Array.isArray(a) || a.some((x) => !Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'string' || typeof x[1] !== 'string' || !/^[0-9a-f]{64}$/.test(x[1])))
    throw new TcpError('input', `${what}: expected [[id, digest hex], ...]`)
  return a as Array<[string, string]>
}

export async function proveInclusion(dir: string, agent: string): Promise<InclusionProof> {
  const m = await readManifest(dir)
  if (m.shard) throw new TcpError('usage', `tree ${dir} is one shard: prove from the merged tree (tcp aggregate merge --tree)`)
  const shape = treeShape(m.leaves, m.leafSize, m.branching)
  // Level 1: the node whose children list names the agent.
  let index = -1
  let kids: Array<[string, string]> = []
  let i = 0
  const needle = JSON.stringify(agent)
  for await (const line of readLines(childrenFile(dir, 1), 'level 1 children')) {
    if (line.includes(needle)) {
      const c = childrenLine(line, `level 1 children line ${i + 1}`)
      if (c.some((x) => x[0] === agent)) {
        index = i
        kids = c
        break
      }
    }
    i++
  }
  if (index < 0) throw new TcpError('not_found', `agent ${agent} is not a leaf of the tree ${dir}`)
  let position = kids.findIndex((x) => x[0] === agent)
  const leaf = fromHex(kids[position]![1], 'leaf digest')
  const levels: ProofLevel[] = []
  let node: AggregateNode | null = null
  for (let level = 1; level <= shape.counts.length; level++) {
    if (level > 1) {
      position = index % shape.branching
      index = Math.floor(index / shape.branching)
      kids = childrenLine((await pickLines(childrenFile(dir, level), [index], `level ${level} children`)).get(index)!, `level ${level} children line ${index + 1}`)
    }
    const envLine = (await pickLines(nodesFile(dir, level), [index], `level ${level} nodes`)).get(index)!
    node = nodeOfEnvelope(parseJson(envLine, `L${level}/${index}`), `node L${level}/${index}`).node
    const leaves = kids.map((k) => childLeaf(k[0], fromHex(k[1], 'child digest', 32)))
    levels.push({level, index, position, size: leaves.length, path: inclusionPath(leaves, position).map(toBase64), body: toBase64(nodeBodyDigest(node)), node: toBase64(nodeDigest(node))})
  }
  return {type: INCLUSION_TYPE, agent, leaf: toBase64(leaf), root: toBase64(nodeDigest(node!)), levels}
}

const B64_32 = /^[A-Za-z0-9+/]{43}=$/
const MAX_LEVELS = 64
const MAX_PATH = 64

function parseProof(doc: unknown): InclusionProof {
  const o = doc as Record<string, unknown>
  const bad = (why: string): never => {
    throw new TcpError('input', `inclusion proof: ${why}`)
  }
  if (!o || typeof o !== 'object' || Array.isArray(o) || o.type !== INCLUSION_TYPE) bad(`type must be "${INCLUSION_TYPE}"`)
  for (const k of Object.keys(o)) if (!['type', 'agent', 'leaf', 'root', 'levels'].includes(k)) bad(`unknown field "${k}"`)
  if (typeof o.agent !== 'string' || o.agent.length === 0 || o.agent.length > 200) bad('agent must be a string')
  for (const k of ['leaf', 'root']) if (typeof o[k] !== 'string' || !B64_32.test(o[k] as string)) bad(`${k} must be a base64 SHA3-256 digest`)
  if (!Array.isArray(o.levels) || o.levels.length === 0 || o.levels.length > MAX_LEVELS) bad(`levels must be 1..${MAX_LEVELS} entries`)
  ;(o.levels as unknown[]).forEach((l, i) => {
    const e = l as Record<string, unknown>
    const w = `levels[${i}]`
    if (!e || typeof e !== 'object' || Array.isArray(e)) bad(`${w}: expected an object`)
    for (const k of Object.keys(e)) if (!['level', 'index', 'position', 'size', 'path', 'body', 'node'].includes(k)) bad(`${w}: unknown field "${k}"`)
    for (const k of ['level', 'index', 'position', 'size']) if (typeof e[k] !== 'number' || !Number.isSafeInteger(e[k]) || (e[k] as number) < 0) bad(`${w}.${k}: expected a non-negative integer`)
    if ((e.size as number) > 0xffffffff) bad(`${w}.size: at most 2^32 - 1 (node digests hash it as u32)`)
    if (e.level !== i + 1) bad(`${w}.level: expected ${i + 1}, got ${JSON.stringify(e.level)}`)
    if (!Array.isArray(e.path) || e.path.length > MAX_PATH || e.path.some((p) => typeof p !== 'string' || !B64_32.test(p))) bad(`${w}.path: expected at most ${MAX_PATH} base64 digests`)
    for (const k of ['body', 'node']) if (typeof e[k] !== 'string' || !B64_32.test(e[k] as string)) bad(`${w}.${k}: expected a base64 digest`)
  })
  return o as unknown as InclusionProof
}

/** Checks an inclusion proof against a signed root; the report's failed check names the level. */
export function verifyInclusionProof(doc: unknown, rootEnvelope: unknown, trust: TrustStore, now = Date.now()): VerifyReport {
  const checks: Check[] = []
  let root: AggregateNode
  let signers: string[]
  try {
    ;({node: root, signers} = openNode(rootEnvelope, trust, 'root', now))
    checks.push({check: 'root-signature', ok: true, detail: `root L${root.level}/${root.index} signed by aggregator ${root.aggregator}`})
  } catch (e) {
    return makeReport('aggregate-inclusion', [{check: 'root-signature', ok: false, detail: (e as Error).message}])
  }
  // A malformed proof is bad input (exit 2), not a rejected one.
  const p = parseProof(doc)
  if (p.levels.length !== root.level) return makeReport('aggregate-inclusion', [...checks, {check: 'proof', ok: false, detail: `the proof has ${p.levels.length} levels, the root is at level ${root.level}`}])
  let h = fromBase64(p.leaf)
  let id = p.agent
  for (const l of p.levels) {
    const merkle = rootFromPath(childLeaf(id, h), l.position, l.size, l.path.map((x) => fromBase64(x)))
    const name = `level-${l.level}`
    if (!merkle) return makeReport('aggregate-inclusion', [...checks, {check: name, ok: false, detail: `level ${l.level}: the path has the wrong length for child ${l.position} of ${l.size}`}])
    const d = nodeDigestFrom(fromBase64(l.body), merkle, l.size)
    if (!equalBytes(d, fromBase64(l.node))) return makeReport('aggregate-inclusion', [...checks, {check: name, ok: false, detail: `level ${l.level}: the path and body do not give node L${l.level}/${l.index}'s digest`}])
    checks.push({check: name, ok: true, detail: `child ${l.position} of ${l.size} in L${l.level}/${l.index}`})
    h = d
    id = `L${l.level}/${l.index}`
  }
  const top = p.levels[p.levels.length - 1]!
  const rootDigest = nodeDigest(root)
  const ok = equalBytes(h, rootDigest) && equalBytes(fromBase64(p.root), rootDigest) && equalBytes(fromBase64(top.body), nodeBodyDigest(root)) && top.size === root.children && top.index === root.index
  checks.push({check: 'root', ok, detail: ok ? `reaches the signed root (${root.leaves} agents)` : `level ${top.level}: the chain does not reach the signed root's digest and Merkle root`})
  return makeReport('aggregate-inclusion', checks, {agent: p.agent, leaf: Buffer.from(fromBase64(p.leaf)).toString('hex'), root: Buffer.from(rootDigest).toString('hex'), merkleRoot: root.merkleRoot, levels: p.levels.length, signerKeyIds: signers})
}

