/**
 * Children as a parent receives them: an agent's signed baseline (level 0) or a lower aggregator's signed node.
 * A child is accepted only with a valid signature by a key of the trust store for its role (a baseline: an agent or
 * its recorder; a node: an aggregator) and canonical payload bytes; an agent's baseline must carry exact moments on the tree's grid and
 * name the agent the file is filed under.
 */
import {TcpError} from '../errors.js'
import {baselineDigest} from '../baseline/baseline.js'
import type {Baseline} from '../baseline/types.js'
import {countTrustedSignatures, verifyEnvelopeReport} from '../envelope/verify.js'
import {parseEnvelope} from '../envelope/dsse.js'
import {sha3_256} from '../crypto/hash.js'
import type {TrustStore} from '../envelope/trust.js'
import {requireAllPassed, makeReport} from '../verify/report.js'
import {decodeMoments, meanOf} from './moments.js'
import {AGENT_ID_RE} from './source.js'
import {nodeAsChild, nodeOfEnvelope, NODE_PAYLOAD_TYPE, type AggregateNode, type ChildInput} from './node.js'

/** `digest` may be given when the caller already holds the baseline's canonical bytes (then it is their SHA3-256). */
export function leafChild(b: Baseline, decimals: number, what: string, digest?: Uint8Array): ChildInput {
  if (!b.moments) throw new TcpError('input', `${what}: the baseline has no exact moments (make it with tcp baseline create --per-agent)`)
  if (b.moments.decimals !== decimals) throw new TcpError('input', `${what}: moments on ${b.moments.decimals} decimals, the tree uses ${decimals}`)
  if (b.agent === null) throw new TcpError('input', `${what}: the baseline names no agent`)
  if (!AGENT_ID_RE.test(b.agent)) throw new TcpError('input', `${what}: agent ${JSON.stringify(b.agent)} is not an id of letters, digits, . _ - (at most 128)`)
  const features: ChildInput['features'] = {}
  for (const [f, m] of Object.entries(b.moments.features)) {
    const moments = decodeMoments(m, `${what}.moments.${f}`)
    features[f] = {moments, center: meanOf(moments, decimals)}
  }
  return {id: b.agent, digest: digest ?? baselineDigest(b), first: b.agent, last: b.agent, leaves: 1, features}
}

/** Verifies a signed baseline (every check of tcp verify) and turns it into a child; any failure names `what`. */
export function openLeaf(doc: unknown, trust: TrustStore, decimals: number, what: string, expectAgent?: string, now = Date.now()): ChildInput {
  let baseline: Baseline
  let body: Uint8Array
  try {
    const {baseline: b, ...report} = verifyEnvelopeReport(doc, {trust, now, reportDigest: false})
    requireAllPassed(report)
    if (!b) throw new TcpError('rejected', `rejected: payload type ${String(report.payloadType)} is not a baseline`)
    baseline = b
    // verifyEnvelopeReport checked that the signed bytes ARE the canonical form: their hash is the digest.
    body = parseEnvelope(doc).body
  } catch (e) {
    if (e instanceof TcpError) throw new TcpError(e.code, `${what}: ${e.message}`)
    throw e
  }
  if (expectAgent !== undefined && baseline.agent !== expectAgent)
    throw new TcpError('rejected', `${what}: the baseline is of agent ${JSON.stringify(baseline.agent)}, filed as ${JSON.stringify(expectAgent)}`)
  return leafChild(baseline, decimals, what, sha3_256(body))
}

/**
 * Trust roles (tcp verify --audit --leaf-pub): leaves and nodes are checked against separate stores. When a child
 * fails under its own role's store, this names the keys of the OTHER role that signed it (a lower aggregator's key
 * on a baseline, a recorder's on a node), so the refusal says why; it never accepts anything.
 */
export interface OtherRole {
  trust: TrustStore
  /** e.g. `a node signer (--pub agg.pub), not a leaf signer` */
  role: string
}

export function wrongRole(doc: unknown, other: OtherRole | undefined, e: unknown, now: number): unknown {
  if (!other || !(e instanceof TcpError) || e.code !== 'rejected') return e
  let signers: string[] = []
  try {
    signers = countTrustedSignatures(doc, other.trust, 1, now).signers
  } catch {
    return e
  }
  return signers.length ? new TcpError('rejected', `${e.message}: signed by ${signers.join(', ')}, ${other.role}`) : e
}

/** Verifies a signed aggregate node (signature by a trusted key that is the node's own aggregator). */
export function openNode(doc: unknown, trust: TrustStore, what: string, now = Date.now()): {node: AggregateNode; child: ChildInput; signers: string[]} {
  const count = countTrustedSignatures(doc, trust, 1, now)
  const report = makeReport('aggregate-node', count.checks)
  try {
    requireAllPassed(report)
  } catch (e) {
    throw new TcpError('rejected', `${what}: ${(e as Error).message}`, report)
  }
  if (count.payloadType !== NODE_PAYLOAD_TYPE) throw new TcpError('input', `${what}: payload type is "${count.payloadType}", not an aggregate node`)
  const {node} = nodeOfEnvelope(doc, what)
  if (!count.signers.includes(node.aggregator)) throw new TcpError('rejected', `${what}: signed by ${count.signers.join(', ')}, but the node names aggregator ${node.aggregator}`)
  return {node, child: nodeAsChild(node), signers: count.signers}
}
