/** Trust flags shared by every command that checks signatures (verify, baseline check, prove). */
import {Flags} from '@oclif/core'
import {TcpError} from '../core/errors.js'
import {parseTime} from '../core/time.js'
import {trustFromDirectory, trustFromFiles, type TrustStore} from '../core/envelope/trust.js'
import {tildify, type TcpConfig} from './config.js'

export const trustFlags = {
  pub: Flags.string({description: 'a trusted Ed25519 public key (.pub); repeat for several', multiple: true, exclusive: ['trust']}),
  trust: Flags.string({description: 'a trust directory: .pub files, optionally trust.json (allow-list, validity windows, revoked ids)'}),
  threshold: Flags.integer({description: 'distinct trusted keys that must have signed', default: 1, min: 1}),
}

/**
 * The trust store from --pub / --trust, else the trust directory of the user's own config dir (never the working
 * directory's configuration: see config.ts); none at all is a usage error. The configuration is read only when no
 * flag names the trust. `source` says where the keys came from, for every report to print.
 */
export async function loadTrust(flags: {pub?: string[]; trust?: string}, config: () => Promise<TcpConfig>): Promise<TrustStore> {
  const named = await trustFromFlags(flags.pub, flags.trust)
  if (named) return named
  const c = await config()
  if (c.trust) return {...(await trustFromDirectory(c.trust)), source: `${tildify(c.trust)} (user config ${tildify(c.userFilepath ?? '?')})`}
  const ignored = c.ignoredTrust ? ` (the "trust" of ${c.ignoredTrust} is ignored: trust is never taken from the working directory)` : ''
  throw new TcpError('usage', `no trusted keys: pass --pub KEY.pub (repeatable) or --trust DIR, or set "trust" in your own configuration (~/.config/tcp/config.json)${ignored}`)
}

/** The store that a pair of flags names (`--pub`/`--trust`, or another pair such as `--leaf-pub`/`--leaf-trust`),
 * with its source in the flags' own words; undefined when neither is given. */
export async function trustFromFlags(pub: string[] | undefined, dir: string | undefined, names = {pub: 'pub', trust: 'trust'}): Promise<TrustStore | undefined> {
  if (pub && pub.length > 0) return {...(await trustFromFiles(pub)), source: pub.map((f) => `--${names.pub} ${f}`).join(' ')}
  if (dir) return {...(await trustFromDirectory(dir)), source: `--${names.trust} ${dir}`}
  return undefined
}

export function parseAt(at: string | undefined): number | undefined {
  if (at === undefined) return undefined
  return parseTime(at, '--at')
}
