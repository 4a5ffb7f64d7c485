/**
 * Verification of one signed aggregation node on its own (`tcp verify ROOT.dsse.json`): its signatures by trusted
 * aggregator keys and its schema. It does NOT recompute the node from its children: that is auditTree (audit.ts).
 */
import {openNode} from './leaf.js'
import {nodeDigest} from './node.js'
import {toHex} from '../bytes.js'
import {makeReport, type VerifyReport} from '../verify/report.js'
import type {TrustStore} from '../envelope/trust.js'

export function verifyAggregateRoot(doc: unknown, trust: TrustStore, now?: number): VerifyReport {
  try {
    const {node, signers} = openNode(doc, trust, 'aggregate node', now)
    const f = Object.entries(node.features).map(([k, v]) => `${k} mean ${v.mean} median ${v.median}`).join('; ')
    return makeReport('aggregate-root', [{check: 'signature', ok: true, detail: `L${node.level}/${node.index} over ${node.leaves} agents signed by ${signers.join(', ')}: ${f}`}], {
      signerKeyIds: signers,
      digest: toHex(nodeDigest(node)),
      level: node.level,
      leaves: node.leaves,
      outliers: node.outliers.length,
      quarantined: node.quarantined.length,
      trust: trust.source,
    })
  } catch (e) {
    return makeReport('aggregate-root', [{check: 'signature', ok: false, detail: (e as Error).message}], {trust: trust.source})
  }
}
