/**
 * `tcp verify` is the one verification verb: it detects what it was given from the document's shape.
 * Each later artifact kind declares a top-level "type" string; DSSE envelopes are recognised by their fields.
 */
import {TcpError} from '../errors.js'

export const ZK_BUNDLE_TYPE = 'tcp.zk.proof-bundle/v1'
export const TPM_QUOTE_TYPE = 'tcp.attest.quote-bundle/v1'
export const AGGREGATE_INCLUSION_TYPE = 'tcp.aggregate.inclusion/v1'
export const AGGREGATE_NODE_PAYLOAD_TYPE = 'application/vnd.tcp.aggregate-node+json'

export type ArtifactKind = 'dsse-envelope' | 'zk-proof-bundle' | 'tpm-quote-bundle' | 'aggregate-root' | 'aggregate-inclusion'

export function detectArtifact(doc: unknown, what = 'artifact'): ArtifactKind {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new TcpError('input', `${what}: expected a JSON object`)
  const o = doc as Record<string, unknown>
  if (o.type === ZK_BUNDLE_TYPE) return 'zk-proof-bundle'
  if (o.type === TPM_QUOTE_TYPE) return 'tpm-quote-bundle'
  if (o.type === AGGREGATE_INCLUSION_TYPE) return 'aggregate-inclusion'
  if ('payloadType' in o && 'payload' in o && 'signatures' in o) return o.payloadType === AGGREGATE_NODE_PAYLOAD_TYPE ? 'aggregate-root' : 'dsse-envelope'
  throw new TcpError(
    'input',
    `${what}: not a tcp artifact (expected a DSSE envelope, a "${ZK_BUNDLE_TYPE}" or a "${TPM_QUOTE_TYPE}")`,
  )
}
