/**
 * What `tcp seal` and `tcp unseal` do: resolve the recipients (age1 strings, recipients files, tcp X25519 .pub
 * files) or identities (age identity files, tcp X25519 .key files), seal or unseal between files or streams
 * ("-"), and describe the result.
 */
import {TcpError} from '../errors.js'
import type {PassphraseSource} from '../keys/index.js'
import {sealFile, unsealFile, type InputEnd, type OutputEnd, type SealResult, type UnsealResult} from './index.js'
import {readIdentities, readRecipients} from './recipients.js'

export interface SealJob {
  /** Paths, or "-" with `stdin` / `stdout` given. */
  file: string
  out: string
  /** age1 strings, recipients files or tcp X25519 .pub files; or */
  recipients?: string[]
  /** a passphrase (the command gets it from TCP_PASSPHRASE, --passphrase-file or a prompt). */
  passphrase?: Uint8Array
  force?: boolean
  stdio?: Stdio
  /** scrypt log2(N) for passphrase mode (tests). */
  logN?: number
}

export interface UnsealJob {
  file: string
  out: string
  /** Identity files (age identity files or tcp X25519 .key files), decrypted with `keyPassphrase` when encrypted; or */
  identities?: string[]
  keyPassphrase?: PassphraseSource
  /** the passphrase the file was sealed with. */
  passphrase?: Uint8Array
  force?: boolean
  stdio?: Stdio
}

export interface Stdio {
  stdin: () => import('./stream.js').ByteSource
  stdout: () => import('./stream.js').ByteSink
}

function ends(job: {file: string; out: string; stdio?: Stdio}): {inp: InputEnd; out: OutputEnd} {
  const need = (what: string) => {
    if (!job.stdio) throw new TcpError('usage', `"-" (${what}) is not available here`)
    return job.stdio
  }
  return {inp: job.file === '-' ? need('standard input').stdin() : job.file, out: job.out === '-' ? need('standard output').stdout() : job.out}
}

export async function runSeal(job: SealJob): Promise<SealResult & {file: string; out: string; recipientKeyIds: string[]}> {
  const base = {file: job.file, out: job.out}
  if (job.passphrase) {
    const {inp, out} = ends(job)
    const r = await sealFile(inp, out, {passphrase: job.passphrase}, {force: job.force, logN: job.logN})
    return {...base, ...r, recipientKeyIds: []}
  }
  const args = job.recipients ?? []
  if (args.length === 0) throw new TcpError('usage', 'seal: pass --recipient (age1..., a recipients file or an X25519 .pub) or --passphrase')
  if (args.includes('-')) throw new TcpError('usage', '--recipient: "-" (standard input) is not supported; give age1..., a recipients file or a .pub file')
  const keys = (await Promise.all(args.map((a) => readRecipients(a)))).flat()
  const {inp, out} = ends(job)
  const r = await sealFile(inp, out, {recipients: keys.map((k) => k.publicKey)}, {force: job.force})
  return {...base, ...r, recipientKeyIds: keys.map((k) => k.keyId)}
}

export async function runUnseal(job: UnsealJob): Promise<UnsealResult & {file: string; out: string; identityKeyId?: string}> {
  const base = {file: job.file, out: job.out}
  if (job.passphrase) {
    const {inp, out} = ends(job)
    return {...base, ...(await unsealFile(inp, out, {passphrase: job.passphrase}, {force: job.force}))}
  }
  const files = job.identities ?? []
  if (files.length === 0) throw new TcpError('usage', 'unseal: pass --identity (an age identity file or an X25519 .key) or --passphrase')
  const noPassphrase: PassphraseSource = async () => {
    throw new TcpError('passphrase', `an identity key file is encrypted: a passphrase is needed`)
  }
  if (files.includes('-')) throw new TcpError('usage', '--identity: "-" (standard input) is not supported; give an identity file')
  const ids = []
  for (const f of files) ids.push(...(await readIdentities(f, job.keyPassphrase ?? noPassphrase)))
  const {inp, out} = ends(job)
  const r = await unsealFile(inp, out, {identities: ids.map((i) => i.secretKey)}, {force: job.force})
  return {...base, ...r, identityKeyId: r.identity === undefined ? undefined : ids[r.identity]!.keyId}
}
