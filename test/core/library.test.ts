// The package by name: `import 'tcp-toolkit'` resolves through package.json "exports" (self-reference) to the
// built dist/core/index.js, exactly what an installed package gives (scripts/pack-check.mjs checks the tarball).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import * as tcp from 'tcp-toolkit'
import {checkJsonDocument} from '../helpers/json.js'

const SMALL_SCRYPT = {N: 2 ** 14, r: 8, p: 1}

const OBS = Array.from({length: 40}, (_, i) => JSON.stringify({agent: 'a', time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), x: (i * 7) % 11, y: 100 + (i % 5)})).join('\n')

describe("import 'tcp-toolkit' (the public library API)", () => {
  it('resolves to the built core, not to the TypeScript sources', async () => {
    assert.match(import.meta.resolve('tcp-toolkit'), /\/dist\/core\/index\.js$/)
  })

  it("the --json schemas by name: tcp-toolkit/schemas/<type with / as .>.schema.json (docs/json.md)", () => {
    const url = import.meta.resolve('tcp-toolkit/schemas/tcp.verify.v1.schema.json')
    assert.match(url, /\/docs\/schemas\/tcp\.verify\.v1\.schema\.json$/)
    assert.equal(JSON.parse(readFileSync(new URL(url), 'utf8')).$id, 'tcp.verify.v1.schema.json')
  })

  it('keys, a signed baseline verified through verifyArtifact, and every tamper rejected', async () => {
    const alice = tcp.generateKeyPair('ed25519')
    const baseline = tcp.createBaseline(tcp.parseObservations(OBS), {subject: 'fleet/a'})
    const {envelope, kind} = tcp.signFile('b.json', tcp.utf8(JSON.stringify(baseline)), {...alice, type: 'ed25519'})
    assert.equal(kind, 'baseline')
    const trust = tcp.trustFromPublicKeys([alice.publicKey])
    const good = await tcp.verifyArtifact(envelope, {trust})
    assert.equal(good.ok, true)
    assert.equal(good.kind, 'dsse-envelope')
    assert.deepEqual(good.signerKeyIds, [tcp.keyIdOf(alice.publicKey)])
    assert.equal(good.trust, 'library caller')
    assert.equal(tcp.requireAllPassed(good), good)
    // The same report as tcp verify --json prints under "report" (docs/schemas/tcp.verify.v1.schema.json).
    checkJsonDocument(JSON.stringify({type: 'tcp.verify/v1', report: good}), ['verifyArtifact'])

    const other = tcp.trustFromPublicKeys([tcp.generateKeyPair('ed25519').publicKey])
    const wrongKey = await tcp.verifyArtifact(envelope, {trust: other})
    assert.equal(wrongKey.ok, false)
    checkJsonDocument(JSON.stringify({type: 'tcp.verify/v1', report: wrongKey}), ['verifyArtifact'])
    assert.throws(() => tcp.requireAllPassed(wrongKey), (e: unknown) => tcp.isTcpError(e) && e.exitCode === 1)

    const payload = JSON.parse(Buffer.from(tcp.fromBase64(envelope.payload)).toString())
    payload.subject = 'fleet/b'
    const tampered = {...envelope, payload: tcp.toBase64(tcp.utf8(JSON.stringify(payload)))}
    const bad = await tcp.verifyArtifact(tampered, {trust})
    assert.equal(bad.ok, false)
    assert.equal(bad.checks.find((c) => !c.ok)?.check, 'signatures')
  })

  it('a signed file: the original verifies, an edited one does not', async () => {
    const kp = tcp.generateKeyPair('ed25519')
    const {envelope} = tcp.signFile('report.txt', tcp.utf8('numbers'), {...kp, type: 'ed25519'})
    const trust = tcp.trustFromPublicKeys([kp.publicKey])
    assert.equal((await tcp.verifyArtifact(envelope, {trust, file: {name: 'report.txt', bytes: tcp.utf8('numbers')}})).ok, true)
    const edited = await tcp.verifyArtifact(envelope, {trust, file: {name: 'report.txt', bytes: tcp.utf8('numberz')}})
    assert.equal(edited.checks.find((c) => !c.ok)?.check, 'subject-digest')
  })

  it('refuses options a kind does not check, missing options, unknown documents and weak keys', async () => {
    const kp = tcp.generateKeyPair('ed25519')
    const {envelope} = tcp.signFile('a', tcp.utf8('a'), {...kp, type: 'ed25519'})
    const trust = tcp.trustFromPublicKeys([kp.publicKey])
    await assert.rejects(tcp.verifyArtifact(envelope, {trust, nonce: new Uint8Array(8)}), /nonce does not apply to a dsse-envelope/)
    await assert.rejects(tcp.verifyArtifact(envelope, {}), /needs the option trust/)
    await assert.rejects(tcp.verifyArtifact({type: tcp.TPM_QUOTE_TYPE}, {trust}), /trust does not apply to a tpm-quote-bundle/)
    await assert.rejects(tcp.verifyArtifact({type: tcp.ZK_BUNDLE_TYPE}, {trust}), /needs the option signedBaseline/)
    await assert.rejects(tcp.verifyArtifact({hello: 1}, {trust}), (e: unknown) => tcp.isTcpError(e) && e.exitCode === 2)
    assert.throws(() => tcp.trustFromPublicKeys([new Uint8Array(32)]), /small-order/)
    assert.throws(() => tcp.trustFromPublicKeys([new Uint8Array(31)]), /expected 32 bytes/)
    assert.throws(() => tcp.trustFromPublicKeys([]), /at least one/)
  })

  it('batch, seal and descriptors through the package', async () => {
    const kp = tcp.generateKeyPair('ed25519')
    const lines = [1, 2, 3].map((i) => JSON.stringify(tcp.signFile(`f${i}`, tcp.utf8(`f${i}`), {...kp, type: 'ed25519'}).envelope))
    const r = await tcp.verifyEnvelopeBatch(lines.join('\n'), {trust: tcp.trustFromPublicKeys([kp.publicKey])})
    assert.deepEqual([r.total, r.verified, r.rejected.length], [3, 3, 0])

    const bob = tcp.generateKeyPair('x25519')
    const sealed = await tcp.sealBytes(tcp.utf8('secret telemetry'), {recipients: [bob.publicKey]})
    assert.equal(Buffer.from(await tcp.unsealBytes(sealed, {identity: bob.secretKey})).toString(), 'secret telemetry')
    const flipped = Uint8Array.from(sealed)
    flipped[flipped.length - 1]! ^= 1
    await assert.rejects(tcp.unsealBytes(flipped, {identity: bob.secretKey}))

    const d = tcp.encodeDescriptor({command: 'rm', flags: tcp.parseFlags(['CRITICAL', 'DESTRUCTIVE']), execMs: 5, memoryMb: 1, outputKb: 0})
    assert.equal(d.length, tcp.DESCRIPTOR_LENGTH)
    assert.equal(tcp.describesCommand(d, 'rm'), true)
    const bad = Uint8Array.from(d)
    bad[5]! ^= 1
    assert.throws(() => tcp.decodeDescriptor(bad))
  })

  it('key files on disk round-trip through the package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcp-lib-'))
    try {
      const kp = tcp.generateKeyPair('ed25519')
      const pass = async () => tcp.utf8('correct horse')
      const paths = await tcp.writeKeyPair(join(dir, 'alice'), kp, {passphrase: tcp.utf8('correct horse'), scrypt: SMALL_SCRYPT})
      const pub = await tcp.readPublicKeyFile(paths.pub)
      assert.equal(pub.keyId, tcp.keyIdOf(kp.publicKey))
      const back = await tcp.readPrivateKeyFile(paths.key, pass)
      assert.ok(tcp.equalBytes(back.secretKey, kp.secretKey))
      await assert.rejects(tcp.readPrivateKeyFile(paths.key, async () => tcp.utf8('wrong')))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
