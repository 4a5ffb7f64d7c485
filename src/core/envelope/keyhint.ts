/**
 * DSSE's keyid is an unauthenticated hint (DSSE envelope.md: "keyid: Optional, unauthenticated hint indicating what
 * key and algorithm was used to sign the message"). Other tools write their own key ids (a SHA-256 of a PEM, a
 * KMS URI, a name) or none, so a signature whose keyid names no trusted key is tried against the trusted keys.
 *
 * Bound: an envelope spends at most MAX_HINTLESS_TRIALS Ed25519 verifications on signatures whose keyid names no
 * trusted key; once spent, the remaining such signatures are ignored (counted untrusted, never valid). With more
 * trusted keys than the bound, a hintless signature is tried against the first MAX_HINTLESS_TRIALS keys of the
 * store only (the report says so). A keyid that names a trusted key is checked against that key alone, and a
 * failure there is counted invalid (evidence of tampering), as before.
 */
import type {TrustedKey, TrustStore} from './trust.js'

export const MAX_HINTLESS_TRIALS = 64

export interface KeyCandidates {
  candidates: TrustedKey[]
  /** The keyid named a trusted key: a failure is a bad signature, not someone else's. */
  hinted: boolean
  /** Trusted keys that were not tried because the envelope's budget was spent. */
  skipped: number
}

export function candidateKeys(keyids: string[], trust: TrustStore): KeyCandidates[] {
  let budget = MAX_HINTLESS_TRIALS
  return keyids.map((keyid) => {
    const named = keyid ? trust.keys.filter((k) => k.keyId === keyid) : []
    if (named.length > 0) return {candidates: named, hinted: true, skipped: 0}
    const candidates = trust.keys.slice(0, budget)
    budget -= candidates.length
    return {candidates, hinted: false, skipped: trust.keys.length - candidates.length}
  })
}

/** Why a signature that verified under no candidate is ignored (undefined: it claimed a trusted key, so invalid). */
export function hintlessReason(keyid: string, c: KeyCandidates): string | undefined {
  if (c.hinted) return undefined
  const who = keyid ? `key id "${keyid}" names no trusted key` : 'no key id'
  const tried = `tried ${c.candidates.length} trusted key(s)${c.skipped ? `, ${c.skipped} not tried (bound of ${MAX_HINTLESS_TRIALS} per envelope)` : ''}`
  return `${who} and no trusted key verifies it (${tried}; ignored)`
}
