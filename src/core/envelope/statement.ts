/**
 * in-toto Statement v1 (github.com/in-toto/attestation, spec/v1/statement.md) for files that are not baselines:
 * the subject carries SHA-256 and SHA3-256 (algorithm names "sha256" and "sha3_256" from the in-toto digest set,
 * spec/v1/digest_set.md), so tools that know only sha256 (cosign, slsa-verifier) can check it too.
 * A Statement is verified as the signed bytes it is: in-toto does not require canonical JSON, so pretty-printed
 * Statements from other tools are accepted (duplicate member names still are not).
 */
import {basename} from 'node:path'
import {TcpError} from '../errors.js'
import {toHex} from '../bytes.js'
import {sha256, sha3_256} from '../crypto/hash.js'

export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1'
/** Still written by older cosign and slsa-github-generator releases; same subject and predicateType fields. */
export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1'
export const FILE_PREDICATE_TYPE = 'https://tcp.dev/predicate/signed-file/v1'

export interface Statement {
  _type: typeof STATEMENT_TYPE | typeof STATEMENT_TYPE_V01
  subject: Array<{name: string; digest: Record<string, string>}>
  predicateType: string
  predicate: Record<string, unknown>
}

export function fileStatement(path: string, bytes: Uint8Array, signedAt = new Date().toISOString()): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [{name: basename(path), digest: {sha256: toHex(sha256(bytes)), sha3_256: toHex(sha3_256(bytes))}}],
    predicateType: FILE_PREDICATE_TYPE,
    predicate: {signedAt, size: bytes.length},
  }
}

export function parseStatement(doc: unknown, what = 'statement'): Statement {
  const o = doc as Record<string, unknown>
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TcpError('input', `${what}: expected a JSON object`)
  if (o._type !== STATEMENT_TYPE && o._type !== STATEMENT_TYPE_V01)
    throw new TcpError('input', `${what}: _type must be "${STATEMENT_TYPE}" (or "${STATEMENT_TYPE_V01}"), got ${JSON.stringify(o._type)}`)
  if (!Array.isArray(o.subject) || o.subject.length === 0) throw new TcpError('input', `${what}: subject must be a non-empty array`)
  for (const [i, s] of o.subject.entries()) {
    const so = s as Record<string, unknown>
    if (!so || typeof so !== 'object' || typeof so.name !== 'string' || !so.digest || typeof so.digest !== 'object')
      throw new TcpError('input', `${what}: subject[${i}] needs a name and a digest`)
    for (const v of Object.values(so.digest as object))
      if (typeof v !== 'string' || !/^[0-9a-f]+$/.test(v)) throw new TcpError('input', `${what}: subject[${i}].digest values must be lowercase hex`)
  }
  if (typeof o.predicateType !== 'string') throw new TcpError('input', `${what}: predicateType must be a string`)
  return o as unknown as Statement
}

/** The digest algorithms --file can check, in the order reported. */
const FILE_DIGESTS = {sha256, sha3_256} as const

/**
 * The subject that names these bytes: one with at least one digest tcp can compute (sha256, sha3_256) where every
 * such digest matches (a subject whose sha256 matches but whose sha3_256 does not is no match). Other algorithms
 * (gitCommit, sha512...) are neither checked nor trusted.
 */
export function matchSubject(st: Statement, bytes: Uint8Array): {name: string; algorithms: string[]} | undefined {
  const mine = Object.fromEntries(Object.entries(FILE_DIGESTS).map(([alg, fn]) => [alg, toHex(fn(bytes))])) as Record<string, string>
  for (const s of st.subject) {
    const algs = Object.keys(mine).filter((a) => Object.hasOwn(s.digest, a))
    if (algs.length > 0 && algs.every((a) => s.digest[a] === mine[a])) return {name: s.name, algorithms: algs}
  }
  return undefined
}
