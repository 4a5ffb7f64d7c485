/**
 * Who a file is sealed to and who may open it, as age names them (C2SP age.md, "The X25519 recipient type"):
 *   recipient  "age1..." (bech32, HRP "age", 32-byte X25519 public key), given inline or in a recipients file (one
 *              a line, "#" comments and blank lines skipped), or a tcp X25519 .pub file;
 *   identity   an identity file of "AGE-SECRET-KEY-1..." lines (bech32, HRP "AGE-SECRET-KEY-", 32-byte X25519 secret
 *              key; "#" comments and blank lines skipped), or a tcp X25519 .key file (decrypted with its passphrase).
 * SSH recipients and identities, and age plugins ("age1yubikey1...", "AGE-PLUGIN-..."), are refused by name.
 */
import {readFileText} from '../io.js'
import {TcpError} from '../errors.js'
import {x25519} from '../crypto/index.js'
import {keyIdOf} from '../keys/keyid.js'
import {decodePublicKeyPem} from '../keys/pem.js'
import {readPrivateKeyFile, type PassphraseSource} from '../keys/index.js'
import {bech32Decode, bech32Encode} from './bech32.js'

export const RECIPIENT_HRP = 'age'
export const IDENTITY_HRP = 'AGE-SECRET-KEY-'
const FILE_MAX = 1 << 20

export interface Recipient {
  publicKey: Uint8Array
  keyId: string
  /** The age1 string of the key. */
  age: string
}

export interface Identity {
  secretKey: Uint8Array
  keyId: string
}

export const encodeRecipient = (publicKey: Uint8Array): string => bech32Encode(RECIPIENT_HRP, publicKey)
export const encodeIdentity = (secretKey: Uint8Array): string => bech32Encode(IDENTITY_HRP, secretKey, true)

function refuseForeign(s: string, what: string): void {
  if (/^(ssh-|ecdsa-sha2-|sk-ssh-)/.test(s)) throw new TcpError('unsupported', `${what}: an SSH key; tcp seals to X25519 age keys only (age -R accepts SSH keys)`)
  // bech32 data has no "1": a second "1" after "age1" is a plugin recipient, age1<plugin>1<data>.
  if (/^age1[^1]+1/.test(s)) throw new TcpError('unsupported', `${what}: an age plugin recipient (${s.slice(4, s.indexOf('1', 4))}); tcp has no plugins`)
  if (/^AGE-PLUGIN-/.test(s)) throw new TcpError('unsupported', `${what}: an age plugin identity; tcp has no plugins`)
}

export function parseRecipient(s: string, what = 'recipient'): Recipient {
  refuseForeign(s, what)
  const publicKey = bech32Decode(s, RECIPIENT_HRP, what)
  if (publicKey.length !== 32) throw new TcpError('input', `${what}: expected a 32-byte X25519 key, got ${publicKey.length} bytes`)
  return {publicKey, keyId: keyIdOf(publicKey), age: encodeRecipient(publicKey)}
}

export function parseIdentity(s: string, what = 'identity'): Identity {
  refuseForeign(s, what)
  const secretKey = bech32Decode(s, IDENTITY_HRP, what)
  if (secretKey.length !== 32) throw new TcpError('input', `${what}: expected a 32-byte X25519 secret key, got ${secretKey.length} bytes`)
  return {secretKey, keyId: keyIdOf(x25519.getPublicKey(secretKey))}
}

function keyLines(text: string): Array<{line: string; n: number}> {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({line: line.trim(), n: i + 1}))
    .filter((l) => l.line !== '' && !l.line.startsWith('#'))
}

/** One --recipient value: an age1 string, a recipients file, or a tcp .pub file. */
export async function readRecipients(arg: string): Promise<Recipient[]> {
  if (arg.startsWith('age1')) return [parseRecipient(arg, `recipient ${arg.slice(0, 12)}...`)]
  refuseForeign(arg, 'recipient')
  const text = await readFileText(arg, {what: 'recipient file', maxBytes: FILE_MAX})
  if (text.includes('-----BEGIN PUBLIC KEY-----')) {
    const {type, publicKey} = decodePublicKeyPem(text, `public key file ${arg}`)
    if (type !== 'x25519')
      throw new TcpError('unsupported', `recipient ${arg}: an ${type === 'ed25519' ? 'Ed25519 signing' : type} key (${keyIdOf(publicKey)}) cannot receive sealed files; use an X25519 key (tcp keys generate --type x25519)`)
    return [{publicKey, keyId: keyIdOf(publicKey), age: encodeRecipient(publicKey)}]
  }
  const lines = keyLines(text)
  if (lines.length === 0) throw new TcpError('input', `recipient file ${arg}: no recipients`)
  return lines.map((l) => parseRecipient(l.line, `recipient file ${arg} line ${l.n}`))
}

/** One --identity file: an age identity file (AGE-SECRET-KEY-1 lines), or a tcp .key file. */
export async function readIdentities(path: string, passphrase: PassphraseSource): Promise<Identity[]> {
  const text = await readFileText(path, {what: 'identity file', maxBytes: FILE_MAX})
  if (/^\s*(#.*\n\s*)*AGE-(SECRET-KEY|PLUGIN)-/.test(text)) {
    const lines = keyLines(text)
    return lines.map((l) => parseIdentity(l.line, `identity file ${path} line ${l.n}`))
  }
  if (text.includes('OPENSSH PRIVATE KEY')) throw new TcpError('unsupported', `identity ${path}: an OpenSSH private key; tcp opens files with X25519 age or tcp keys only`)
  const k = await readPrivateKeyFile(path, passphrase)
  if (k.type !== 'x25519')
    throw new TcpError('unsupported', `identity ${path}: an ${k.type === 'ed25519' ? 'Ed25519 signing' : k.type} key (${k.keyId}) cannot open sealed files; use an X25519 key (tcp keys generate --type x25519)`)
  return [{secretKey: k.secretKey, keyId: k.keyId}]
}
