/**
 * Tree poisoning (THREATS.md vector 1): 5% (even trials) or 10% (odd trials) of the local aggregators (50 agents
 * each) report crafted statistics, signed with their own trusted keys:
 *   shifted-mean   the node's mean (and robust centre) moved by 3 sd of the fleet;
 *   low-variance   variance cut 20-fold, mean moved by 2.5 sd (anomalies look normal, the centre drifts);
 *   over-weighted  counts inflated 20-fold with a modest 0.5 sd shift (each too small for the mean test alone);
 *   under-threshold (not claimed) the strongest statistical poisoner the outlier test lets through: mean, centre and
 *                  variance each at UNDER x the threshold above the honest nodes' median; it goes unflagged, and the
 *                  figure is how far it moves the global baseline (robust merge and the tree's upper levels bound it);
 *   altered-child  the aggregator swaps 10 of its agents' signed baselines for shifted ones and computes a node that
 *                  follows from the swapped set (consistent numbers, a Merkle root over the wrong digests);
 *   forged-report  a man in the middle, without any aggregator's key, moves the mean of half the signed local nodes
 *                  by 0.3 sd in transit: too little, and too many alike, for the sibling test; only the signature
 *                  (which no longer covers what is read) stands.
 * Undefended: plain weighted averaging of what the local aggregators report (exact Chan merge, no signature check,
 * no test, no audit).
 * Defended: tcp aggregate's tree (src/core/aggregate: computeNode's outlier test at each parent with
 * --exclude-outliers, exact merge of the accepted children, robust statistics), the audit's recomputation of a
 * node from its children's signed baselines, and the DSSE signature check of each signed node
 * (src/core/envelope/verify.ts countTrustedSignatures) before a parent reads it.
 */
import {buildLevel, buildTreeInMemory, syntheticChild} from '../../aggregate/tree.js'
import {computeNode, defaultTest, nodeAsChild, nodeDigest, nodeOfEnvelope, type ChildInput} from '../../aggregate/node.js'
import {mad, median} from '../../aggregate/robust.js'
import {decodeMoments, mergeAll, meanOf, momentsOfQuantized, quantize, varianceOf, type Moments} from '../../aggregate/moments.js'
import {equalBytes, toBase64} from '../../bytes.js'
import {TcpError} from '../../errors.js'
import {canonicalBytes} from '../../canonical/jcs.js'
import {ed25519} from '../../crypto/ed25519.js'
import type {Envelope, Signer} from '../../envelope/dsse.js'
import {countTrustedSignatures} from '../../envelope/verify.js'
import type {TrustStore} from '../../envelope/trust.js'
import {keyIdOf} from '../../keys/keyid.js'
import {honestFleet, pickAgents} from '../fleet.js'
import type {AttackSpec, PathOutcome, TrialContext, Vector} from '../types.js'

const OBS = 60
const LEAF = 50
const BRANCHING = 10
const DECIMALS = 3
/** Issue 11: the global mean must move by less than 0.1 sd; the attacker's goal is to move it by at least that. */
export const DISTORTION_GOAL = 0.1
export const ALTERED_AGENTS = 10
/** under-threshold: the fraction of the outlier test's threshold the attacker stays at, on every statistic. */
export const UNDER = 0.9
const AGGREGATOR = '0000000000000000'
const TEST = defaultTest({excludeOutliers: true})

type Name = 'shifted-mean' | 'low-variance' | 'over-weighted' | 'under-threshold' | 'altered-child' | 'forged-report'

interface World {
  name: Name
  /** The local aggregators' nodes as their parents see them (poisoned ones replaced). */
  locals: ChildInput[]
  poisoned: Set<number>
  /** Every agent's signed baseline, in tree order (what --audit re-reads). */
  agents: ChildInput[]
  /** forged-report: the local nodes as signed envelopes (poisoned ones altered in transit), and who signed them. */
  envelopes: Envelope[] | null
  trust: TrustStore | null
  honestMean: number
  honestSd: number
}

const attacks = [
  {name: 'shifted-mean', goal: 'move the global mean by at least 0.1 sd through shifted local means', claimed: true},
  {name: 'low-variance', goal: 'move the global baseline by at least 0.1 sd with low-variance, shifted local statistics', claimed: true},
  {name: 'over-weighted', goal: 'move the global mean by at least 0.1 sd through inflated counts', claimed: true},
  {name: 'under-threshold', goal: `poisoned nodes kept at ${UNDER} x the outlier threshold on mean, centre and variance stay unflagged (tcp does not claim to flag them; their distortion is the figure)`, claimed: false},
  {name: 'altered-child', goal: `a local aggregator's node computed over ${ALTERED_AGENTS} swapped agent baselines is accepted`, claimed: true},
  {name: 'forged-report', goal: 'half the signed local nodes altered in transit (mean +0.3 sd) move the global baseline by at least 0.1 sd', claimed: true},
] as const satisfies readonly AttackSpec[]

const F = 'x'

function momentsOfRow(x: Float64Array, from: number, n: number): Moments {
  const q: bigint[] = new Array(n)
  for (let i = 0; i < n; i++) q[i] = quantize(x[from + i]!, DECIMALS)
  return momentsOfQuantized(q)
}

/** Moments of a set shifted by d (observation units): the sum moves by n * d, M2 is unchanged. */
function shifted(m: Moments, d: number): Moments {
  return {n: m.n, sum: m.sum + m.n * quantize(d, DECIMALS), m2n: m.m2n}
}

/**
 * Moments of n integers (n even) with the given mean and sd: half at mean - sd, half at mean + sd (quantised).
 * A poisoner has to report moments some set of integers can have: tcp's exact merge rejects any other.
 */
export function twoPointMoments(n: bigint, mean: number, sd: number): Moments {
  const k = n / 2n
  const lo = quantize(mean - sd, DECIMALS)
  const hi = quantize(mean + sd, DECIMALS)
  const sum = k * (lo + hi)
  const sq = k * (lo * lo + hi * hi)
  return {n: 2n * k, sum, m2n: 2n * k * sq - sum * sum}
}

/**
 * under-threshold: the strongest statistical poisoner the outlier test lets through. It knows how the honest local
 * nodes spread (median and MAD of their means and log-variances, the numbers the test reads) and reports a node at
 * UNDER x threshold above the median on the mean, the robust centre and the log-variance at once, with an honest count.
 */
export function underThreshold(c: ChildInput, honest: readonly ChildInput[]): ChildInput {
  const means = honest.map((h) => meanOf(h.features[F]!.moments, DECIMALS))
  const logVars = honest.map((h) => Math.log(varianceOf(h.features[F]!.moments, DECIMALS)))
  const k = UNDER * TEST.threshold
  const mean = median(means) + k * mad(means)
  const sd = Math.sqrt(Math.exp(median(logVars) + k * mad(logVars)))
  const m = c.features[F]!.moments
  return syntheticChild(c.id, DECIMALS, {[F]: {moments: twoPointMoments(m.n, mean, sd), center: mean}}, c.leaves)
}

function crafted(name: Exclude<Name, 'altered-child' | 'under-threshold'>, c: ChildInput, sd: number): ChildInput {
  const {moments: m, center} = c.features[F]!
  const mean = meanOf(m, DECIMALS)
  const own = Math.sqrt(varianceOf(m, DECIMALS))
  // shifted-mean: 3 sd; low-variance: 2.5 sd with the variance cut 20-fold; over-weighted: 0.5 sd, counts x20.
  const d = name === 'shifted-mean' ? 3 * sd : name === 'low-variance' ? 2.5 * sd : 0.5 * sd
  const n = name === 'over-weighted' ? m.n * 20n : m.n
  const out = twoPointMoments(n, mean + d, name === 'low-variance' ? own / Math.sqrt(20) : own)
  return syntheticChild(c.id, DECIMALS, {[F]: {moments: out, center: center + d}}, c.leaves)
}

/** A fixed verification time for the harness's signature checks (trusted keys carry no validity window here). */
const TRUST_NOW = Date.parse('2026-11-27T00:00:00Z')

function signerFrom(seed: Uint8Array): Signer {
  return {secretKey: seed, publicKey: ed25519.getPublicKey(seed)}
}

/** The man in the middle's edit: the node's mean (sum, mean, centres) moved by d, the payload re-encoded, the old signature kept. */
export function alteredInTransit(env: Envelope, d: number): Envelope {
  const {node} = nodeOfEnvelope(env)
  const f = node.features[F]!
  const m = shifted(decodeMoments({n: f.n, sum: f.sum, m2n: f.m2n}, F), d)
  const moved = {...node, features: {...node.features, [F]: {...f, sum: m.sum.toString(), mean: f.mean + d, median: f.median + d, trimmedMean: f.trimmedMean + d}}}
  return {...env, payload: toBase64(canonicalBytes(moved))}
}

function stats(children: readonly ChildInput[]): {mean: number; sd: number} {
  const m = mergeAll(children.map((c) => c.features[F]!.moments))
  return {mean: meanOf(m, DECIMALS), sd: Math.sqrt(varianceOf(m, DECIMALS))}
}

function distortion(w: World, s: {mean: number; sd: number}): number {
  return Math.max(Math.abs(s.mean - w.honestMean), Math.abs(s.sd - w.honestSd)) / w.honestSd
}

export const treePoisoning: Vector<World> = {
  name: 'tree-poisoning',
  title: 'Tree poisoning',
  threat: '5-10% of the local aggregators report crafted statistics (shifted means, cut variances, inflated counts) or compute their node over swapped agent baselines, so that weighted averaging carries the poison to the global baseline.',
  undefendedPath: 'plain weighted averaging of the local aggregators\' reports (exact merge, no outlier test, no audit)',
  defendedPath: `tcp aggregate: outlier test at every parent (robust z > ${defaultTest().threshold} on mean, centre, log-variance, count) with --exclude-outliers, exact merge of the accepted children, and --audit recomputing each node from its children`,
  statedFpr: 0.01,
  timeUnit: 'level(s) above the poisoned node',
  attacks,
  trials: (quick) => (quick ? 4 : 10),
  world(ctx: TrialContext, attack: AttackSpec): World {
    const name = attack.name as Name
    const f = honestFleet(ctx.rng, ctx.agents, OBS, 0)
    const agents: ChildInput[] = []
    for (let a = 0; a < ctx.agents; a++) agents.push(syntheticChild(`agent-${String(a).padStart(7, '0')}`, DECIMALS, {[F]: momentsOfRow(f.x, a * OBS, OBS)}))
    // forged-report: the local aggregators sign their nodes (one key here; the seeded key is for this harness only).
    const signer = name === 'forged-report' ? signerFrom(ctx.rng.bytes(32)) : null
    const level1 = buildLevel(agents, 0, LEAF, 0, {decimals: DECIMALS, test: TEST, ...(signer ? {signer} : {aggregator: AGGREGATOR})})
    const locals = level1.nodes.map(nodeAsChild)
    const honest = stats(locals)
    const fraction = name === 'forged-report' ? 0.5 : ctx.trial % 2 === 0 ? 0.05 : 0.1
    const idx = pickAgents(ctx.rng, locals.length, Math.max(1, Math.round(fraction * locals.length)))
    const poisoned = new Set<number>(idx)
    const envelopes = signer ? level1.envelopes.slice() : null
    const honestLocals = locals.slice()
    for (const i of idx) {
      if (name === 'forged-report') {
        envelopes![i] = alteredInTransit(envelopes![i]!, 0.3 * honest.sd)
        locals[i] = nodeAsChild(nodeOfEnvelope(envelopes![i]).node)
        continue
      }
      if (name === 'under-threshold') {
        locals[i] = underThreshold(locals[i]!, honestLocals)
        continue
      }
      if (name !== 'altered-child') {
        locals[i] = crafted(name, locals[i]!, honest.sd)
        continue
      }
      const group = agents.slice(i * LEAF, (i + 1) * LEAF)
      const swapped = group.map((c, k) => (k < ALTERED_AGENTS ? syntheticChild(c.id, DECIMALS, {[F]: shifted(c.features[F]!.moments, honest.sd)}) : c))
      locals[i] = nodeAsChild(computeNode(swapped, {level: 1, index: i, aggregator: AGGREGATOR, decimals: DECIMALS, test: TEST}))
    }
    const trust: TrustStore | null = signer ? {keys: [{type: 'ed25519', publicKey: signer.publicKey, keyId: keyIdOf(signer.publicKey)}], revoked: new Set(), source: 'redteam'} : null
    return {name, locals, poisoned, agents, envelopes, trust, honestMean: honest.mean, honestSd: honest.sd}
  },
  undefended(w): PathOutcome {
    // The whole plain tree, from the agents up (so that the overhead figure compares like with like): honest local
    // aggregators merge their agents, poisoned ones report what they like, the global baseline merges the reports.
    const reports = w.locals.map((c, i) =>
      w.poisoned.has(i) ? c : syntheticChild(c.id, DECIMALS, {[F]: mergeAll(w.agents.slice(i * LEAF, (i + 1) * LEAF).map((a) => a.features[F]!.moments))}, c.leaves),
    )
    const d = distortion(w, stats(reports))
    // altered-child and under-threshold aim at going unflagged: without any test or audit nothing is flagged.
    return {success: w.name === 'altered-child' || w.name === 'under-threshold' ? true : d >= DISTORTION_GOAL, detected: 0, attackers: w.poisoned.size, falsePositives: 0, honest: w.locals.length - w.poisoned.size, timeToDetection: null, distortionSd: d}
  },
  defended(w): PathOutcome {
    // A parent reads a signed node only once its signature verifies under a trusted aggregator key.
    const refused = new Set<number>()
    if (w.envelopes && w.trust) w.envelopes.forEach((e, i) => countTrustedSignatures(e, w.trust!, 1, TRUST_NOW).checks.every((c) => c.ok) || refused.add(i))
    const kept = w.locals.filter((_, i) => !refused.has(i))
    const keptIndex = w.locals.map((_, i) => i).filter((i) => !refused.has(i))
    if (kept.length === 0) throw new TcpError('internal', 'redteam tree-poisoning: every local node was refused')
    const tree = buildTreeInMemory(kept, {childLevel: 1, decimals: DECIMALS, branching: BRANCHING, test: TEST, aggregator: AGGREGATOR})
    const flagged = new Set<number>(refused)
    const byId = new Map(w.locals.map((c, i) => [c.id, i]))
    for (const f of tree.findings) if (f.node.startsWith('L2/')) flagged.add(byId.get(f.id) ?? keptIndex[Number(f.id.slice(3))]!)
    // The audit: recompute each local node from its agents' signed baselines and compare digests. The statistical
    // attacks are modelled with the agents under a poisoned aggregator also the attacker's (their baselines signed
    // to match the crafted node), so the audit cannot see them: only the outlier test and the merge stand there.
    for (let i = 0; i < w.locals.length; i++) {
      if (w.poisoned.has(i) && w.name !== 'altered-child') continue
      if (w.name === 'forged-report') continue // the signature check is what this attack tests; altered-child tests the audit
      const again = computeNode(w.agents.slice(i * LEAF, (i + 1) * LEAF), {level: 1, index: i, aggregator: AGGREGATOR, decimals: DECIMALS, test: TEST})
      if (!equalBytes(nodeDigest(again), w.locals[i]!.digest)) flagged.add(i)
    }
    let detected = 0, fp = 0
    for (const i of flagged) (w.poisoned.has(i) ? detected++ : fp++)
    const root = tree.root.features[F]!
    const d = distortion(w, {mean: root.mean, sd: Math.sqrt(root.variance)})
    const anyUnflagged = [...w.poisoned].some((i) => !flagged.has(i))
    return {
      success: w.name === 'altered-child' || w.name === 'under-threshold' ? anyUnflagged : d >= DISTORTION_GOAL,
      detected,
      attackers: w.poisoned.size,
      falsePositives: fp,
      honest: w.locals.length - w.poisoned.size,
      timeToDetection: detected ? (w.name === 'altered-child' ? 0 : 1) : null,
      distortionSd: d,
    }
  },
  bounds: [
    {metric: 'detectionRate', op: '>', value: 0.95, source: 'THREATS.md: poisoning detected with probability above 0.95'},
    {metric: 'falsePositiveRate', op: '<=', value: 0.01, source: 'issue 11: at a stated false-positive rate of at most 0.01'},
    {metric: 'distortionSd', op: '<', value: DISTORTION_GOAL, source: 'issue 11: the global mean moves by less than 0.1 sd'},
    {metric: 'resistedFraction', op: '>=', value: 0.98, source: 'THREATS.md: at least 98% of red-team attacks resisted'},
  ],
  defenceCode: [
    'src/core/aggregate/tree.ts buildTreeInMemory (computeNode: outlierTest, exclude outliers, mergeAll)',
    'src/core/aggregate/node.ts computeNode + nodeDigest (what --audit recomputes)',
    'src/core/envelope/verify.ts countTrustedSignatures (signed nodes, DSSE)',
  ],
}
