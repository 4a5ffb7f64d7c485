/**
 * The aggregate node: what an aggregator signs about its children (payloadType application/vnd.tcp.aggregate-node+json,
 * DSSE, Ed25519). Canonical bytes are RFC 8785 (JCS) of the payload. Fields:
 *   type        "tcp.aggregate.node/v1"
 *   level       1 when the children are agents' baselines, l + 1 when they are nodes of level l
 *   index       position among the nodes of its level (children are in position order: agents sorted by id)
 *   aggregator  key id of the signer
 *   decimals    the fixed-point grid of every moment below (observations quantised to 10^-decimals)
 *   children    number of children; merkleRoot: RFC 9162 MTH (SHA3-256) over their leaves in order, each leaf
 *               binding the child's id and digest (merkle.ts childLeaf)
 *   first,last  ids of the first and last agent under the node (agents are sorted, so a path can be found)
 *   leaves      agents under the node's accepted children
 *   test        the outlier test's parameters: threshold, minSiblings, trim, excludeOutliers, testAgents
 *   outliers    every finding of the test (child index and id, statistic, feature, value, siblings' median, z)
 *   quarantined child indices left out of the statistics (only with excludeOutliers)
 *   features    per feature: merged exact moments {n, sum, m2n} of the accepted children (Chan merge), their
 *               mean and variance for people, and robust statistics of the children's centres: median (median of
 *               means, the node's own centre), mad, trimmedMean, and medianVariance.
 * A node's digest (what its parent's Merkle tree commits to) is SHA3-256(0x02 || u32be(children) ||
 * SHA3-256(JCS(payload without merkleRoot)) || merkleRoot), so that an inclusion proof carries 32 bytes per level instead of the whole node.
 * An agent's digest is the SHA3-256 of its baseline's canonical bytes (src/core/baseline).
 */
import {concatBytes, equalBytes, fromHex, toHex, u32be} from '../bytes.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {sha3_256} from '../crypto/hash.js'
import {createEnvelope, parseEnvelope, type Envelope, type Signer} from '../envelope/dsse.js'
import {TcpError} from '../errors.js'
import {parseJson} from '../json.js'
import {fromUtf8} from '../bytes.js'
import {keyIdOf} from '../keys/keyid.js'
import {decodeMoments, encodeMoments, mergeAll, meanOf, varianceOf, type EncodedMoments, type Moments} from './moments.js'
import {childLeaf, merkleRoot} from './merkle.js'
import {outlierTest, DEFAULT_THRESHOLD, MIN_SIBLINGS, type ChildSummary, type OutlierFinding} from './outliers.js'
import {DEFAULT_TRIM, mad, median, r12, trimmedMean} from './robust.js'

export const NODE_TYPE = 'tcp.aggregate.node/v1'
export const NODE_PAYLOAD_TYPE = 'application/vnd.tcp.aggregate-node+json'

export interface NodeFeature extends EncodedMoments {
  mean: number
  variance: number
  median: number
  mad: number
  trimmedMean: number
  medianVariance: number
}

export interface TestParams {
  threshold: number
  minSiblings: number
  trim: number
  excludeOutliers: boolean
  /** Test agents against their siblings too (level 1); off by default: agents' activity legitimately differs. */
  testAgents: boolean
}

export interface AggregateNode {
  type: typeof NODE_TYPE
  level: number
  index: number
  aggregator: string
  decimals: number
  children: number
  merkleRoot: string
  first: string
  last: string
  leaves: number
  test: TestParams
  outliers: OutlierFinding[]
  quarantined: number[]
  features: Record<string, NodeFeature>
}

/** What a parent needs of one child: its digest and statistics. */
export interface ChildInput {
  /** Agent id (level-1 children) or the node's "L<level>/<index>". */
  id: string
  digest: Uint8Array
  first: string
  last: string
  leaves: number
  /** Per feature: exact moments, and the child's robust centre (its mean for an agent, its median for a node). */
  features: Record<string, {moments: Moments; center: number}>
}

export const defaultTest = (t: Partial<TestParams> = {}): TestParams => ({
  threshold: t.threshold ?? DEFAULT_THRESHOLD,
  minSiblings: t.minSiblings ?? MIN_SIBLINGS,
  trim: t.trim ?? DEFAULT_TRIM,
  excludeOutliers: t.excludeOutliers ?? false,
  testAgents: t.testAgents ?? false,
})

export function summaryOf(c: ChildInput, decimals: number): ChildSummary {
  const features: ChildSummary['features'] = {}
  let n = 0
  for (const [f, v] of Object.entries(c.features)) {
    features[f] = {mean: meanOf(v.moments, decimals), variance: varianceOf(v.moments, decimals), center: v.center}
    n = Number(v.moments.n)
  }
  return {id: c.id, leaves: c.leaves, n, features}
}

export interface NodeParams {
  level: number
  index: number
  aggregator: string
  decimals: number
  test: TestParams
}

/** The node of these children: a pure function of its inputs, which is what --audit recomputes. */
export function computeNode(children: readonly ChildInput[], p: NodeParams): AggregateNode {
  if (children.length === 0) throw new TcpError('input', `node L${p.level}/${p.index}: no children`)
  const names = Object.keys(children[0]!.features).sort()
  for (const c of children) {
    const got = Object.keys(c.features).sort()
    if (got.join('\0') !== names.join('\0')) throw new TcpError('input', `child ${c.id}: features ${got.join(',')} differ from its siblings' ${names.join(',')}`)
  }
  const tested = p.level >= 2 || p.test.testAgents
  const outliers = tested ? outlierTest(children.map((c) => summaryOf(c, p.decimals)), {threshold: p.test.threshold, minSiblings: p.test.minSiblings}) : []
  const quarantined = p.test.excludeOutliers ? [...new Set(outliers.map((o) => o.child))].sort((a, b) => a - b) : []
  const q = new Set(quarantined)
  const accepted = children.filter((_, i) => !q.has(i))
  const features: Record<string, NodeFeature> = {}
  for (const f of names) {
    const m = mergeAll(accepted.map((c) => c.features[f]!.moments))
    const centers = accepted.map((c) => c.features[f]!.center)
    const vars = accepted.map((c) => varianceOf(c.features[f]!.moments, p.decimals))
    const med = centers.length ? median(centers) : 0
    features[f] = {
      ...encodeMoments(m),
      mean: r12(meanOf(m, p.decimals)),
      variance: r12(varianceOf(m, p.decimals)),
      median: r12(med),
      mad: centers.length ? r12(mad(centers, med)) : 0,
      trimmedMean: centers.length ? r12(trimmedMean(centers, p.test.trim)) : 0,
      medianVariance: vars.length ? r12(median(vars)) : 0,
    }
  }
  return {
    type: NODE_TYPE,
    level: p.level,
    index: p.index,
    aggregator: p.aggregator,
    decimals: p.decimals,
    children: children.length,
    merkleRoot: toHex(merkleRoot(children.map((c) => childLeaf(c.id, c.digest)))),
    first: children[0]!.first,
    last: children[children.length - 1]!.last,
    leaves: accepted.reduce((a, c) => a + c.leaves, 0),
    test: p.test,
    outliers,
    quarantined,
    features,
  }
}

const NODE_SEP = Uint8Array.of(2)

export function nodeBodyDigest(node: AggregateNode): Uint8Array {
  const {merkleRoot: _m, ...body} = node
  return sha3_256(canonicalBytes(body))
}

/** The children count is hashed in the clear so that a proof's tree size is bound (RFC 9162 paths alone do not
 * bind it: a path for child 23 of 50 also verifies as child 23 of 40). */
export function nodeDigestFrom(bodyDigest: Uint8Array, merkleRootBytes: Uint8Array, children: number): Uint8Array {
  if (!Number.isSafeInteger(children) || children < 1 || children > 0xffffffff) throw new TcpError('input', `node digest: ${children} children is not a u32`)
  return sha3_256(concatBytes(NODE_SEP, u32be(children), bodyDigest, merkleRootBytes))
}

export function nodeDigest(node: AggregateNode): Uint8Array {
  return nodeDigestFrom(nodeBodyDigest(node), fromHex(node.merkleRoot, 'merkleRoot', 32), node.children)
}

/** The node as a parent sees it. */
export function nodeAsChild(node: AggregateNode): ChildInput {
  const features: ChildInput['features'] = {}
  for (const [f, v] of Object.entries(node.features)) features[f] = {moments: decodeMoments({n: v.n, sum: v.sum, m2n: v.m2n}, f), center: v.median}
  return {id: `L${node.level}/${node.index}`, digest: nodeDigest(node), first: node.first, last: node.last, leaves: node.leaves, features}
}

export function signNode(node: AggregateNode, signer: Signer): Envelope {
  if (keyIdOf(signer.publicKey) !== node.aggregator) throw new TcpError('internal', `node aggregator ${node.aggregator} is not the signing key ${keyIdOf(signer.publicKey)}`)
  return createEnvelope(NODE_PAYLOAD_TYPE, canonicalBytes(node), signer)
}

// ---- strict parsing ----

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function keysExactly(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new TcpError('input', `${what}: unknown field "${k}"`)
  for (const k of keys) if (!(k in o)) throw new TcpError('input', `${what}: missing field "${k}"`)
}

function int(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new TcpError('input', `${what}: expected an integer >= ${min}, got ${JSON.stringify(v)}`)
  return v
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TcpError('input', `${what}: expected a finite number, got ${JSON.stringify(v)}`)
  return v
}

function str(v: unknown, what: string, re = /^[\x21-\x7e]{1,200}$/): string {
  if (typeof v !== 'string' || !re.test(v)) throw new TcpError('input', `${what}: expected ${re === HEX64 ? '64 hex digits' : re === KEYID ? '16 hex digits' : 'a printable id'}, got ${JSON.stringify(v)}`)
  return v
}

const HEX64 = /^[0-9a-f]{64}$/
const KEYID = /^[0-9a-f]{16}$/
const NODE_KEYS = ['type', 'level', 'index', 'aggregator', 'decimals', 'children', 'merkleRoot', 'first', 'last', 'leaves', 'test', 'outliers', 'quarantined', 'features'] as const
const FEATURE_KEYS = ['n', 'sum', 'm2n', 'mean', 'variance', 'median', 'mad', 'trimmedMean', 'medianVariance'] as const
const FINDING_KEYS = ['child', 'id', 'statistic', 'feature', 'value', 'siblingsMedian', 'z', 'threshold'] as const
const STATISTICS = ['mean-shift', 'robust-shift', 'variance-ratio', 'count']

/** Checks the shape of a node payload (not that its numbers follow from its children: that is --audit). */
export function parseNode(doc: unknown, what = 'node'): AggregateNode {
  if (!isObj(doc)) throw new TcpError('input', `${what}: expected a JSON object`)
  if (doc.type !== NODE_TYPE) throw new TcpError('input', `${what}: type must be "${NODE_TYPE}", got ${JSON.stringify(doc.type)}`)
  keysExactly(doc, NODE_KEYS, what)
  int(doc.level, `${what}.level`, 1)
  int(doc.index, `${what}.index`)
  str(doc.aggregator, `${what}.aggregator`, KEYID)
  int(doc.decimals, `${what}.decimals`)
  if ((doc.decimals as number) > 9) throw new TcpError('input', `${what}.decimals: expected 0..9`)
  const children = int(doc.children, `${what}.children`, 1)
  if (children > 0xffffffff) throw new TcpError('input', `${what}.children: at most 2^32 - 1 (the digest hashes it as u32)`)
  str(doc.merkleRoot, `${what}.merkleRoot`, HEX64)
  str(doc.first, `${what}.first`)
  str(doc.last, `${what}.last`)
  int(doc.leaves, `${what}.leaves`)
  if (!isObj(doc.test)) throw new TcpError('input', `${what}.test: expected an object`)
  keysExactly(doc.test, ['threshold', 'minSiblings', 'trim', 'excludeOutliers', 'testAgents'], `${what}.test`)
  if (!(finite(doc.test.threshold, `${what}.test.threshold`) > 0)) throw new TcpError('input', `${what}.test.threshold: must be positive`)
  int(doc.test.minSiblings, `${what}.test.minSiblings`, 1)
  const trim = finite(doc.test.trim, `${what}.test.trim`)
  if (trim < 0 || trim >= 0.5) throw new TcpError('input', `${what}.test.trim: expected [0, 0.5)`)
  for (const k of ['excludeOutliers', 'testAgents']) if (typeof doc.test[k] !== 'boolean') throw new TcpError('input', `${what}.test.${k}: expected a boolean`)
  if (!Array.isArray(doc.outliers)) throw new TcpError('input', `${what}.outliers: expected an array`)
  doc.outliers.forEach((o, i) => {
    const w = `${what}.outliers[${i}]`
    if (!isObj(o)) throw new TcpError('input', `${w}: expected an object`)
    keysExactly(o, FINDING_KEYS, w)
    if (int(o.child, `${w}.child`) >= children) throw new TcpError('input', `${w}.child: no child ${o.child as number} among ${children}`)
    str(o.id, `${w}.id`)
    if (!STATISTICS.includes(o.statistic as string)) throw new TcpError('input', `${w}.statistic: unknown ${JSON.stringify(o.statistic)}`)
    if (o.feature !== null) str(o.feature, `${w}.feature`)
    for (const k of ['value', 'siblingsMedian', 'z', 'threshold']) finite(o[k], `${w}.${k}`)
  })
  if (!Array.isArray(doc.quarantined)) throw new TcpError('input', `${what}.quarantined: expected an array`)
  doc.quarantined.forEach((c, i) => {
    if (int(c, `${what}.quarantined[${i}]`) >= children) throw new TcpError('input', `${what}.quarantined[${i}]: no child ${c as number}`)
  })
  if (!isObj(doc.features) || Object.keys(doc.features).length === 0) throw new TcpError('input', `${what}.features: expected a non-empty object`)
  for (const [f, v] of Object.entries(doc.features)) {
    const w = `${what}.features.${f}`
    if (!isObj(v)) throw new TcpError('input', `${w}: expected an object`)
    keysExactly(v, FEATURE_KEYS, w)
    decodeMoments({n: v.n, sum: v.sum, m2n: v.m2n}, w)
    for (const k of FEATURE_KEYS.slice(3)) finite(v[k], `${w}.${k}`)
  }
  return doc as unknown as AggregateNode
}

/** The node inside an envelope, WITHOUT checking signatures (callers verify them first). */
export function nodeOfEnvelope(doc: unknown, what = 'node envelope'): {node: AggregateNode; body: Uint8Array} {
  const {envelope, body} = parseEnvelope(doc, what)
  if (envelope.payloadType !== NODE_PAYLOAD_TYPE) throw new TcpError('input', `${what}: payload type is "${envelope.payloadType}", not an aggregate node`)
  const node = parseNode(parseJson(fromUtf8(body, `${what} payload`), `${what} payload`), `${what} payload`)
  if (!equalBytes(body, canonicalBytes(node))) throw new TcpError('input', `${what}: the payload is not the canonical (RFC 8785) form of the node`)
  return {node, body}
}
