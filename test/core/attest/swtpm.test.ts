// The TPM backend against live software TPMs (swtpm on loopback, started and stopped here): init, reuse, measure,
// quote, verify, credential activation (accepted in the same TPM, refused across TPMs), EK certificates, transient
// slots flushed, and the errors for a missing tpm2-tools and an unreachable TCTI.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {X509Certificate, createPublicKey} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {TcpError} from '../../../src/core/errors.js'
import {activate, init, makeChallenge, measure, quote, readAkName} from '../../../src/core/attest/backend/ops.js'
import {resolveTcti} from '../../../src/core/attest/backend/tpm2-tools.js'
import {verifyQuoteBundle} from '../../../src/core/attest/verify/quote.js'
import {parsePublic, publicKeyOf, spki} from '../../../src/core/attest/structures.js'
import {POLICY_TYPE} from '../../../src/core/attest/bundle.js'
import {sha256} from '../../../src/core/crypto/index.js'
import {concatBytes, toHex} from '../../../src/core/bytes.js'
import {startSwtpm, swtpmMissing, type Swtpm} from './swtpm-harness.js'

const missing = swtpmMissing()
const code = (c: string) => (e: unknown) => e instanceof TcpError && e.code === c

function transientHandles(tcti: string): string[] {
  const r = spawnSync('tpm2_getcap', ['handles-transient'], {env: {...process.env, TPM2TOOLS_TCTI: tcti}, encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.match(/0x8[0-9a-f]+/gi) ?? []
}

describe('tcp attest backend on swtpm', {skip: missing}, () => {
  let a: Swtpm
  let b: Swtpm
  const work = mkdtempSync(join(tmpdir(), 'tcp-attest-test-'))
  const sa = join(work, 'a')
  const sb = join(work, 'b')
  const nonce = new Uint8Array(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))

  before(async () => {
    ;[a, b] = await Promise.all([startSwtpm(), startSwtpm({ekCert: true})])
  })
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    rmSync(work, {recursive: true, force: true})
  })

  it('init creates an ECC AK under the EK, persists both, leaves no transient object, and reuses them next time', async () => {
    const r = await init(sa, {tcti: a.tcti})
    assert.equal(r.createdEk, true)
    assert.equal(r.createdAk, true)
    assert.equal(r.akAlg, 'ecc')
    assert.equal(r.ekCertificate, null)
    assert.deepEqual(transientHandles(a.tcti), [])
    const pem = readFileSync(join(sa, 'ak.pem'))
    assert.deepEqual(spki(publicKeyOf(parsePublic(readFileSync(join(sa, 'ak.pub'))))), spki(createPublicKey(pem)))
    const again = await init(sa, {tcti: a.tcti})
    assert.equal(again.createdEk, false)
    assert.equal(again.createdAk, false)
    assert.equal(again.akName, r.akName)
    assert.deepEqual(readFileSync(join(sa, 'ak.pem')), pem)
    await assert.rejects(init(sa, {tcti: a.tcti, akAlg: 'rsa'}), (e: unknown) => code('usage')(e) && /already at 0x81010020 is ecc/.test((e as Error).message))
  })

  it('measure extends PCR 15 and logs it; quote gives a bundle that verifies; another nonce does not', async () => {
    const f1 = join(work, 'baseline.json')
    const f2 = join(work, 'toolkit.tgz')
    writeFileSync(f1, '{"baseline":1}\n')
    writeFileSync(f2, 'tcp-0.1.0')
    const m1 = await measure(sa, f1, 15, {tcti: a.tcti})
    const m2 = await measure(sa, f2, 15, {tcti: a.tcti})
    assert.deepEqual([m1.seq, m2.seq], [0, 1])
    assert.equal(JSON.parse(readFileSync(join(sa, 'eventlog.json'), 'utf8')).entries.length, 2)
    const q = await quote(sa, nonce, 'sha256:0,1,2,3,4,5,6,7,15', {tcti: a.tcti})
    assert.deepEqual(transientHandles(a.tcti), [])
    const ak = new Uint8Array(readFileSync(join(sa, 'ak.pem')))
    const ok = verifyQuoteBundle(q.bundle, {ak, nonce})
    assert.equal(ok.ok, true, JSON.stringify(ok.checks.filter((c) => !c.ok)))
    assert.notEqual(q.bundle.pcrs.sha256!['15'], '00'.repeat(32))
    const stale = verifyQuoteBundle(q.bundle, {ak, nonce: new Uint8Array(16)})
    assert.deepEqual(stale.checks.filter((c) => !c.ok).map((c) => c.check), ['nonce'])

    // tpm2_checkquote agrees on the live quote.
    const dir = mkdtempSync(join(work, 'cq-'))
    const put = (n: string, d: Uint8Array) => (writeFileSync(join(dir, n), d), join(dir, n))
    const cq = spawnSync('tpm2_checkquote', ['-u', put('ak.pem', ak), '-m', put('m', Buffer.from(q.bundle.attest, 'base64')), '-s', put('s', Buffer.from(q.bundle.signature, 'base64')), '-f', put('p', q.toolPcrFile), '-g', 'sha256', '-q', Buffer.from(nonce).toString('hex')], {encoding: 'utf8'})
    assert.equal(cq.status, 0, cq.stderr)

    // A later measurement moves PCR 15: a policy pinned to the old value rejects the new quote.
    const policy = {type: POLICY_TYPE, pcrs: {sha256: {'15': q.bundle.pcrs.sha256!['15']!}}}
    assert.equal(verifyQuoteBundle(q.bundle, {ak, nonce, policy}).ok, true)
    await measure(sa, f1, 15, {tcti: a.tcti})
    const q2 = await quote(sa, nonce, 'sha256:15', {tcti: a.tcti})
    const r2 = verifyQuoteBundle(q2.bundle, {ak, nonce, policy})
    assert.deepEqual(r2.checks.filter((c) => !c.ok).map((c) => c.check), ['policy'])
    assert.equal(q2.bundle.eventLog.entries.length, 3)
  })

  it('quote reads the PCRs again and retries when they moved during the quote', async () => {
    const f = join(work, 'mover')
    writeFileSync(f, 'moves PCR 15')
    const moved: number[] = []
    const q = await quote(sa, nonce, 'sha256:15', {
      tcti: a.tcti,
      beforeQuote: async (attempt) => {
        if (attempt === 1) moved.push((await measure(sa, f, 15, {tcti: a.tcti})).seq)
      },
    })
    assert.equal(q.attempts, 2)
    assert.equal(moved.length, 1)
    const ak = new Uint8Array(readFileSync(join(sa, 'ak.pem')))
    assert.equal(verifyQuoteBundle(q.bundle, {ak, nonce}).ok, true)
    // A quote that leaves PCR 15 out carries none of its log entries, and verifies.
    const q0 = await quote(sa, nonce, 'sha256:0', {tcti: a.tcti})
    assert.deepEqual(q0.bundle.eventLog.entries, [])
    assert.equal(verifyQuoteBundle(q0.bundle, {ak, nonce}).ok, true)
    // With a single attempt allowed, a move is an error, never a bundle whose values do not match its quote.
    await assert.rejects(
      quote(sa, nonce, 'sha256:15', {tcti: a.tcti, maxAttempts: 1, beforeQuote: async () => void (await measure(sa, f, 15, {tcti: a.tcti}))}),
      (e: unknown) => code('dependency')(e) && /kept changing during 1 attempts/.test((e as Error).message),
    )
  })

  it('the PCR reset attack fails: measure bad, tpm2_pcrreset, measure good no longer passes the golden policy', async () => {
    const c = await startSwtpm()
    try {
      const sc = join(work, 'c')
      await init(sc, {tcti: c.tcti})
      const tool = (...args: string[]) => spawnSync(args[0]!, args.slice(1), {env: {...process.env, TPM2TOOLS_TCTI: c.tcti}, encoding: 'utf8'})
      const failedChecks = (r: {checks: Array<{check: string; ok: boolean}>}) => r.checks.filter((x) => !x.ok).map((x) => x.check)
      const good = join(work, 'good.json')
      const bad = join(work, 'bad.json')
      writeFileSync(good, '{"baseline":"good"}\n')
      writeFileSync(bad, '{"baseline":"evil"}\n')
      const goodDigest = sha256(readFileSync(good))
      const badDigest = sha256(readFileSync(bad))
      // The golden value: PCR := H(0 || H(good)), what a host that only ever measured the good baseline shows.
      const golden = toHex(sha256(concatBytes(new Uint8Array(32), goodDigest)))
      const ak = new Uint8Array(readFileSync(join(sc, 'ak.pem')))

      // PCR 15 (where tcp measures now): the TPM refuses the reset, so the bad measurement stays in the value.
      await measure(sc, bad, 15, {tcti: c.tcti})
      const reset15 = tool('tpm2_pcrreset', '15')
      assert.notEqual(reset15.status, 0, 'swtpm reset PCR 15')
      await measure(sc, good, 15, {tcti: c.tcti})
      const q = await quote(sc, nonce, 'sha256:15', {tcti: c.tcti})
      const policy15 = {type: POLICY_TYPE, pcrs: {sha256: {'15': golden}}}
      const r = verifyQuoteBundle(q.bundle, {ak, nonce, policy: policy15})
      assert.deepEqual(failedChecks(r), ['policy'])
      assert.deepEqual(q.bundle.eventLog.entries.map((e) => e.file), ['bad.json', 'good.json'])
      // Dropping the bad entry from the log does not help: no prefix of the rest replays to the quoted value.
      const hidden = JSON.parse(JSON.stringify(q.bundle))
      hidden.eventLog.entries = hidden.eventLog.entries.filter((e: {file: string}) => e.file !== 'bad.json')
      assert.deepEqual(failedChecks(verifyQuoteBundle(hidden, {ak, nonce})), ['event-log'])

      // PCR 16, where tcp used to measure: measure refuses it; the attack by hand with tpm2-tools still works on the
      // TPM (the quoted value equals the golden one), and the verifier refuses both the golden value and the log.
      await assert.rejects(measure(sc, good, 16, {tcti: c.tcti}), code('usage'))
      assert.equal(tool('tpm2_pcrextend', `16:sha256=${toHex(badDigest)}`).status, 0)
      assert.equal(tool('tpm2_pcrreset', '16').status, 0, 'swtpm refused to reset PCR 16: the reproduction no longer applies')
      assert.equal(tool('tpm2_pcrextend', `16:sha256=${toHex(goodDigest)}`).status, 0)
      const q16 = await quote(sc, nonce, 'sha256:16', {tcti: c.tcti})
      assert.equal(q16.bundle.pcrs.sha256!['16'], golden)
      const attack = {...q16.bundle, eventLog: {type: q16.bundle.eventLog.type, entries: [{seq: 0, pcr: 16, bank: 'sha256', digest: toHex(goodDigest)}]}}
      const r16 = verifyQuoteBundle(attack, {ak, nonce, policy: {type: POLICY_TYPE, pcrs: {sha256: {'16': golden}}}})
      assert.deepEqual(failedChecks(r16), ['policy', 'event-log'])

      // A PCR that something outside the log extends is refused by measure, not silently logged from a wrong base.
      assert.equal(tool('tpm2_pcrextend', `14:sha256=${toHex(badDigest)}`).status, 0)
      await assert.rejects(measure(sc, good, 14, {tcti: c.tcti}), (e: unknown) => code('input')(e) && /PCR 14 holds [0-9a-f]{64}, which the 0 entries of the event log for it do not replay to/.test((e as Error).message))
    } finally {
      await c.stop()
    }
  })

  it('credential activation: the secret comes back from the TPM holding both keys, and only there', async () => {
    await init(sb, {tcti: b.tcti, akAlg: 'rsa'})
    const ekA = new Uint8Array(readFileSync(join(sa, 'ek.pub')))
    const ekB = new Uint8Array(readFileSync(join(sb, 'ek.pub')))
    const akA = await readAkName(join(sa, 'ak.name'))
    const akB = await readAkName(join(sb, 'ak.name'))
    const good = await makeChallenge(ekA, akA)
    assert.deepEqual(await activate(sa, good.challenge, {tcti: a.tcti}), good.secret)
    assert.deepEqual(transientHandles(a.tcti), [])
    // Made for B's EK: A's TPM cannot open it. Made for A's EK but B's AK: A's TPM refuses to release it.
    const otherEk = await makeChallenge(ekB, akA)
    await assert.rejects(activate(sa, otherEk.challenge, {tcti: a.tcti}), code('rejected'))
    const otherAk = await makeChallenge(ekA, akB)
    await assert.rejects(activate(sa, otherAk.challenge, {tcti: a.tcti}), code('rejected'))
    // Two challenges for the same keys carry different secrets.
    const again = await makeChallenge(ekA, akA)
    assert.notDeepEqual(again.secret, good.secret)
    assert.deepEqual(await activate(sa, again.challenge, {tcti: a.tcti}), again.secret)
  })

  it('writes the EK certificate when the TPM holds one; it certifies the EK and chains to the TPM maker\'s CA, and only then', async () => {
    const r = await init(sb, {tcti: b.tcti})
    assert.ok(r.ekCertificate)
    const cert = new X509Certificate(readFileSync(r.ekCertificate!))
    const ek = publicKeyOf(parsePublic(readFileSync(join(sb, 'ek.pub'))))
    assert.deepEqual(spki(cert.publicKey), spki(ek))
    // The verifier checks it against the CA made for this TPM before sealing a challenge to the EK.
    const inter = new Uint8Array(readFileSync(b.ca!.intermediate))
    const root = new Uint8Array(readFileSync(b.ca!.root))
    const certBytes = new Uint8Array(readFileSync(r.ekCertificate!))
    const ekB = new Uint8Array(readFileSync(join(sb, 'ek.pub')))
    const akB = await readAkName(join(sb, 'ak.name'))
    const ok = await makeChallenge(ekB, akB, {ekCert: certBytes, cas: [inter, root]})
    assert.deepEqual(ok.ekCertificate!.chain.slice(1), ['CN=swtpm-localca', 'CN=swtpm-localca-rootca'])
    assert.deepEqual(await activate(sb, ok.challenge, {tcti: b.tcti}), ok.secret)
    const rejected = (re: RegExp) => (e: unknown) => code('rejected')(e) && re.test((e as Error).message)
    await assert.rejects(makeChallenge(new Uint8Array(readFileSync(join(sa, 'ek.pub'))), akB, {ekCert: certBytes, cas: [inter, root]}), rejected(/certifies another key/))
    await assert.rejects(makeChallenge(ekB, akB, {ekCert: certBytes, cas: [root]}), rejected(/no trusted CA issued/))
    await assert.rejects(makeChallenge(ekB, akB, {ekCert: certBytes, cas: [inter]}), rejected(/no trusted CA issued and signed "CN=swtpm-localca"/))
    await assert.rejects(makeChallenge(ekB, akB, {ekCert: certBytes, cas: [inter, root], now: new Date('1999-01-01')}), rejected(/is not valid at/))
    await assert.rejects(makeChallenge(ekB, akB, {ekCert: certBytes, cas: []}), code('usage'))
    await assert.rejects(makeChallenge(ekB, akB, {ekCert: new Uint8Array(30), cas: [root]}), code('input'))

    const q = await quote(sb, nonce, 'sha256:0,15', {tcti: b.tcti})
    assert.equal(verifyQuoteBundle(q.bundle, {ak: new Uint8Array(readFileSync(join(sb, 'ak.pem'))), nonce}).ok, true)
  })

  it('rejects bad arguments before touching the TPM', async () => {
    await assert.rejects(measure(sa, join(work, 'baseline.json'), 5, {tcti: a.tcti}), code('usage'))
    await assert.rejects(quote(sa, new Uint8Array(4), 'sha256:0', {tcti: a.tcti}), code('usage'))
    await assert.rejects(quote(sa, nonce, 'sha256:0;reboot', {tcti: a.tcti}), code('usage'))
    await assert.rejects(quote(join(work, 'none'), nonce, 'sha256:0', {tcti: a.tcti}), code('not_found'))
    await assert.rejects(makeChallenge(new Uint8Array(10), await readAkName(join(sa, 'ak.name'))), code('input'))
    await assert.rejects(makeChallenge(new Uint8Array(readFileSync(join(sa, 'ek.pub'))), new Uint8Array(5)), code('input'))
  })

  it('names the TCTI when the TPM cannot be reached, and the package when tpm2-tools is missing', async () => {
    await assert.rejects(quote(sa, nonce, 'sha256:0', {tcti: 'swtpm:host=127.0.0.1,port=1'}), (e: unknown) => code('dependency')(e) && /TCTI "swtpm:host=127.0.0.1,port=1"/.test((e as Error).message))
    const path = process.env.PATH
    process.env.PATH = join(work, 'empty-path')
    try {
      await assert.rejects(quote(sa, nonce, 'sha256:0', {tcti: a.tcti}), (e: unknown) => code('dependency')(e) && /install the package tpm2-tools/.test((e as Error).message))
    } finally {
      process.env.PATH = path
    }
  })

  it('flushes transient objects when creating the EK or the AK fails half-way', async () => {
    // A handle in the platform range (0x818xxxxx): the key is created (a transient object), then EvictControl with
    // owner authorisation is refused. The state file is where the backend takes the handles from.
    const state = (ekHandle: string, akHandle: string) => {
      const d = mkdtempSync(join(work, 'half-'))
      writeFileSync(join(d, 'state.json'), JSON.stringify({type: 'tcp.attest.state/v1', ekHandle, akHandle, ekAlg: 'ecc', akAlg: 'ecc'}))
      return d
    }
    assert.deepEqual(transientHandles(b.tcti), [])
    await assert.rejects(init(state('0x81800001', '0x81010020'), {tcti: b.tcti}), (e: unknown) => code('dependency')(e) && /tpm2_createek/.test((e as Error).message))
    assert.deepEqual(transientHandles(b.tcti), [], 'after a failed tpm2_createek')
    await assert.rejects(init(state('0x81010002', '0x81800002'), {tcti: b.tcti}), (e: unknown) => code('dependency')(e) && /tpm2_evictcontrol/.test((e as Error).message))
    assert.deepEqual(transientHandles(b.tcti), [], 'after a failed tpm2_evictcontrol of the AK')
  })

  it('resolves the TCTI from the flag, then configuration, then TPM2TOOLS_TCTI, then /dev/tpmrm0', () => {
    assert.equal(resolveTcti('swtpm:port=1', 'device:/x', {TPM2TOOLS_TCTI: 'mssim'}), 'swtpm:port=1')
    assert.equal(resolveTcti(undefined, 'device:/x', {TPM2TOOLS_TCTI: 'mssim'}), 'device:/x')
    assert.equal(resolveTcti(undefined, undefined, {TPM2TOOLS_TCTI: 'swtpm:port=3'}), 'swtpm:port=3')
    assert.equal(resolveTcti(undefined, undefined, {}), 'device:/dev/tpmrm0')
    assert.throws(() => resolveTcti('$(reboot)', undefined, {}), code('usage'))
  })
})
