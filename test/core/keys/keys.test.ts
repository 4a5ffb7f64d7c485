import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {
  decodePkcs8Pem,
  decodePrivateKeyFile,
  decodePublicKeyPem,
  describeKeyFile,
  encodePrivateKeyFile,
  encodePublicKeyPem,
  generateKeyPair,
  keyIdOf,
  readPrivateKeyFile,
  writeKeyPair,
} from '../../../src/core/keys/index.js'
import {TcpError} from '../../../src/core/errors.js'
import {sha3_256} from '../../../src/core/crypto/hash.js'
import {toHex, utf8} from '../../../src/core/bytes.js'
import {tempDir} from '../../helpers/cli.js'

const CHEAP = {N: 1024, r: 8, p: 1}
const pass = (s: string) => async () => utf8(s)

describe('key files', () => {
  const t = tempDir()
  after(t.cleanup)

  it('key id is the first 8 bytes of SHA3-256 of the raw public key', () => {
    const kp = generateKeyPair()
    assert.equal(keyIdOf(kp.publicKey), toHex(sha3_256(kp.publicKey)).slice(0, 16))
  })

  it('encrypted round trip for both key types; the file never holds the secret in clear', async () => {
    for (const type of ['ed25519', 'x25519'] as const) {
      const kp = generateKeyPair(type)
      const text = encodePrivateKeyFile(kp, {passphrase: utf8('pw'), scrypt: CHEAP})
      assert.ok(!text.includes(Buffer.from(kp.secretKey).toString('base64')))
      const back = await decodePrivateKeyFile(text, pass('pw'))
      assert.deepEqual(Buffer.from(back.secretKey), Buffer.from(kp.secretKey))
      assert.equal(back.type, type)
      assert.equal(back.encrypted, true)
    }
  })

  it('a wrong passphrase is a clear passphrase error, not a crash', async () => {
    const text = encodePrivateKeyFile(generateKeyPair(), {passphrase: utf8('right'), scrypt: CHEAP})
    await assert.rejects(decodePrivateKeyFile(text, pass('wrong')), (e: TcpError) => e.code === 'passphrase' && /wrong passphrase/.test(e.message))
  })

  it('tamper sweep: flipping any single byte of an encrypted key file is rejected', async () => {
    const text = encodePrivateKeyFile(generateKeyPair(), {passphrase: utf8('pw'), scrypt: CHEAP})
    const bytes = Buffer.from(text)
    let rejected = 0
    for (let i = 0; i < bytes.length; i++) {
      const m = Buffer.from(bytes)
      m[i]! ^= 0x01
      await assert.rejects(decodePrivateKeyFile(m.toString('latin1'), pass('pw')), TcpError, `flip at byte ${i} (${JSON.stringify(text[i])}) was accepted`)
      rejected++
    }
    assert.equal(rejected, bytes.length)
  })

  it('unencrypted key file: every flip in the key material, key id, type or format is rejected', async () => {
    // An unencrypted file has no MAC: "created" is not protected (documented), the key material is checked by
    // recomputing the public key and the key id.
    const text = encodePrivateKeyFile(generateKeyPair())
    const bytes = Buffer.from(text)
    const ranges = ['format', 'type', 'keyId', 'publicKey', 'secretKey'].map((k) => {
      const start = text.indexOf(`"${k}": "`) + k.length + 5
      return [start, text.indexOf('"', start)] as const
    })
    for (const i of ranges.flatMap(([a, b]) => Array.from({length: b - a}, (_, j) => a + j))) {
      const m = Buffer.from(bytes)
      m[i]! ^= 0x01
      await assert.rejects(decodePrivateKeyFile(m.toString('latin1'), pass('unused')), TcpError, `flip at ${i}`)
    }
  })

  it('writes PATH.key with mode 0600 and PATH.pub; refuses to overwrite either without force', async () => {
    const base = join(t.dir, 'alice')
    const kp = generateKeyPair()
    await writeKeyPair(base, kp, {passphrase: utf8('pw'), scrypt: CHEAP})
    assert.equal(statSync(`${base}.key`).mode & 0o777, 0o600)
    const before = readFileSync(`${base}.key`, 'utf8')
    await assert.rejects(writeKeyPair(base, generateKeyPair(), {}), (e: TcpError) => e.code === 'exists')
    assert.equal(readFileSync(`${base}.key`, 'utf8'), before)
    // Only the .pub exists: still refused, and the .key is not created.
    writeFileSync(join(t.dir, 'solo.pub'), 'x')
    await assert.rejects(writeKeyPair(join(t.dir, 'solo'), kp, {}), (e: TcpError) => e.code === 'exists')
    assert.throws(() => statSync(join(t.dir, 'solo.key')))
    await writeKeyPair(base, generateKeyPair(), {force: true})
    assert.notEqual(readFileSync(`${base}.key`, 'utf8'), before)
    const k = await readPrivateKeyFile(`${base}.key`, pass('ignored'))
    assert.equal(k.encrypted, false)
    const d = await describeKeyFile(`${base}.pub`)
    assert.equal(d.keyId, k.keyId)
  })

  it('PEM public keys round trip, and openssl reads them', () => {
    const kp = generateKeyPair()
    const pem = encodePublicKeyPem('ed25519', kp.publicKey)
    assert.deepEqual(decodePublicKeyPem(pem).publicKey, kp.publicKey)
    const path = join(t.dir, 'o.pub')
    writeFileSync(path, pem)
    const out = execFileSync('openssl', ['pkey', '-pubin', '-in', path, '-noout', '-text'], {encoding: 'utf8'})
    assert.match(out, /ED25519 Public-Key/)
    assert.throws(() => decodePublicKeyPem(pem.replace('PUBLIC KEY', 'PRIVATE KEY')), TcpError)
  })

  it('imports an openssl-made PKCS#8 Ed25519 key: same public key as openssl computes', () => {
    const pemPath = join(t.dir, 'ossl.pem')
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', pemPath])
    const pubPem = execFileSync('openssl', ['pkey', '-in', pemPath, '-pubout'], {encoding: 'utf8'})
    const kp = decodePkcs8Pem(readFileSync(pemPath, 'utf8'))
    assert.equal(kp.type, 'ed25519')
    assert.deepEqual(Buffer.from(kp.publicKey), Buffer.from(decodePublicKeyPem(pubPem).publicKey))
    const rsa = join(t.dir, 'rsa.pem')
    execFileSync('openssl', ['genpkey', '-algorithm', 'rsa', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsa], {stdio: 'ignore'})
    assert.throws(() => decodePkcs8Pem(readFileSync(rsa, 'utf8')), (e: TcpError) => e.code === 'unsupported')
  })
})
