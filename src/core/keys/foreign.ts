/**
 * Keys in other tools' formats, for `tcp keys import` and `tcp keys export`:
 *   PKCS#8 (RFC 5208 / RFC 5958, keys per RFC 8410), PEM or DER, unencrypted or encrypted (PBES2, RFC 8018; what
 *     `openssl genpkey -aes256` writes), read and written through node:crypto (OpenSSL);
 *   OpenSSH Ed25519 keys: "openssh-key-v1" private keys (PROTOCOL.key in OpenSSH's sources), unencrypted only, and
 *     "ssh-ed25519 AAAA..." public keys (RFC 8709 section 4);
 *   age identities (AGE-SECRET-KEY-1...), as X25519.
 * Anything else is refused with the name of what it is (RSA, EC, minisign, an encrypted OpenSSH key...).
 * Does NOT support: encrypted OpenSSH private keys (bcrypt_pbkdf is not in node:crypto: decrypt first with
 * `ssh-keygen -p -N '' -f KEY`), OpenSSH certificates, security-key (sk-) keys.
 */
import {createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto'
import {concatBytes, equalBytes, fromBase64, fromUtf8, toBase64, utf8} from '../bytes.js'
import {TcpError} from '../errors.js'
import {ed25519} from '../crypto/ed25519.js'
import {randomBytes, x25519} from '../crypto/index.js'
import {dearmor, encodePublicKeyPem, decodePublicKeyPem, type KeyType} from './pem.js'
import type {KeyPair, PassphraseSource} from './keys.js'
import {encodeIdentity, encodeRecipient} from '../seal/recipients.js'

export type ForeignFormat =
  | 'pkcs8-pem'
  | 'pkcs8-encrypted-pem'
  | 'pkcs8-der'
  | 'openssh-private'
  | 'openssh-public'
  | 'spki-pem'
  | 'age-identity'

export interface Imported {
  format: ForeignFormat
  type: KeyType
  publicKey: Uint8Array
  /** Absent for public keys. */
  secretKey?: Uint8Array
}

/** What a file is, named for the refusal message when tcp cannot import it; null when not recognised. */
export function nameOf(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1')
  const tests: Array<[RegExp, string]> = [
    [/-----BEGIN RSA PRIVATE KEY-----/, 'a PKCS#1 RSA private key'],
    [/-----BEGIN EC PRIVATE KEY-----/, 'a SEC 1 EC private key'],
    [/-----BEGIN DSA PRIVATE KEY-----/, 'a DSA private key'],
    [/-----BEGIN PGP /, 'an OpenPGP key'],
    [/-----BEGIN CERTIFICATE-----/, 'an X.509 certificate'],
    [/^untrusted comment: minisign (encrypted )?secret key/, 'a minisign secret key'],
    [/^untrusted comment: minisign public key/, 'a minisign public key'],
    [/^RW[A-Za-z0-9+/]{54}\s*$/, 'a minisign public key'],
    [/^ssh-rsa /, 'an OpenSSH RSA public key'],
    [/^ecdsa-sha2-/, 'an OpenSSH ECDSA public key'],
    [/^sk-/, 'an OpenSSH security-key public key'],
    [/^[a-z0-9-]+-cert-v01@openssh\.com /, 'an OpenSSH certificate'],
    [/^\{\s*"format"\s*:\s*"tcp-private-key/, 'a tcp key file already'],
    [/^age1/, 'an age recipient (a public key: use it with tcp seal -r)'],
  ]
  for (const [re, name] of tests) if (re.test(head)) return name
  return null
}

function fromKeyObject(k: KeyObject, format: ForeignFormat, what: string): Imported {
  const jwk = k.export({format: 'jwk'}) as {kty?: string; crv?: string; d?: string; x?: string}
  const type = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'ed25519' : jwk.kty === 'OKP' && jwk.crv === 'X25519' ? 'x25519' : null
  if (!type || !jwk.x) {
    const alg = k.asymmetricKeyType === 'ec' ? `EC ${String(k.asymmetricKeyDetails?.namedCurve ?? '')}`.trim() : (k.asymmetricKeyType ?? 'unknown').toUpperCase()
    const label: Record<ForeignFormat, string> = {'pkcs8-pem': 'PKCS#8 PEM', 'pkcs8-encrypted-pem': 'encrypted PKCS#8 PEM', 'pkcs8-der': 'DER', 'openssh-private': 'OpenSSH', 'openssh-public': 'OpenSSH', 'spki-pem': 'SubjectPublicKeyInfo PEM', 'age-identity': 'age'}
    throw new TcpError('unsupported', `${what}: a ${label[format]} ${alg} key; tcp keys are Ed25519 or X25519`)
  }
  return {format, type, publicKey: fromBase64(jwk.x, what), ...(jwk.d ? {secretKey: fromBase64(jwk.d, what)} : {})}
}

class Reader {
  pos = 0
  constructor(
    readonly b: Uint8Array,
    readonly what: string,
  ) {}
  u32(): number {
    if (this.pos + 4 > this.b.length) throw new TcpError('input', `${this.what}: truncated OpenSSH key`)
    const v = new DataView(this.b.buffer, this.b.byteOffset).getUint32(this.pos, false)
    this.pos += 4
    return v
  }
  str(): Uint8Array {
    const n = this.u32()
    if (this.pos + n > this.b.length) throw new TcpError('input', `${this.what}: truncated OpenSSH key`)
    const s = this.b.subarray(this.pos, this.pos + n)
    this.pos += n
    return s
  }
  text(): string {
    return Buffer.from(this.str()).toString('latin1')
  }
}

const sshString = (b: Uint8Array): Uint8Array => {
  const n = new Uint8Array(4)
  new DataView(n.buffer).setUint32(0, b.length, false)
  return concatBytes(n, b)
}

const OPENSSH_MAGIC = utf8('openssh-key-v1\0')

function ed25519SshBlob(publicKey: Uint8Array): Uint8Array {
  return concatBytes(sshString(utf8('ssh-ed25519')), sshString(publicKey))
}

function parseSshPublicBlob(blob: Uint8Array, what: string): Uint8Array {
  const r = new Reader(blob, what)
  const type = r.text()
  if (type !== 'ssh-ed25519') throw new TcpError('unsupported', `${what}: an OpenSSH ${type} key; tcp imports ssh-ed25519 only`)
  const pub = r.str()
  if (pub.length !== 32 || r.pos !== blob.length) throw new TcpError('input', `${what}: malformed ssh-ed25519 public key`)
  return pub.slice()
}

function parseOpenSshPrivate(text: string, what: string): Imported {
  const der = dearmor(text, 'OPENSSH PRIVATE KEY', what)
  if (!equalBytes(der.subarray(0, OPENSSH_MAGIC.length), OPENSSH_MAGIC)) throw new TcpError('input', `${what}: not an openssh-key-v1 key`)
  const r = new Reader(der.subarray(OPENSSH_MAGIC.length), what)
  const cipher = r.text()
  const kdf = r.text()
  r.str()
  if (cipher !== 'none')
    throw new TcpError('unsupported', `${what}: an encrypted OpenSSH private key (${cipher}, ${kdf}); decrypt a copy first: ssh-keygen -p -N '' -f COPY`)
  if (r.u32() !== 1) throw new TcpError('unsupported', `${what}: an OpenSSH file with several keys`)
  const pub = parseSshPublicBlob(r.str(), what)
  const p = new Reader(r.str(), what)
  if (p.u32() !== p.u32()) throw new TcpError('input', `${what}: OpenSSH check integers differ (corrupt key)`)
  const type = p.text()
  if (type !== 'ssh-ed25519') throw new TcpError('unsupported', `${what}: an OpenSSH ${type} private key; tcp imports ssh-ed25519 only`)
  const pub2 = p.str()
  const priv = p.str()
  if (priv.length !== 64 || !equalBytes(pub2, pub) || !equalBytes(priv.subarray(32), pub))
    throw new TcpError('input', `${what}: malformed ssh-ed25519 private key`)
  const secretKey = priv.slice(0, 32)
  if (!equalBytes(ed25519.getPublicKey(secretKey), pub)) throw new TcpError('input', `${what}: the private key does not match its public key`)
  return {format: 'openssh-private', type: 'ed25519', publicKey: pub, secretKey}
}

/** Reads a key in a foreign format. The passphrase is asked only for an encrypted PKCS#8 key. */
export async function importKey(bytes: Uint8Array, passphrase: PassphraseSource, what: string): Promise<Imported> {
  const text = Buffer.from(bytes).toString('latin1')
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return parseOpenSshPrivate(fromUtf8(bytes, what), what)
  if (/^ssh-ed25519 /.test(text.trim()) && /\n/.test(text.trim()))
    throw new TcpError('unsupported', `${what}: several lines (an authorized_keys file?); tcp imports one OpenSSH public key a file`)
  const ssh = /^ssh-ed25519 ([A-Za-z0-9+/=]+)( .*)?$/.exec(text.trim())
  if (ssh) return {format: 'openssh-public', type: 'ed25519', publicKey: parseSshPublicBlob(fromBase64(ssh[1]!, what), what)}
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    const pass = await passphrase()
    let k: KeyObject
    try {
      k = createPrivateKey({key: text, format: 'pem', passphrase: Buffer.from(pass)})
    } catch {
      throw new TcpError('passphrase', `${what}: wrong passphrase for the encrypted PKCS#8 key, or a corrupt file`)
    }
    return fromKeyObject(k, 'pkcs8-encrypted-pem', what)
  }
  if (text.includes('-----BEGIN PRIVATE KEY-----')) {
    const der = dearmor(text, 'PRIVATE KEY', what)
    return fromKeyObject(pkcs8(der, what), 'pkcs8-pem', what)
  }
  if (text.includes('-----BEGIN PUBLIC KEY-----')) {
    const {type, publicKey} = decodePublicKeyPem(text, what)
    return {format: 'spki-pem', type, publicKey}
  }
  if (/^\s*(#.*\n\s*)*AGE-SECRET-KEY-1/.test(text)) {
    const {parseIdentity} = await import('../seal/recipients.js')
    // Every line but comments and blanks is a key: one is imported, so a file of several (or with stray lines) is refused.
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    if (lines.length !== 1)
      throw new TcpError('unsupported', `${what}: an age identity file with ${lines.length} non-comment lines; tcp imports one key a file (split it, one identity each)`)
    const {secretKey} = parseIdentity(lines[0]!, what)
    return {format: 'age-identity', type: 'x25519', secretKey, publicKey: x25519.getPublicKey(secretKey)}
  }
  const named = nameOf(bytes)
  if (named) throw new TcpError('unsupported', `${what}: ${named}; tcp imports PKCS#8 (PEM or DER), OpenSSH Ed25519 and age identities`)
  if (bytes[0] === 0x30) {
    try {
      return fromKeyObject(pkcs8(bytes, what), 'pkcs8-der', what)
    } catch (e) {
      if (e instanceof TcpError && e.code === 'unsupported') throw e
      try {
        return fromKeyObject(createPublicKey({key: Buffer.from(bytes), format: 'der', type: 'spki'}), 'pkcs8-der', what)
      } catch (e2) {
        if (e2 instanceof TcpError) throw e2
        throw new TcpError('input', `${what}: DER, but neither a PKCS#8 private key nor a SubjectPublicKeyInfo`)
      }
    }
  }
  throw new TcpError('unsupported', `${what}: not a key format tcp knows (PKCS#8 PEM or DER, OpenSSH Ed25519, age identity)`)
}

function pkcs8(der: Uint8Array, what: string): KeyObject {
  try {
    return createPrivateKey({key: Buffer.from(der), format: 'der', type: 'pkcs8'})
  } catch (e) {
    throw new TcpError('input', `${what}: not a valid PKCS#8 private key (${(e as Error).message})`)
  }
}

function jwkOf(kp: {type: KeyType; publicKey: Uint8Array; secretKey?: Uint8Array}) {
  const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url')
  return {kty: 'OKP', crv: kp.type === 'ed25519' ? 'Ed25519' : 'X25519', x: b64u(kp.publicKey), ...(kp.secretKey ? {d: b64u(kp.secretKey)} : {})}
}

export type ExportFormat = 'pkcs8' | 'openssh' | 'age'

/** A private key (PKCS#8 PEM, optionally encrypted with AES-256-CBC under PBKDF2, or unencrypted OpenSSH) as text. */
export function exportPrivateKey(kp: KeyPair, format: ExportFormat, opts: {passphrase?: Uint8Array; comment?: string} = {}): string {
  if (format === 'pkcs8') {
    const k = createPrivateKey({key: jwkOf(kp), format: 'jwk'})
    return k.export({type: 'pkcs8', format: 'pem', ...(opts.passphrase ? {cipher: 'aes-256-cbc', passphrase: Buffer.from(opts.passphrase)} : {})}) as string
  }
  if (format === 'age') {
    if (kp.type !== 'x25519') throw new TcpError('unsupported', `age keys are X25519; an ${kp.type} key cannot be exported as age`)
    if (opts.passphrase) throw new TcpError('unsupported', 'age identity files are not encrypted; pass --unencrypted (or protect it with age -p)')
    return `# tcp key ${opts.comment ?? ''}\n# public key: ${encodeRecipient(kp.publicKey)}\n${encodeIdentity(kp.secretKey)}\n`
  }
  if (kp.type !== 'ed25519') throw new TcpError('unsupported', `OpenSSH has no ${kp.type} keys; export X25519 keys as pkcs8`)
  if (opts.passphrase) throw new TcpError('unsupported', 'encrypted OpenSSH export is not supported (bcrypt_pbkdf); encrypt it with ssh-keygen -p')
  const check = randomBytes(4)
  const blob = ed25519SshBlob(kp.publicKey)
  let priv = concatBytes(check, check, sshString(utf8('ssh-ed25519')), sshString(kp.publicKey), sshString(concatBytes(kp.secretKey, kp.publicKey)), sshString(utf8(opts.comment ?? '')))
  const pad = (8 - (priv.length % 8)) % 8
  priv = concatBytes(priv, Uint8Array.from({length: pad}, (_, i) => i + 1))
  const body = concatBytes(OPENSSH_MAGIC, sshString(utf8('none')), sshString(utf8('none')), sshString(new Uint8Array(0)), Uint8Array.from([0, 0, 0, 1]), sshString(blob), sshString(priv))
  const lines = toBase64(body).match(/.{1,70}/g) ?? []
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`
}

/** A public key as SubjectPublicKeyInfo PEM (format pkcs8, what openssl reads) or an OpenSSH line. */
export function exportPublicKey(type: KeyType, publicKey: Uint8Array, format: ExportFormat, comment = ''): string {
  if (format === 'pkcs8') return encodePublicKeyPem(type, publicKey)
  if (format === 'age') {
    if (type !== 'x25519') throw new TcpError('unsupported', `age keys are X25519; an ${type} key cannot be exported as age`)
    return `${encodeRecipient(publicKey)}\n`
  }
  if (type !== 'ed25519') throw new TcpError('unsupported', `OpenSSH has no ${type} keys; export X25519 keys as pkcs8`)
  return `ssh-ed25519 ${toBase64(ed25519SshBlob(publicKey))}${comment ? ` ${comment}` : ''}\n`
}

/** `tcp keys import`: a foreign key file to PATH.key and PATH.pub (a public key: PATH.pub only). */
export async function importKeyFile(
  path: string,
  out: string,
  opts: {inputPassphrase: PassphraseSource; outputPassphrase?: () => Promise<Uint8Array | undefined>; force?: boolean},
): Promise<{format: ForeignFormat; type: KeyType; keyId: string; key?: string; pub: string; encrypted: boolean}> {
  const {readFileBytes, writeFileAtomic} = await import('../io.js')
  const {keyIdOf} = await import('./keyid.js')
  const {writeKeyPair, keyPaths} = await import('./files.js')
  const bytes = await readFileBytes(path, {what: 'key file', maxBytes: 64 * 1024})
  const k = await importKey(bytes, opts.inputPassphrase, `key file ${path}`)
  if (!k.secretKey) {
    const pub = keyPaths(out).pub
    await writeFileAtomic(pub, encodePublicKeyPem(k.type, k.publicKey), {force: opts.force, mode: 0o644, what: 'public key file'})
    return {format: k.format, type: k.type, keyId: keyIdOf(k.publicKey), pub, encrypted: false}
  }
  const passphrase = opts.outputPassphrase ? await opts.outputPassphrase() : undefined
  const r = await writeKeyPair(out, {type: k.type, secretKey: k.secretKey, publicKey: k.publicKey}, {passphrase, force: opts.force})
  return {format: k.format, type: k.type, keyId: r.keyId, key: r.key, pub: r.pub, encrypted: Boolean(passphrase)}
}

/** `tcp keys export`: a tcp .key or .pub file in PKCS#8/SPKI PEM or OpenSSH form (private exports mode 0600). */
export async function exportKeyFile(
  path: string,
  out: string,
  opts: {format: ExportFormat; public?: boolean; keyPassphrase: PassphraseSource; /** PKCS#8 encrypted under the key file's own passphrase. */ encrypt?: boolean; force?: boolean},
): Promise<{format: ExportFormat; kind: 'private' | 'public'; type: KeyType; keyId: string; out: string; encrypted: boolean}> {
  const {readFileText, writeFileAtomic} = await import('../io.js')
  const {keyIdOf} = await import('./keyid.js')
  const {readPrivateKeyFile} = await import('./files.js')
  const text = await readFileText(path, {what: 'key file', maxBytes: 64 * 1024})
  let type: KeyType
  let publicKey: Uint8Array
  let secretKey: Uint8Array | undefined
  let used: Uint8Array | undefined
  if (text.includes('-----BEGIN PUBLIC KEY-----')) ({type, publicKey} = decodePublicKeyPem(text, `public key file ${path}`))
  else ({type, publicKey, secretKey} = await readPrivateKeyFile(path, async () => (used = await opts.keyPassphrase())))
  const keyId = keyIdOf(publicKey)
  if (opts.public || !secretKey) {
    await writeFileAtomic(out, exportPublicKey(type, publicKey, opts.format, `tcp:${keyId}`), {force: opts.force, mode: 0o644, what: 'exported key'})
    return {format: opts.format, kind: 'public', type, keyId, out, encrypted: false}
  }
  if (opts.encrypt && !used) throw new TcpError('usage', `${path} is not encrypted: pass --unencrypted to export it unencrypted`)
  const pem = exportPrivateKey({type, publicKey, secretKey}, opts.format, {passphrase: opts.encrypt ? used : undefined, comment: `tcp:${keyId}`})
  await writeFileAtomic(out, pem, {force: opts.force, mode: 0o600, what: 'exported key'})
  return {format: opts.format, kind: 'private', type, keyId, out, encrypted: Boolean(opts.encrypt)}
}
