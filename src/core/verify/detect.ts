/**
 * `tcp verify` is the one verification verb: it detects what it was given from the document's shape.
 * Each later artifact kind declares a top-level "type" string; DSSE envelopes are recognised by their fields.
 */
import {TcpError} from '../errors.js'
import {readFirstLine} from '../log/lines.js'
import {readJsonFile} from '../io.js'
import {LOG_CHECKPOINT_TYPE, LOG_ENTRY_TYPE, MAX_LINE_BYTES} from '../log/format.js'

export const ZK_BUNDLE_TYPE = 'tcp.zk.proof-bundle/v1'
export const TPM_QUOTE_TYPE = 'tcp.attest.quote-bundle/v1'
export const AGGREGATE_INCLUSION_TYPE = 'tcp.aggregate.inclusion/v2'
/** Refused, not read: v1 carried per-level node digests and the root's digest, claims v2 drops (the project is 0.x). */
export const AGGREGATE_INCLUSION_V1_TYPE = 'tcp.aggregate.inclusion/v1'
export const INCLUSION_V1_REFUSED = `a "${AGGREGATE_INCLUSION_V1_TYPE}" proof is no longer read: re-run tcp aggregate prove to write a "${AGGREGATE_INCLUSION_TYPE}" one`
export const AGGREGATE_NODE_PAYLOAD_TYPE = 'application/vnd.tcp.aggregate-node+json'

export type ArtifactKind = 'dsse-envelope' | 'zk-proof-bundle' | 'tpm-quote-bundle' | 'tcp-log' | 'aggregate-root' | 'aggregate-inclusion'

export function detectArtifact(doc: unknown, what = 'artifact'): ArtifactKind {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new TcpError('input', `${what}: expected a JSON object`)
  const o = doc as Record<string, unknown>
  if (o.type === ZK_BUNDLE_TYPE) return 'zk-proof-bundle'
  if (o.type === TPM_QUOTE_TYPE) return 'tpm-quote-bundle'
  if (o.type === AGGREGATE_INCLUSION_TYPE) return 'aggregate-inclusion'
  if (o.type === AGGREGATE_INCLUSION_V1_TYPE) throw new TcpError('input', `${what}: ${INCLUSION_V1_REFUSED}`)
  if ('payloadType' in o && 'payload' in o && 'signatures' in o) return o.payloadType === AGGREGATE_NODE_PAYLOAD_TYPE ? 'aggregate-root' : 'dsse-envelope'
  throw new TcpError(
    'input',
    `${what}: not a tcp artifact (expected a DSSE envelope, a "${ZK_BUNDLE_TYPE}", a "${TPM_QUOTE_TYPE}", a "${AGGREGATE_INCLUSION_TYPE}" or a "${LOG_ENTRY_TYPE}" log)`,
  )
}

/**
 * A tcp.log/v1 file is JSON Lines, not one JSON document: it is recognised by the "type" of its first line, read
 * alone (bounded), so that a large log is streamed by its verifier rather than loaded here. Anything else is read as
 * one JSON document and detected by detectArtifact. A line-oriented artifact comes back with doc undefined.
 */
export async function readArtifact(path: string, what = `artifact ${path}`): Promise<{kind: ArtifactKind; doc: unknown}> {
  const first = await readFirstLine(path, MAX_LINE_BYTES + 1, 'artifact')
  try {
    const o = JSON.parse(first) as {type?: unknown}
    if (o && (o.type === LOG_ENTRY_TYPE || o.type === LOG_CHECKPOINT_TYPE)) return {kind: 'tcp-log', doc: undefined}
  } catch {
    // not a single JSON line: a pretty-printed document, or not JSON at all (readJsonFile names the problem)
  }
  const doc = await readJsonFile(path, {what: 'artifact'})
  return {kind: detectArtifact(doc, what), doc}
}
