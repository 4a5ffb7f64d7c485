/**
 * Inclusion proofs: an agent's signed baseline digest up to the signed root, O(log n) hashes. Document
 * (type "tcp.aggregate.inclusion/v2", compact JSON, digests in base64):
 *   agent, leaf (SHA3-256 of the agent's baseline; the Merkle leaf binds the agent id to it), and levels[i] for
 *   the node at level i + 1 on the way from the agent to the root: {index (the node's, so its id is
 *   "L<level>/<index>"), size (its children), body (SHA3-256 of the node without its Merkle root), position (of the
 *   child below among its children), path (RFC 9162 audit path of that child, bottom sibling first)}.
 * Verification trusts nothing in the proof: from the leaf up it recomputes merkle = root of (child, position, size,
 * path) and node = SHA3-256(0x02 || u32be(size) || body || merkle), the child of the next level being
 * ("L<level>/<index>", node); it requires as many levels as the signed root's level, the last level's index to be
 * the signed root's, and the last node to be the signed root's digest (which binds its size, body and Merkle root).
 * v1 also carried each level's node digest and the root's digest, claims the verifier recomputed anyway; v2 drops
 * them, and with them the diagnostic of v1: a changed hash, id,
 * index, position, size or body below the root now shows only as a chain that does not reach the signed root, not as
 * the level where it breaks. A path of the wrong length for its (position, size) still names its level.
 * What it does NOT establish: that the agent's baseline is any good, that the agent was counted (a quarantined
 * child stays in its parent's Merkle tree), or that the root's statistics follow from the leaves (that is --audit).
 */
import {fromBase64, toBase64, equalBytes, fromHex, toHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {parseJson} from '../json.js'
import type {TrustStore} from '../envelope/trust.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {AGGREGATE_INCLUSION_TYPE, AGGREGATE_INCLUSION_V1_TYPE, INCLUSION_V1_REFUSED} from '../verify/detect.js'
import {childLeaf, inclusionPath, rootFromPath} from './merkle.js'
import {nodeBodyDigest, nodeDigest, nodeDigestFrom, nodeOfEnvelope, type AggregateNode} from './node.js'
import {openNode} from './leaf.js'
import {childrenFile, nodesFile, readManifest} from './files.js'
import {pickLines, readLines} from './lines.js'
import {treeShape} from './tree.js'

export const INCLUSION_TYPE = AGGREGATE_INCLUSION_TYPE

/** The node at one level of the proof, and where the child below sits in its Merkle tree. */
export interface ProofLevel {
  index: number
  size: number
  body: string
  position: number
  path: string[]
}

export interface InclusionProof {
  type: typeof INCLUSION_TYPE
  agent: string
  leaf: string
  levels: ProofLevel[]
}

function childrenLine(line: string, what: string): Array<[string, string]> {
  const a = parseJson(line, what)
  if (!Array.isArray(a) || a.some((x) => !Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'string' || typeof x[1] !== 'string' || !/^[0-9a-f]{64}$/.test(x[1])))
    throw new TcpError('input', `${what}: expected [[id, digest hex], ...]`)
  return a as Array<[string, string]>
}

/** The proof of `agent` in the tree at `dir`, and the hex digest of the root node it leads to (not in the proof:
 * the verifier takes the root from the signed envelope it is given). */
export async function proveInclusion(dir: string, agent: string): Promise<{proof: InclusionProof; root: string}> {
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
    levels.push({index, size: leaves.length, body: toBase64(nodeBodyDigest(node)), position, path: inclusionPath(leaves, position).map(toBase64)})
  }
  return {proof: {type: INCLUSION_TYPE, agent, leaf: toBase64(leaf), levels}, root: toHex(nodeDigest(node!))}
}

const B64_32 = /^[A-Za-z0-9+/]{43}=$/
const MAX_LEVELS = 64
const MAX_PATH = 64
const FIELDS = ['type', 'agent', 'leaf', 'levels']
const LEVEL_FIELDS = ['index', 'size', 'body', 'position', 'path']

/** Shape only: every field present, typed and bounded, nothing else. A malformed proof is bad input (exit 2). */
function parseProof(doc: unknown): InclusionProof {
  const bad = (why: string): never => {
    throw new TcpError('input', `inclusion proof: ${why}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) bad('expected a JSON object')
  const o = doc as Record<string, unknown>
  if (o.type === AGGREGATE_INCLUSION_V1_TYPE) bad(INCLUSION_V1_REFUSED)
  if (o.type !== INCLUSION_TYPE) bad(`type must be "${INCLUSION_TYPE}"`)
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) bad(`unknown field "${k}"`)
  if (typeof o.agent !== 'string' || o.agent.length === 0 || o.agent.length > 200) bad('agent must be a string of 1..200 characters')
  if (typeof o.leaf !== 'string' || !B64_32.test(o.leaf)) bad('leaf must be a base64 SHA3-256 digest')
  if (!Array.isArray(o.levels) || o.levels.length === 0 || o.levels.length > MAX_LEVELS) bad(`levels must be 1..${MAX_LEVELS} entries`)
  ;(o.levels as unknown[]).forEach((l, i) => {
    const e = l as Record<string, unknown>
    const w = `levels[${i}]`
    if (!e || typeof e !== 'object' || Array.isArray(e)) bad(`${w}: expected an object`)
    for (const k of Object.keys(e)) if (!LEVEL_FIELDS.includes(k)) bad(`${w}: unknown field "${k}"`)
    for (const k of ['index', 'size', 'position']) if (typeof e[k] !== 'number' || !Number.isSafeInteger(e[k]) || (e[k] as number) < 0) bad(`${w}.${k}: expected a non-negative integer`)
    const size = e.size as number
    if (size < 1 || size > 0xffffffff) bad(`${w}.size: expected 1..2^32 - 1 (node digests hash it as u32), got ${size}`)
    if ((e.position as number) >= size) bad(`${w}.position: expected below size ${size}, got ${e.position as number}`)
    if (typeof e.body !== 'string' || !B64_32.test(e.body)) bad(`${w}.body: expected a base64 digest`)
    if (!Array.isArray(e.path) || e.path.length > MAX_PATH || e.path.some((p) => typeof p !== 'string' || !B64_32.test(p))) bad(`${w}.path: expected at most ${MAX_PATH} base64 digests`)
  })
  return o as unknown as InclusionProof
}

/**
 * Checks an inclusion proof against a signed root. A path of the wrong length names its level; any other change
 * shows as a chain that does not reach the signed root (v2 carries no per-level digests to localise it).
 */
export function verifyInclusionProof(doc: unknown, rootEnvelope: unknown, trust: TrustStore, now = Date.now()): VerifyReport {
  const p = parseProof(doc)
  const fail = (checks: Check[], check: string, detail: string): VerifyReport => makeReport('aggregate-inclusion', [...checks, {check, ok: false, detail}])
  let root: AggregateNode
  let signers: string[]
  try {
    ;({node: root, signers} = openNode(rootEnvelope, trust, 'root', now))
  } catch (e) {
    return fail([], 'root-signature', (e as Error).message)
  }
  const checks: Check[] = [{check: 'root-signature', ok: true, detail: `root L${root.level}/${root.index} signed by aggregator ${root.aggregator}`}]
  const n = p.levels.length
  if (n !== root.level) return fail(checks, 'proof', `the proof has ${n} levels, the root is at level ${root.level}`)
  let h = fromBase64(p.leaf)
  let id = p.agent
  for (const [i, l] of p.levels.entries()) {
    const merkle = rootFromPath(childLeaf(id, h), l.position, l.size, l.path.map((x) => fromBase64(x)))
    if (!merkle) return fail(checks, 'paths', `level ${i + 1}: the path has ${l.path.length} hashes, the wrong length for child ${l.position} of ${l.size}`)
    h = nodeDigestFrom(fromBase64(l.body), merkle, l.size)
    id = `L${i + 1}/${l.index}`
  }
  checks.push({check: 'paths', ok: true, detail: `${n} levels, ${p.levels.reduce((a, l) => a + l.path.length, 0)} path hashes, each of the length its (position, size) needs`})
  const top = p.levels[n - 1]!
  const rootDigest = nodeDigest(root)
  const ok = top.index === root.index && equalBytes(h, rootDigest)
  const why = top.index !== root.index ? `level ${n}: index ${top.index}, the signed root is L${root.level}/${root.index}` : "the chain from the leaf does not reach the signed root's digest (a hash, id, index, position, size or body changed at some level, or another root)"
  checks.push({check: 'root', ok, detail: ok ? `reaches the signed root L${root.level}/${root.index} (${root.leaves} agents)` : why})
  if (!ok) return makeReport('aggregate-inclusion', checks)
  return makeReport('aggregate-inclusion', checks, {agent: p.agent, leaf: toHex(fromBase64(p.leaf)), root: toHex(rootDigest), merkleRoot: root.merkleRoot, levels: n, signerKeyIds: signers})
}
