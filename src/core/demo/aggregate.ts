/**
 * Aggregation steps of `tcp demo`: the sample fleet's agents get one signed baseline each, a signed tree is built
 * over them (every leaf signature verified), an agent's inclusion proof verifies and a changed copy does not, and
 * the full audit recomputes every node; then 10 of 100 synthetic local aggregators report shifted means: the
 * plain weighted mean moves, the robust median does not, and the outlier test names them.
 */
import {join} from 'node:path'
import {readFileText, writeFileAtomic} from '../io.js'
import {encodePublicKeyPem} from '../keys/pem.js'
import {readFileSync} from 'node:fs'
import {ed25519} from '../crypto/ed25519.js'
import {keyIdOf} from '../keys/keyid.js'
import {parseObservations} from '../baseline/observations.js'
import {Rng} from '../rng.js'
import {perAgentBaselines, writePerAgent} from '../aggregate/agents.js'
import {buildTreeFiles} from '../aggregate/build.js'
import {proveInclusion, verifyInclusionProof} from '../aggregate/prove.js'
import {auditTree} from '../aggregate/audit.js'
import {buildLevel, buildTreeInMemory} from '../aggregate/tree.js'
import {honestAgents, poisonChild} from '../aggregate/fleet.js'
import {nodeAsChild} from '../aggregate/node.js'
import type {TrustStore} from '../envelope/trust.js'
import type {DemoStep} from './index.js'

const SEED = 20261127

function keyPair() {
  const secretKey = ed25519.randomSecretKey()
  const publicKey = ed25519.getPublicKey(secretKey)
  return {secretKey, publicKey, keyId: keyIdOf(publicKey)}
}

export const steps: DemoStep[] = [
  {
    name: 'aggregate: per-agent baselines, a signed tree, an inclusion proof and a full audit',
    async run(ctx) {
      const rec = keyPair()
      const agg = keyPair()
      const trust: TrustStore = {keys: [rec, agg].map((k) => ({type: 'ed25519' as const, publicKey: k.publicKey, keyId: k.keyId})), revoked: new Set(), source: 'demo keys'}
      const obs = parseObservations(await readFileText(ctx.samplePath, {what: 'sample telemetry'}), ctx.samplePath)
      const leaves = join(ctx.dir, 'aggregate-leaves')
      const baselines = perAgentBaselines(obs, {subject: 'demo', decimals: 3})
      await writePerAgent(baselines, rec, leaves)
      const tree = join(ctx.dir, 'aggregate-tree')
      // The tree's keys are made for the step; their public halves are kept so that a kept folder's tree can be
      // verified and audited (tcp verify aggregate-tree/root.dsse.json --pub aggregate-keys/aggregator.pub --audit ...).
      for (const [name, k] of [['recorder', rec], ['aggregator', agg]] as const)
        await writeFileAtomic(join(ctx.dir, 'aggregate-keys', `${name}.pub`), encodePublicKeyPem('ed25519', k.publicKey), {what: `demo ${name} public key`})
      const b = await buildTreeFiles({from: leaves, trust, signer: agg, out: tree, leafSize: 2, branching: 2, workers: 0})
      const agent = baselines[2]!.agent!
      const {proof} = await proveInclusion(tree, agent)
      const root = JSON.parse(readFileSync(join(tree, 'root.dsse.json'), 'utf8'))
      const good = verifyInclusionProof(proof, root, trust).ok
      const forged = verifyInclusionProof({...proof, agent: baselines[3]!.agent}, root, trust).ok
      const audit = await auditTree(root, tree, {trust, workers: 0})
      return {
        step: 'aggregate: tree',
        ok: good && !forged && audit.ok,
        summary: `${baselines.length} agents, root ${b.root!.slice(0, 16)}... (${b.shape.counts.length} levels); proof of ${agent} ${good ? 'verifies' : 'FAILS'}, relabelled as another agent ${forged ? 'ACCEPTED' : 'rejected'}; audit ${audit.ok ? `recomputed ${String(audit.recomputed)} nodes: all follow` : 'FAILED'}`,
        details: {root: b.root, proofBytes: JSON.stringify(proof).length},
      }
    },
  },
  {
    name: 'aggregate: 10 of 100 local aggregators report shifted means',
    async run() {
      const locals = buildLevel(honestAgents(SEED, {agents: 5000, observations: 20}), 0, 50, 0, {decimals: 3}).nodes.map(nodeAsChild)
      const rng = new Rng(SEED)
      const bad = new Set<number>()
      while (bad.size < 10) bad.add(rng.int(locals.length))
      const honest = buildTreeInMemory(locals, {decimals: 3, childLevel: 1})
      const poisoned = buildTreeInMemory(locals.map((c, i) => (bad.has(i) ? poisonChild(c, 'shift', 3, 4) : c)), {decimals: 3, childLevel: 1})
      const h = honest.root.features.latency!
      const p = poisoned.root.features.latency!
      const sd = Math.sqrt(h.variance)
      const plain = (p.mean - h.mean) / sd
      const robust = (p.median - h.median) / sd
      const flagged = new Set(poisoned.findings.filter((f) => f.node.startsWith('L2/')).map((f) => Number(f.id.split('/')[1])))
      const caught = [...bad].filter((i) => flagged.has(i)).length
      const falsePos = [...flagged].filter((i) => !bad.has(i)).length
      return {
        step: 'aggregate: poisoning',
        ok: Math.abs(robust) < 0.1 && Math.abs(plain) > 0.1 && caught === bad.size,
        summary: `plain weighted mean moved ${plain.toFixed(3)} sd, robust median ${robust.toFixed(3)} sd; outlier test flagged ${caught}/10 poisoned, ${falsePos}/90 honest (seed ${SEED})`,
      }
    },
  },
]
