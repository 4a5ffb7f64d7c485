/** Trust flags shared by every command that checks signatures (verify, baseline check, prove). */
import {Flags} from '@oclif/core'
import {TcpError} from '../core/errors.js'
import {parseTime} from '../core/time.js'
import {trustFromDirectory, trustFromFiles, type TrustStore} from '../core/envelope/trust.js'
import type {TcpConfig} from './config.js'

export const trustFlags = {
  pub: Flags.string({description: 'a trusted Ed25519 public key (.pub); repeat for several', multiple: true, exclusive: ['trust']}),
  trust: Flags.string({description: 'a trust directory: .pub files, optionally trust.json (allow-list, validity windows, revoked ids)'}),
  threshold: Flags.integer({description: 'distinct trusted keys that must have signed', default: 1, min: 1}),
}

/**
 * The trust store from --pub / --trust, else the configured trust directory; none at all is a usage error.
 * The configuration is read only when no flag names the trust.
 */
export async function loadTrust(flags: {pub?: string[]; trust?: string}, config: () => Promise<TcpConfig>): Promise<TrustStore> {
  if (flags.pub && flags.pub.length > 0) return trustFromFiles(flags.pub)
  const dir = flags.trust ?? (await config()).trust
  if (dir) return trustFromDirectory(dir)
  throw new TcpError('usage', 'no trusted keys: pass --pub KEY.pub (repeatable) or --trust DIR, or set "trust" in the tcp configuration')
}

export function parseAt(at: string | undefined): number | undefined {
  if (at === undefined) return undefined
  return parseTime(at, '--at')
}
