// Keys in other tools' formats, against the tools themselves: ssh-keygen (OpenSSH) and openssl (PKCS#8).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {exportKeyFile, importKey, importKeyFile} from '../../../src/core/keys/foreign.js'
import {TcpError} from '../../../src/core/errors.js'
import {readPublicKeyFile} from '../../../src/core/keys/files.js'
import {utf8} from '../../../src/core/bytes.js'
import {tempDir} from '../../helpers/cli.js'

const has = (cmd: string, arg: string) => spawnSync(cmd, [arg]).error === undefined
const noPass = async (): Promise<Uint8Array> => {
  throw new TcpError('passphrase', 'no passphrase here')
}
const pass = (p: string) => async () => utf8(p)

async function refused(p: Promise<unknown>, code: string, re: RegExp) {
  await assert.rejects(p, (e: unknown) => e instanceof TcpError && e.code === code && re.test(e.message))
}

describe('OpenSSH Ed25519 keys (ssh-keygen) both ways', {skip: has('ssh-keygen', '-?') ? false : 'ssh-keygen is not installed'}, () => {
  it('imports ssh-keygen private and public keys to the same key id; ssh-keygen reads tcp exports back', async () => {
    const {dir} = tempDir()
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'me', '-f', join(dir, 'id')])
    const priv = await importKeyFile(join(dir, 'id'), join(dir, 'a'), {inputPassphrase: noPass, force: false})
    const pub = await importKeyFile(join(dir, 'id.pub'), join(dir, 'b'), {inputPassphrase: noPass})
    assert.equal(priv.format, 'openssh-private')
    assert.equal(pub.format, 'openssh-public')
    assert.equal(priv.keyId, pub.keyId)
    await exportKeyFile(join(dir, 'a.key'), join(dir, 'exp'), {format: 'openssh', keyPassphrase: noPass})
    const derived = execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'exp')]).toString().split(' ').slice(0, 2).join(' ')
    assert.equal(derived, readFileSync(join(dir, 'id.pub'), 'utf8').split(' ').slice(0, 2).join(' '))
    await exportKeyFile(join(dir, 'b.pub'), join(dir, 'exp.pub'), {format: 'openssh', keyPassphrase: noPass})
    assert.equal(readFileSync(join(dir, 'exp.pub'), 'utf8').split(' ').slice(0, 2).join(' '), derived)
    // ssh-keygen signs with tcp's export and verifies with the key tcp imported from it.
    writeFileSync(join(dir, 'msg'), 'hello')
    execFileSync('ssh-keygen', ['-Y', 'sign', '-q', '-f', join(dir, 'exp'), '-n', 'file', join(dir, 'msg')])
    writeFileSync(join(dir, 'allowed'), `me ${derived}\n`)
    execFileSync('ssh-keygen', ['-Y', 'verify', '-f', join(dir, 'allowed'), '-I', 'me', '-n', 'file', '-s', join(dir, 'msg.sig')], {input: 'hello'})
  })
  it('refuses an encrypted OpenSSH key by name, and a key whose public half was altered', async () => {
    const {dir} = tempDir()
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pw', '-f', join(dir, 'enc')])
    await refused(importKey(readFileSync(join(dir, 'enc')), noPass, 'k'), 'unsupported', /encrypted OpenSSH private key \(aes256-ctr, bcrypt\)/)
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'plain')])
    const text = readFileSync(join(dir, 'plain'), 'utf8')
    const body = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64')
    body[body.indexOf(Buffer.from('ssh-ed25519')) + 11 + 4 + 5]! ^= 1 // a byte of the outer public key
    const bad = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`
    await refused(importKey(utf8(bad), noPass, 'k'), 'input', /malformed|does not match/)
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '1024', '-N', '', '-f', join(dir, 'rsa')])
    await refused(importKey(readFileSync(join(dir, 'rsa.pub')), noPass, 'k'), 'unsupported', /OpenSSH RSA public key/)
    // Two public keys in one file (authorized_keys): not silently the first.
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'second')])
    const two = readFileSync(join(dir, 'plain.pub'), 'utf8') + readFileSync(join(dir, 'second.pub'), 'utf8')
    await refused(importKey(utf8(two), noPass, 'k'), 'unsupported', /several lines/)
    await refused(importKey(readFileSync(join(dir, 'rsa')), noPass, 'k'), 'unsupported', /OpenSSH ssh-rsa key/)
  })
})

describe('age identities', () => {
  it('import as X25519 keys with the public key age derives', async () => {
    const {generateIdentity, identityToRecipient} = await import('age-encryption')
    const id = await generateIdentity()
    const k = await importKey(utf8(`# created: now\n${id}\n`), noPass, 'k')
    assert.equal(k.type, 'x25519')
    const {encodeRecipient} = await import('../../../src/core/seal/recipients.js')
    assert.equal(encodeRecipient(k.publicKey), await identityToRecipient(id))
    await refused(importKey(utf8('AGE-SECRET-KEY-1QQQQ\n'), noPass, 'k'), 'input', /bech32/)
    // A file of two identities (or a key and a stray line) is not silently imported as its first key.
    const other = await generateIdentity()
    await refused(importKey(utf8(`# a\n${id}\n# b\n${other}\n`), noPass, 'k'), 'unsupported', /2 non-comment lines/)
    await refused(importKey(utf8(`${id}\nnot a key\n`), noPass, 'k'), 'unsupported', /2 non-comment lines/)
  })
})

describe('tcp X25519 keys exported as age keys', {skip: spawnSync('age', ['--version']).status === 0 ? false : 'age is not installed'}, () => {
  it('age -d opens a file sealed to the .pub with the exported identity; age -e seals to the exported recipient', async () => {
    const {dir} = tempDir()
    const f = (n: string) => join(dir, n)
    const {generateKeyPair} = await import('../../../src/core/keys/keys.js')
    const {writeKeyPair} = await import('../../../src/core/keys/files.js')
    const {sealBytes, unsealBytes} = await import('../../../src/core/seal/index.js')
    const kp = generateKeyPair('x25519')
    await writeKeyPair(f('ops'), kp)
    await exportKeyFile(f('ops.key'), f('id.txt'), {format: 'age', keyPassphrase: noPass})
    await exportKeyFile(f('ops.pub'), f('rcpt.txt'), {format: 'age', keyPassphrase: noPass})
    const pt = utf8('sealed for ops')
    assert.deepEqual(new Uint8Array(execFileSync('age', ['-d', '-i', f('id.txt')], {input: await sealBytes(pt, {recipients: [kp.publicKey]})})), pt)
    const theirs = execFileSync('age', ['-e', '-R', f('rcpt.txt')], {input: pt})
    assert.deepEqual(await unsealBytes(new Uint8Array(theirs), {identity: kp.secretKey}), pt)
    const ed = generateKeyPair('ed25519')
    await writeKeyPair(f('ed'), ed)
    await refused(exportKeyFile(f('ed.pub'), f('x'), {format: 'age', keyPassphrase: noPass}), 'unsupported', /age keys are X25519/)
  })
})

describe('PKCS#8 (openssl) both ways', {skip: has('openssl', 'version') ? false : 'openssl is not installed'}, () => {
  it('imports PEM, DER and encrypted PKCS#8; a wrong passphrase is a passphrase error', async () => {
    const {dir} = tempDir()
    const f = (n: string) => join(dir, n)
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-aes256', '-pass', 'pass:secret', '-out', f('enc.pem')])
    execFileSync('openssl', ['pkey', '-in', f('enc.pem'), '-passin', 'pass:secret', '-out', f('plain.pem')])
    execFileSync('openssl', ['pkey', '-in', f('plain.pem'), '-outform', 'DER', '-out', f('k.der')])
    execFileSync('openssl', ['pkey', '-in', f('plain.pem'), '-pubout', '-outform', 'DER', '-out', f('pub.der')])
    const a = await importKey(readFileSync(f('enc.pem')), pass('secret'), 'k')
    const b = await importKey(readFileSync(f('plain.pem')), noPass, 'k')
    const c = await importKey(readFileSync(f('k.der')), noPass, 'k')
    const d = await importKey(readFileSync(f('pub.der')), noPass, 'k')
    assert.deepEqual([a.format, b.format, c.format], ['pkcs8-encrypted-pem', 'pkcs8-pem', 'pkcs8-der'])
    for (const k of [b, c, d]) assert.deepEqual(k.publicKey, a.publicKey)
    assert.deepEqual(a.secretKey, c.secretKey)
    await refused(importKey(readFileSync(f('enc.pem')), pass('wrong'), 'k'), 'passphrase', /wrong passphrase/)
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('ec.pem')])
    await refused(importKey(readFileSync(f('ec.pem')), noPass, 'k'), 'unsupported', /PKCS#8 PEM EC prime256v1 key|EC/)
    execFileSync('openssl', ['ec', '-in', f('ec.pem'), '-out', f('sec1.pem')], {stdio: 'ignore'})
    await refused(importKey(readFileSync(f('sec1.pem')), noPass, 'k'), 'unsupported', /SEC 1 EC private key/)
    await refused(importKey(utf8('untrusted comment: minisign public key 1234\nRWQ...\n'), noPass, 'k'), 'unsupported', /minisign public key/)
  })
  it('openssl reads tcp exports: encrypted PKCS#8 under the key passphrase, SPKI public key', async () => {
    const {dir} = tempDir()
    const f = (n: string) => join(dir, n)
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', f('k.pem')])
    await importKeyFile(f('k.pem'), f('t'), {inputPassphrase: noPass, outputPassphrase: async () => utf8('pw1'), force: false})
    await exportKeyFile(f('t.key'), f('out.pem'), {format: 'pkcs8', keyPassphrase: pass('pw1'), encrypt: true})
    assert.match(readFileSync(f('out.pem'), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/)
    const theirs = execFileSync('openssl', ['pkey', '-in', f('out.pem'), '-passin', 'pass:pw1', '-pubout']).toString()
    assert.equal(theirs, execFileSync('openssl', ['pkey', '-in', f('k.pem'), '-pubout']).toString())
    assert.notEqual(spawnSync('openssl', ['pkey', '-in', f('out.pem'), '-passin', 'pass:nope', '-noout']).status, 0)
    await exportKeyFile(f('t.pub'), f('pub.pem'), {format: 'pkcs8', keyPassphrase: noPass})
    assert.deepEqual((await readPublicKeyFile(f('pub.pem'))).publicKey, (await readPublicKeyFile(f('t.pub'))).publicKey)
    // X25519 has no OpenSSH form; an unencrypted key asked to export encrypted is refused before writing.
    execFileSync('openssl', ['genpkey', '-algorithm', 'x25519', '-out', f('x.pem')])
    await importKeyFile(f('x.pem'), f('x'), {inputPassphrase: noPass})
    await refused(exportKeyFile(f('x.key'), f('x.ssh'), {format: 'openssh', keyPassphrase: noPass}), 'unsupported', /OpenSSH has no x25519/)
    await refused(exportKeyFile(f('x.key'), f('x.p8'), {format: 'pkcs8', keyPassphrase: noPass, encrypt: true}), 'usage', /not encrypted/)
    assert.equal(spawnSync('test', ['-e', f('x.p8')]).status, 1)
  })
})
