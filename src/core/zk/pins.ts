/**
 * Verification keys of earlier setups that stay pinned. `tcp zk setup --fresh` replaces a circuit's setup, and
 * with it the verification key that `tcp verify` trusts by default for proofs of that size: every proof made with
 * the earlier setup would stop verifying without a word. Instead, the earlier key's SHA3-256 moves to
 * `earlier-vkeys.json` beside setup.json and stays pinned, until the user asks to drop it (--drop-earlier).
 * Format: {"schema": "tcp.zk.earlier-vkeys/v1", "keys": [{"sha3": 64 hex, "created": time of that setup,
 * "replaced": time it was replaced}]}.
 * Does NOT guarantee: that an earlier setup was trustworthy; it is pinned because this user's machine made it.
 * The file has the trust of the cache folder it is in (as setup.json does).
 */
import {join} from 'node:path'
import {TcpError} from '../errors.js'
import {readJsonFile, writeFileAtomic} from '../io.js'
import {parseTime} from '../time.js'

export const EARLIER_SCHEMA = 'tcp.zk.earlier-vkeys/v1'

export interface EarlierKey {
  sha3: string
  created: string
  replaced: string
}

/** The file of a circuit folder that lists its earlier keys. */
export const earlierKeysFile = (dir: string): string => join(dir, 'earlier-vkeys.json')

/** The earlier keys still pinned for a circuit folder ([] when none); a malformed file is an input error. */
export async function earlierKeys(dir: string): Promise<EarlierKey[]> {
  const path = earlierKeysFile(dir)
  const doc = (await readJsonFile(path, {what: 'earlier verification keys'}).catch((e) => {
    if (e instanceof TcpError && e.code === 'not_found') return null
    throw e
  })) as {schema?: unknown; keys?: unknown} | null
  if (doc === null) return []
  if (!doc || doc.schema !== EARLIER_SCHEMA || !Array.isArray(doc.keys)) throw new TcpError('input', `${path}: expected {"schema": "${EARLIER_SCHEMA}", "keys": [...]}`)
  return doc.keys.map((k: Record<string, unknown>, i: number) => {
    if (!k || typeof k.sha3 !== 'string' || !/^[0-9a-f]{64}$/.test(k.sha3)) throw new TcpError('input', `${path}: keys[${i}].sha3: expected 64 hex digits`)
    parseTime(k.created, `${path}: keys[${i}].created`)
    parseTime(k.replaced, `${path}: keys[${i}].replaced`)
    return {sha3: k.sha3, created: k.created as string, replaced: k.replaced as string}
  })
}

/** Keeps `key` pinned after its setup is replaced. Returns every earlier key now pinned. */
export async function keepEarlier(dir: string, key: {sha3: string; created: string}): Promise<EarlierKey[]> {
  const keys = (await earlierKeys(dir)).filter((k) => k.sha3 !== key.sha3)
  keys.push({sha3: key.sha3, created: key.created, replaced: new Date().toISOString()})
  await writeFileAtomic(earlierKeysFile(dir), JSON.stringify({schema: EARLIER_SCHEMA, keys}, null, 2) + '\n', {force: true, what: 'earlier verification keys'})
  return keys
}

/** Unpins every earlier key of a circuit folder. Returns the keys dropped. */
export async function dropEarlier(dir: string): Promise<EarlierKey[]> {
  const keys = await earlierKeys(dir)
  if (keys.length) await writeFileAtomic(earlierKeysFile(dir), JSON.stringify({schema: EARLIER_SCHEMA, keys: []}, null, 2) + '\n', {force: true, what: 'earlier verification keys'})
  return keys
}
