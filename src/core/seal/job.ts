/**
 * What `tcp seal` and `tcp unseal` do, from paths: read the recipients' public key files or the identity key file
 * (src/core/keys), check that they are X25519 keys, seal or unseal file to file, and describe the result.
 */
import {TcpError} from '../errors.js'
import {readPrivateKeyFile, readPublicKeyFile, type PassphraseSource} from '../keys/index.js'
import {sealFile, unsealFile, type SealResult, type UnsealResult} from './index.js'

export interface SealJob {
  file: string
  out: string
  /** Paths of X25519 .pub files; or */
  recipientFiles?: string[]
  /** a passphrase (the command gets it from TCP_PASSPHRASE, --passphrase-file or a prompt). */
  passphrase?: Uint8Array
  force?: boolean
}

export interface UnsealJob {
  file: string
  out: string
  /** Path of an X25519 .key file, decrypted with `keyPassphrase` when it is encrypted; or */
  identityFile?: string
  keyPassphrase?: PassphraseSource
  /** the passphrase the file was sealed with. */
  passphrase?: Uint8Array
  force?: boolean
}

const notX25519 = (role: string, path: string, type: string, keyId: string): TcpError =>
  new TcpError(
    'unsupported',
    `${role} ${path}: an ${type === 'ed25519' ? 'Ed25519 signing' : type} key (${keyId}) cannot ${role === 'recipient' ? 'receive' : 'open'} sealed files; use an X25519 key (tcp keys generate --type x25519)`,
  )

export async function runSeal(job: SealJob): Promise<SealResult & {file: string; out: string; recipientKeyIds: string[]}> {
  const base = {file: job.file, out: job.out}
  if (job.passphrase) {
    const r = await sealFile(job.file, job.out, {passphrase: job.passphrase}, {force: job.force})
    return {...base, ...r, recipientKeyIds: []}
  }
  const files = job.recipientFiles ?? []
  if (files.length === 0) throw new TcpError('usage', 'seal: pass --recipient X25519.pub (one or more) or --passphrase')
  const keys = []
  for (const path of files) {
    const k = await readPublicKeyFile(path)
    if (k.type !== 'x25519') throw notX25519('recipient', path, k.type, k.keyId)
    keys.push(k)
  }
  const r = await sealFile(job.file, job.out, {recipients: keys.map((k) => k.publicKey)}, {force: job.force})
  return {...base, ...r, recipientKeyIds: keys.map((k) => k.keyId)}
}

export async function runUnseal(job: UnsealJob): Promise<UnsealResult & {file: string; out: string; identityKeyId?: string}> {
  const base = {file: job.file, out: job.out}
  if (job.passphrase) return {...base, ...(await unsealFile(job.file, job.out, {passphrase: job.passphrase}, {force: job.force}))}
  if (!job.identityFile) throw new TcpError('usage', 'unseal: pass --identity X25519.key or --passphrase')
  const noPassphrase: PassphraseSource = async () => {
    throw new TcpError('passphrase', `key file ${job.identityFile} is encrypted: a passphrase is needed`)
  }
  const k = await readPrivateKeyFile(job.identityFile, job.keyPassphrase ?? noPassphrase)
  if (k.type !== 'x25519') throw notX25519('identity', job.identityFile, k.type, k.keyId)
  const r = await unsealFile(job.file, job.out, {identity: k.secretKey}, {force: job.force})
  return {...base, ...r, identityKeyId: k.keyId}
}
