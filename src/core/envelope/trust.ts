/**
 * Trust stores: the public keys whose signatures count. Given as explicit .pub files, or as a directory of .pub
 * files with an optional trust.json:
 *   {"keys": [{"keyId": "...", "notBefore": "ISO", "notAfter": "ISO", "name": "..."}], "revoked": ["keyId", ...]}
 * When "keys" is present it is an allow-list: a .pub file whose key id it does not list is not trusted. Revoked ids
 * are never trusted. Validity windows are judged at the verification time.
 */
import {readdir} from 'node:fs/promises'
import {join} from 'node:path'
import {TcpError, fromSystemError} from '../errors.js'
import {parseTime} from '../time.js'
import {readJsonFile} from '../io.js'
import {readPublicKeyFile, type PublicKeyInfo} from '../keys/files.js'

export interface TrustPolicy {
  keys?: Array<{keyId: string; notBefore?: string; notAfter?: string; name?: string}>
  revoked?: string[]
}

export interface TrustedKey extends PublicKeyInfo {
  notBefore?: number
  notAfter?: number
  name?: string
}

export interface TrustStore {
  keys: TrustedKey[]
  revoked: Set<string>
  source: string
}

const KEY_ID_RE = /^[0-9a-f]{16}$/

function optionalTime(v: unknown, what: string): number | undefined {
  return v === undefined ? undefined : parseTime(v, what)
}

export function parseTrustPolicy(doc: unknown, what: string): {allow: Map<string, {notBefore?: number; notAfter?: number; name?: string}> | null; revoked: Set<string>} {
  const o = doc as Record<string, unknown>
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TcpError('input', `${what}: expected a JSON object`)
  for (const k of Object.keys(o)) if (k !== 'keys' && k !== 'revoked') throw new TcpError('input', `${what}: unknown field "${k}"`)
  const revoked = new Set<string>()
  if (o.revoked !== undefined) {
    if (!Array.isArray(o.revoked)) throw new TcpError('input', `${what}: "revoked" must be an array of key ids`)
    for (const id of o.revoked) {
      if (typeof id !== 'string' || !KEY_ID_RE.test(id)) throw new TcpError('input', `${what}: revoked: bad key id ${JSON.stringify(id)}`)
      revoked.add(id)
    }
  }
  let allow: Map<string, {notBefore?: number; notAfter?: number; name?: string}> | null = null
  if (o.keys !== undefined) {
    if (!Array.isArray(o.keys)) throw new TcpError('input', `${what}: "keys" must be an array`)
    allow = new Map()
    for (const [i, k] of o.keys.entries()) {
      const e = k as Record<string, unknown>
      if (!e || typeof e !== 'object' || typeof e.keyId !== 'string' || !KEY_ID_RE.test(e.keyId))
        throw new TcpError('input', `${what}: keys[${i}].keyId must be 16 hex digits`)
      for (const f of Object.keys(e)) if (!['keyId', 'notBefore', 'notAfter', 'name'].includes(f)) throw new TcpError('input', `${what}: keys[${i}]: unknown field "${f}"`)
      // Two entries for one key would leave only the last (an expiry could vanish): refuse, as duplicate names are.
      if (allow.has(e.keyId)) throw new TcpError('input', `${what}: keys[${i}]: key id ${e.keyId} is listed twice`)
      allow.set(e.keyId, {
        notBefore: optionalTime(e.notBefore, `${what}: keys[${i}].notBefore`),
        notAfter: optionalTime(e.notAfter, `${what}: keys[${i}].notAfter`),
        name: typeof e.name === 'string' ? e.name : undefined,
      })
    }
  }
  return {allow, revoked}
}

export async function trustFromFiles(paths: string[]): Promise<TrustStore> {
  const keys: TrustedKey[] = []
  for (const p of paths) {
    const k = await readPublicKeyFile(p)
    if (k.type !== 'ed25519') throw new TcpError('unsupported', `public key file ${p}: a ${k.type} key cannot verify signatures (Ed25519 needed)`)
    if (!keys.some((x) => x.keyId === k.keyId)) keys.push(k)
  }
  return {keys, revoked: new Set(), source: paths.join(', ')}
}

export async function trustFromDirectory(dir: string): Promise<TrustStore> {
  let names: string[]
  try {
    names = (await readdir(dir)).sort()
  } catch (e) {
    throw fromSystemError(e, 'trust directory', dir)
  }
  let policy: ReturnType<typeof parseTrustPolicy> = {allow: null, revoked: new Set()}
  if (names.includes('trust.json')) policy = parseTrustPolicy(await readJsonFile(join(dir, 'trust.json'), {what: 'trust file'}), `trust file ${join(dir, 'trust.json')}`)
  const keys: TrustedKey[] = []
  for (const n of names.filter((x) => x.endsWith('.pub'))) {
    const k = await readPublicKeyFile(join(dir, n))
    if (k.type !== 'ed25519' || keys.some((x) => x.keyId === k.keyId)) continue
    if (policy.allow && !policy.allow.has(k.keyId)) continue
    keys.push({...k, ...(policy.allow?.get(k.keyId) ?? {})})
  }
  if (keys.length === 0) throw new TcpError('input', `trust directory ${dir}: no trusted Ed25519 .pub files`)
  return {keys, revoked: policy.revoked, source: dir}
}

/** Why a trusted key does not count at time `now`, or null when it does. */
export function keyUnusableReason(k: TrustedKey, store: TrustStore, now: number): string | null {
  if (store.revoked.has(k.keyId)) return `key ${k.keyId} is revoked`
  if (k.notBefore !== undefined && now < k.notBefore) return `key ${k.keyId} is not valid before ${new Date(k.notBefore).toISOString()}`
  if (k.notAfter !== undefined && now > k.notAfter) return `key ${k.keyId} expired at ${new Date(k.notAfter).toISOString()}`
  return null
}
