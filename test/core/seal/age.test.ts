// The age v1 format both ways: against the age binary (Go, Debian package `age`) and the age-encryption package
// (the TypeScript reference), plus tamper, truncation and malformed-header cases on tcp's own reader.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Decrypter, Encrypter, generateIdentity, identityToRecipient} from 'age-encryption'
import {x25519, randomBytes} from '../../../src/core/crypto/index.js'
import {TcpError} from '../../../src/core/errors.js'
import {utf8} from '../../../src/core/bytes.js'
import {sealBytes, unsealBytes} from '../../../src/core/seal/index.js'
import {encodeIdentity, encodeRecipient, parseIdentity, parseRecipient, readRecipients} from '../../../src/core/seal/recipients.js'
import {bech32Decode} from '../../../src/core/seal/bech32.js'
import {tempDir} from '../../helpers/cli.js'

const hasAge = spawnSync('age', ['--version']).status === 0
const SIZES = [0, 1, 65535, 65536, 65537, 3 * 65536, 200_000]
const PASS = 'correct horse battery staple'

function idPair() {
  const secretKey = randomBytes(32)
  return {secretKey, publicKey: x25519.getPublicKey(secretKey)}
}

async function rejects(p: Promise<unknown>, code: string, re?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TcpError, String(e))
    assert.equal(e.code, code, e.message)
    if (re) assert.match(e.message, re)
    return true
  })
}

describe('age keys (bech32)', () => {
  it('reads and writes the keys age-keygen and age-encryption make', async () => {
    const id = await generateIdentity()
    const rec = await identityToRecipient(id)
    const parsed = parseIdentity(id)
    assert.equal(encodeIdentity(parsed.secretKey), id)
    assert.equal(encodeRecipient(x25519.getPublicKey(parsed.secretKey)), rec)
    assert.deepEqual(parseRecipient(rec).publicKey, x25519.getPublicKey(parsed.secretKey))
  })
  it('refuses a bad checksum, mixed case, the wrong prefix, SSH and plugin keys, naming them', async () => {
    const rec = await identityToRecipient(await generateIdentity())
    const bad = rec.slice(0, -1) + (rec.endsWith('q') ? 'p' : 'q')
    assert.throws(() => parseRecipient(bad), /bad bech32 checksum/)
    assert.throws(() => parseRecipient(rec.slice(0, 10) + rec.slice(10).toUpperCase()), /mixed-case/)
    assert.throws(() => parseIdentity(rec), /expected the prefix "AGE-SECRET-KEY-1"/)
    assert.throws(() => parseRecipient('ssh-ed25519 AAAAC3Nz'), /an SSH key/)
    assert.throws(() => parseRecipient('age1yubikey1qwerty'), /age plugin recipient \(yubikey\)/)
    assert.throws(() => bech32Decode('age1qqqqqqqqqqqqqqqqqq', 'age', 'x'), TcpError)
  })
  it('reads recipients files with comments and names the line of a bad entry', async () => {
    const {dir} = tempDir()
    const a = await identityToRecipient(await generateIdentity())
    const b = await identityToRecipient(await generateIdentity())
    writeFileSync(join(dir, 'r.txt'), `# team\n${a}\n\n${b}\n`)
    assert.deepEqual((await readRecipients(join(dir, 'r.txt'))).map((r) => r.age), [a, b])
    writeFileSync(join(dir, 'bad.txt'), `${a}\nnot-a-key\n`)
    await rejects(readRecipients(join(dir, 'bad.txt')), 'input', /line 2/)
  })
})

describe('age-encryption (reference implementation) both ways', () => {
  it('X25519: tcp opens what age-encryption seals, and age-encryption opens what tcp seals', async () => {
    const id = await generateIdentity()
    const me = parseIdentity(id)
    for (const n of SIZES) {
      const pt = randomBytes(n)
      const e = new Encrypter()
      e.addRecipient(await identityToRecipient(id))
      assert.deepEqual(await unsealBytes(await e.encrypt(pt), {identity: me.secretKey}), pt, `age-encryption -> tcp, ${n} bytes`)
      const d = new Decrypter()
      d.addIdentity(id)
      assert.deepEqual(await d.decrypt(await sealBytes(pt, {recipients: [x25519.getPublicKey(me.secretKey)]})), pt, `tcp -> age-encryption, ${n} bytes`)
    }
  })
  it('scrypt passphrase both ways; a wrong passphrase is rejected', async () => {
    const pt = randomBytes(70_000)
    const e = new Encrypter()
    e.setPassphrase(PASS)
    e.setScryptWorkFactor(10)
    const theirs = await e.encrypt(pt)
    assert.deepEqual(await unsealBytes(theirs, {passphrase: utf8(PASS)}), pt)
    await rejects(unsealBytes(theirs, {passphrase: utf8('wrong')}), 'rejected', /wrong passphrase/)
    const ours = await sealBytes(pt, {passphrase: utf8(PASS)}, {logN: 10})
    const d = new Decrypter()
    d.addPassphrase(PASS)
    assert.deepEqual(await d.decrypt(ours), pt)
  })
  it('two recipients: each opens; a third identity does not', async () => {
    const [a, b, c] = [idPair(), idPair(), idPair()]
    const s = await sealBytes(utf8('x'), {recipients: [a.publicKey, b.publicKey]})
    assert.deepEqual(await unsealBytes(s, {identity: b.secretKey}), utf8('x'))
    await rejects(unsealBytes(s, {identity: c.secretKey}), 'rejected', /no recipient stanza/)
    assert.deepEqual(await unsealBytes(s, {identities: [c.secretKey, a.secretKey]}), utf8('x'))
  })
})

describe('the age binary both ways', {skip: hasAge ? false : 'the age binary is not installed'}, () => {
  it('age -d opens tcp output; tcp opens age -e output', async () => {
    const {dir} = tempDir()
    execFileSync('age-keygen', ['-o', join(dir, 'id.txt')], {stdio: 'ignore'})
    const idText = readFileSync(join(dir, 'id.txt'), 'utf8')
    const me = parseIdentity(idText.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!)
    const rec = execFileSync('age-keygen', ['-y', join(dir, 'id.txt')]).toString().trim()
    for (const n of [0, 65536, 200_000]) {
      const pt = randomBytes(n)
      const ours = await sealBytes(pt, {recipients: [parseRecipient(rec).publicKey]})
      assert.deepEqual(new Uint8Array(execFileSync('age', ['-d', '-i', join(dir, 'id.txt')], {input: ours})), pt, `tcp -> age, ${n}`)
      const theirs = new Uint8Array(execFileSync('age', ['-e', '-r', rec], {input: pt}))
      assert.deepEqual(await unsealBytes(theirs, {identity: me.secretKey}), pt, `age -> tcp, ${n}`)
    }
    // age -d refuses a tcp file with one payload byte changed.
    const ours = await sealBytes(randomBytes(1000), {recipients: [parseRecipient(rec).publicKey]})
    ours[ours.length - 5]! ^= 1
    assert.notEqual(spawnSync('age', ['-d', '-i', join(dir, 'id.txt')], {input: ours}).status, 0)
  })
})

describe('tamper, truncation, malformed headers', () => {
  it('every changed header byte and sampled payload bytes are rejected or refused, never accepted', async () => {
    const a = idPair()
    const pt = randomBytes(65536 + 100)
    const s = await sealBytes(pt, {recipients: [a.publicKey]})
    const headerEnd = Buffer.from(s).indexOf('\n---') + 49
    const positions = [...Array.from({length: headerEnd + 16}, (_, i) => i), ...Array.from({length: 64}, (_, i) => headerEnd + 16 + i * 1031)]
    for (const i of positions.filter((i) => i < s.length)) {
      const m = s.slice()
      m[i]! ^= 0x02
      await assert.rejects(unsealBytes(m, {identity: a.secretKey}), (e: unknown) => e instanceof TcpError && [1, 2].includes(e.exitCode), `byte ${i}`)
    }
  })
  it('truncation at any chunk boundary, inside the header, and appended bytes are rejected with the reason', async () => {
    const a = idPair()
    const s = await sealBytes(randomBytes(2 * 65536 + 10), {recipients: [a.publicKey]})
    const payloadStart = Buffer.from(s).indexOf('\n---') + 49 + 16
    await rejects(unsealBytes(s.subarray(0, payloadStart + 65536 + 16), {identity: a.secretKey}), 'rejected', /truncated/)
    await rejects(unsealBytes(s.subarray(0, 40), {identity: a.secretKey}), 'rejected', /truncated/)
    await rejects(unsealBytes(s.subarray(0, payloadStart - 3), {identity: a.secretKey}), 'input', /payload nonce/)
    await rejects(unsealBytes(new Uint8Array([...s, 0]), {identity: a.secretKey}), 'rejected')
  })
  it('malformed headers are input errors (exit 2): not age, bad base64, long body line, scrypt with another stanza', async () => {
    const a = idPair()
    const s = Buffer.from(await sealBytes(utf8('hi'), {recipients: [a.publicKey]})).toString('latin1')
    const bad = async (text: string, re: RegExp) => rejects(unsealBytes(Buffer.from(text, 'latin1'), {identity: a.secretKey}), 'input', re)
    await bad('age-encryption.org/v2\n' + s.slice(22), /not an age file/)
    await bad(s.replace('-> X25519 ', '-> X25519  '), /empty or non-printable/)
    await bad(s.replace(/\n---/, '\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA 10\nAAAA\n---'), /scrypt stanza must be the only/)
    const body = s.split('\n')[2]!
    await bad(s.replace(body, body + '='), /base64/)
  })
  it('a scrypt work factor above the bound is refused before any work', async () => {
    const e = new Encrypter()
    e.setPassphrase(PASS)
    e.setScryptWorkFactor(21)
    // Only the header matters: build it without paying for 2^21 here by patching a cheap file's logN.
    e.setScryptWorkFactor(10)
    const f = Buffer.from(await e.encrypt(utf8('x'))).toString('latin1').replace(/(-> scrypt \S+) 10\n/, '$1 21\n')
    await rejects(unsealBytes(Buffer.from(f, 'latin1'), {passphrase: utf8(PASS)}), 'unsupported', /log2\(N\) must be from 1 to 20/)
  })
})
