// The quote verifier on recorded swtpm bundles (test/vectors/attest): good bundles pass; one mutation each is
// rejected by the named check; every byte of TPMS_ATTEST and TPMT_SIGNATURE matters; high-S ECDSA is accepted;
// malformed documents are input errors (exit 2), not verdicts; our verdict equals tpm2_checkquote's.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {TcpError} from '../../../src/core/errors.js'
import {requireAllPassed, type VerifyReport} from '../../../src/core/verify/report.js'
import {verifyQuoteBundle} from '../../../src/core/attest/verify/quote.js'
import {encodeSignature, parseSignature, parsePublic, qualifiedName, ALG, TPM_RH_ENDORSEMENT} from '../../../src/core/attest/structures.js'
import {constants, createHash, generateKeyPairSync, sign} from 'node:crypto'
import {POLICY_TYPE} from '../../../src/core/attest/bundle.js'

const VEC = join(import.meta.dirname, '..', '..', 'vectors', 'attest')
const ALGS = ['ecc', 'rsa', 'rsapss'] as const
type Alg = (typeof ALGS)[number]

const load = (alg: Alg) => ({
  bundle: JSON.parse(readFileSync(join(VEC, `${alg}.bundle.json`), 'utf8')),
  ak: new Uint8Array(readFileSync(join(VEC, `${alg}.ak.pem`))),
  pcrFile: new Uint8Array(readFileSync(join(VEC, `${alg}.checkquote.pcrs`))),
})

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x))
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'))
const tob64 = (b: Uint8Array) => Buffer.from(b).toString('base64')
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))

function run(bundle: unknown, ak: Uint8Array, nonce: Uint8Array, policy?: unknown): VerifyReport {
  return verifyQuoteBundle(bundle, {ak, nonce, policy})
}

const failed = (r: VerifyReport) => r.checks.filter((c) => !c.ok).map((c) => c.check)

/** The check requireAllPassed names first (what the CLI prints). */
function firstFailure(r: VerifyReport): string {
  try {
    requireAllPassed(r)
  } catch (e) {
    assert.ok(e instanceof TcpError)
    assert.equal(e.code, 'rejected')
    assert.equal(e.exitCode, 1)
    return /^rejected: ([a-z-]+):/.exec(e.message)![1]!
  }
  return 'none'
}

function mutateBytes(bundle: any, field: 'attest' | 'signature', fn: (b: Uint8Array) => void) {
  const b = clone(bundle)
  const bytes = b64(b[field])
  fn(bytes)
  b[field] = tob64(bytes)
  return b
}

/** Offset of extraData's first byte and pcrDigest's first byte in a recorded TPMS_ATTEST. */
function offsets(attest: Uint8Array) {
  const signerLen = (attest[6]! << 8) | attest[7]!
  const extraAt = 8 + signerLen + 2
  return {signerAt: 8, extraAt, digestAt: attest.length - 32}
}

/** The bundle with its first event log entry changed. */
function withEntry(bundle: any, change: Record<string, unknown>) {
  const b = clone(bundle)
  Object.assign(b.eventLog.entries[0], change)
  return b
}

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

for (const alg of ALGS) {
  describe(`quote verifier on the recorded ${alg} bundle`, () => {
    const v = load(alg)
    const nonce = hex(v.bundle.nonce)

    it('accepts the good bundle with every check passed and names them', () => {
      const r = run(v.bundle, v.ak, nonce)
      assert.deepEqual(failed(r), [])
      assert.equal(r.ok, true)
      assert.deepEqual(
        r.checks.map((c) => c.check),
        ['attest-structure', 'magic', 'type', 'nonce', 'pcr-selection', 'pcr-digest', 'ak', 'ak-attributes', 'signature', 'qualified-signer', 'self-description', 'event-log'],
      )
      assert.equal(requireAllPassed(r), r)
    })

    it('accepts the AK given as TPM2B_PUBLIC as well as PEM', () => {
      assert.equal(run(v.bundle, b64(v.bundle.ak.public), nonce).ok, true)
    })

    it('rejects a stale nonce (the quote answers another challenge)', () => {
      const other = nonce.slice()
      other[other.length - 1]! ^= 1
      const r = run(v.bundle, v.ak, other)
      assert.deepEqual(failed(r), ['nonce'])
      assert.equal(firstFailure(r), 'nonce')
      assert.deepEqual(failed(run(v.bundle, v.ak, nonce.subarray(0, 16))), ['nonce'])
    })

    it('rejects a change of extraData inside the signed structure', () => {
      const b = mutateBytes(v.bundle, 'attest', (a) => void (a[offsets(a).extraAt]! ^= 1))
      assert.deepEqual(failed(run(b, v.ak, nonce)), ['nonce', 'signature'])
    })

    for (const pcr of ['0', '3', '7', '15', '14']) {
      it(`rejects a changed value of PCR ${pcr}`, () => {
        const b = clone(v.bundle)
        const val = hex(b.pcrs.sha256[pcr])
        val[5]! ^= 0x40
        b.pcrs.sha256[pcr] = Buffer.from(val).toString('hex')
        const r = run(b, v.ak, nonce)
        assert.equal(firstFailure(r), 'pcr-digest')
        assert.deepEqual(failed(r), pcr === '15' || pcr === '14' ? ['pcr-digest', 'event-log'] : ['pcr-digest'])
      })
    }

    it('rejects a selection other than the quoted one, and values that do not match the selection', () => {
      const b = clone(v.bundle)
      b.pcrSelection = 'sha256:0,1,2,3,4,5,6,7,14'
      delete b.pcrs.sha256['15']
      assert.equal(firstFailure(run(b, v.ak, nonce)), 'pcr-selection')
      const c = clone(v.bundle)
      delete c.pcrs.sha256['4']
      assert.equal(firstFailure(run(c, v.ak, nonce)), 'pcr-selection')
      const d = clone(v.bundle)
      d.pcrs.sha256['9'] = '00'.repeat(32)
      assert.equal(firstFailure(run(d, v.ak, nonce)), 'pcr-selection')
    })

    it('rejects a changed selection bitmap inside TPMS_ATTEST', () => {
      // The bitmap's first byte (PCRs 0-7) sits right before the TPM2B pcrDigest.
      const b = mutateBytes(v.bundle, 'attest', (a) => void (a[a.length - 32 - 2 - 3]! ^= 0x01))
      const r = run(b, v.ak, nonce)
      assert.equal(firstFailure(r), 'pcr-selection')
      assert.ok(failed(r).includes('signature'))
    })

    it('rejects a wrong magic and a wrong attestation type', () => {
      const m = run(mutateBytes(v.bundle, 'attest', (a) => void (a[0]! ^= 0x80)), v.ak, nonce)
      assert.equal(firstFailure(m), 'magic')
      assert.ok(failed(m).includes('signature'))
      // TPM_ST_ATTEST_CERTIFY (0x8017): the quote union is not there, nothing about PCRs can pass.
      const t = run(mutateBytes(v.bundle, 'attest', (a) => void (a[5] = 0x17)), v.ak, nonce)
      assert.equal(firstFailure(t), 'type')
      for (const c of ['pcr-selection', 'pcr-digest', 'event-log', 'signature']) assert.ok(failed(t).includes(c), c)
    })

    it('rejects a changed pcrDigest and a changed qualifiedSigner', () => {
      const d = run(mutateBytes(v.bundle, 'attest', (a) => void (a[offsets(a).digestAt + 7]! ^= 1)), v.ak, nonce)
      assert.deepEqual(failed(d), ['pcr-digest', 'signature'])
      const q = run(mutateBytes(v.bundle, 'attest', (a) => void (a[offsets(a).signerAt + 4]! ^= 1)), v.ak, nonce)
      assert.deepEqual(failed(q), ['signature', 'qualified-signer'])
    })

    it('rejects every single-byte change of TPMS_ATTEST and of TPMT_SIGNATURE', () => {
      const attest = b64(v.bundle.attest)
      for (let i = 0; i < attest.length; i++) {
        const r = run(mutateBytes(v.bundle, 'attest', (a) => void (a[i]! ^= 0x01)), v.ak, nonce)
        assert.equal(r.ok, false, `attest byte ${i}`)
        assert.ok(failed(r).length > 0)
      }
      const sig = b64(v.bundle.signature)
      for (let i = 0; i < sig.length; i++) {
        const r = run(mutateBytes(v.bundle, 'signature', (s) => void (s[i]! ^= 0x01)), v.ak, nonce)
        assert.equal(r.ok, false, `signature byte ${i}`)
        assert.ok(failed(r).includes('signature') || failed(r).includes('pcr-digest'), `signature byte ${i}: ${failed(r)}`)
      }
    })

    it('rejects a truncated or extended TPMS_ATTEST as a failed structure check, not a crash', () => {
      const attest = b64(v.bundle.attest)
      for (const n of [0, 3, 10, attest.length - 1]) {
        const b = clone(v.bundle)
        b.attest = tob64(attest.subarray(0, n))
        assert.equal(firstFailure(run(b, v.ak, nonce)), 'attest-structure', `length ${n}`)
      }
      const b = clone(v.bundle)
      b.attest = tob64(new Uint8Array([...attest, 0]))
      assert.equal(firstFailure(run(b, v.ak, nonce)), 'attest-structure')
    })

    it('rejects trailing bytes after TPMT_SIGNATURE (the signature itself is intact)', () => {
      for (const extra of [[0], [0, 0, 0, 0]]) {
        const b = mutateBytes(v.bundle, 'signature', () => {})
        b.signature = tob64(new Uint8Array([...b64(v.bundle.signature), ...extra]))
        const r = run(b, v.ak, nonce)
        assert.deepEqual(failed(r), ['pcr-digest', 'signature'])
        assert.match(r.checks.find((c) => c.check === 'signature')!.detail!, /trailing bytes/)
      }
    })

    it('rejects a signature under another AK, and a bundle that names another AK', () => {
      const otherAlg = alg === 'ecc' ? 'rsa' : 'ecc'
      const other = load(otherAlg)
      const r = run(v.bundle, other.ak, nonce)
      assert.equal(firstFailure(r), 'ak')
      assert.ok(failed(r).includes('signature'))
      const b = clone(v.bundle)
      b.ak = other.bundle.ak // public, name and pem of another AK, consistent among themselves
      const s = run(b, v.ak, nonce)
      assert.deepEqual(failed(s), ['ak', 'qualified-signer'])
    })

    it('rejects a qualifiedSigner that is not the AK under the bundle EK', () => {
      const b = clone(v.bundle)
      const other = load(alg === 'ecc' ? 'rsa' : 'ecc')
      b.ek = other.bundle.ek // another TPM's EK (public and name)
      assert.deepEqual(failed(run(b, v.ak, nonce)), ['qualified-signer'])
    })

    it('rejects a changed hash algorithm and SHA-1', () => {
      for (const h of [ALG.SHA384, ALG.SHA1]) {
        const b = clone(v.bundle)
        const s = parseSignature(b64(b.signature))
        b.signature = tob64(encodeSignature({...s, hashAlg: h}))
        const r = run(b, v.ak, nonce)
        assert.ok(failed(r).includes('signature'), String(h))
        assert.ok(failed(r).includes('pcr-digest'), String(h))
      }
    })

    it('rejects an event log that does not replay: changed, dropped, reordered, or naming an unquoted PCR', () => {
      const changed = clone(v.bundle)
      changed.eventLog.entries[0].digest = '00'.repeat(32)
      assert.deepEqual(failed(run(changed, v.ak, nonce)), ['event-log'])
      const dropped = clone(v.bundle)
      dropped.eventLog.entries.splice(1, 1)
      assert.deepEqual(failed(run(dropped, v.ak, nonce)), ['event-log'])
      const reordered = clone(v.bundle)
      const [e0, e1] = reordered.eventLog.entries
      reordered.eventLog.entries[0] = e1
      reordered.eventLog.entries[1] = e0
      assert.deepEqual(failed(run(reordered, v.ak, nonce)), ['event-log'])
      const extra = clone(v.bundle)
      extra.eventLog.entries.push({seq: 3, pcr: 9, bank: 'sha256', digest: '11'.repeat(32)})
      const r = run(extra, v.ak, nonce)
      assert.deepEqual(failed(r), ['event-log'])
      assert.match(r.checks.find((c) => c.check === 'event-log')!.detail!, /PCR 9, which the quote does not cover/)
    })

    it('replays the log up to the quoted value: later entries are allowed and reported as not covered', () => {
      const later = clone(v.bundle)
      later.eventLog.entries.push({seq: 3, pcr: 15, bank: 'sha256', digest: '22'.repeat(32)})
      const r = run(later, v.ak, nonce)
      assert.deepEqual(failed(r), [])
      assert.match(r.checks.find((c) => c.check === 'event-log')!.detail!, /sha256:15 \(2 of 3\).*1 later entry is not covered by this quote/)
      // An entry inserted before the quoted point is not a later one: no prefix replays to the quoted value.
      const inserted = clone(v.bundle)
      inserted.eventLog.entries.unshift({seq: 9, pcr: 15, bank: 'sha256', digest: '22'.repeat(32)})
      assert.match(run(inserted, v.ak, nonce).checks.find((c) => c.check === 'event-log')!.detail!, /no prefix of the 3 entries of sha256 PCR 15 replays/)
    })

    it('refuses event log entries and golden values in resettable PCRs 16 and 23 (tpm2_pcrreset at locality 0)', () => {
      for (const pcr of [16, 23]) {
        const b = clone(v.bundle)
        b.eventLog.entries.push({seq: 3, pcr, bank: 'sha256', digest: '22'.repeat(32)})
        const r = run(b, v.ak, nonce)
        assert.deepEqual(failed(r), ['event-log'])
        assert.match(r.checks.find((c) => c.check === 'event-log')!.detail!, new RegExp(`PCR ${pcr}, which can be reset at locality 0`))
        const policy = {type: POLICY_TYPE, pcrs: {sha256: {[String(pcr)]: '00'.repeat(32)}}}
        const p = run(v.bundle, v.ak, nonce, policy)
        assert.deepEqual(failed(p), ['policy'])
        assert.match(p.checks.find((c) => c.check === 'policy')!.detail!, new RegExp(`PCR ${pcr} can be reset at locality 0`))
      }
      // Entries for PCRs tcp never measures into (firmware 0-7, dynamic launch 17-22) are refused too.
      for (const pcr of [0, 7, 17, 22]) {
        const b = clone(v.bundle)
        b.eventLog.entries.push({seq: 3, pcr, bank: 'sha256', digest: '22'.repeat(32)})
        assert.match(run(b, v.ak, nonce).checks.find((c) => c.check === 'event-log')!.detail!, new RegExp(`PCR ${pcr}; tcp measures only into PCR 8-15`))
      }
    })

    it('enforces a policy of golden values: equal passes, different or unquoted fails', () => {
      const golden: any = {type: POLICY_TYPE, pcrs: {sha256: {'0': v.bundle.pcrs.sha256['0'], '15': [('ab'.repeat(32)), v.bundle.pcrs.sha256['15']]}}}
      const ok = run(v.bundle, v.ak, nonce, golden)
      assert.equal(ok.ok, true)
      assert.ok(ok.checks.some((c) => c.check === 'policy' && c.ok))
      const bad = clone(golden)
      bad.pcrs.sha256['15'] = 'ab'.repeat(32)
      assert.deepEqual(failed(run(v.bundle, v.ak, nonce, bad)), ['policy'])
      const unquoted = {type: POLICY_TYPE, pcrs: {sha256: {'10': '00'.repeat(32)}}}
      assert.match(run(v.bundle, v.ak, nonce, unquoted).checks.find((c) => c.check === 'policy')!.detail!, /not quoted/)
    })

    it('rejects ak.name, ek.name or ak.pem that do not describe the bundle\'s own public areas (self-description)', () => {
      const akNameOfEk = {...clone(v.bundle), ak: {...v.bundle.ak, name: v.bundle.ek.name}}
      assert.deepEqual(failed(run(akNameOfEk, v.ak, nonce)), ['self-description'])
      const ekNameOfAk = {...clone(v.bundle), ek: {...v.bundle.ek, name: v.bundle.ak.name}}
      assert.deepEqual(failed(run(ekNameOfAk, v.ak, nonce)), ['self-description'])
      const otherPem = generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({type: 'spki', format: 'pem'}) as string
      const r = run({...clone(v.bundle), ak: {...v.bundle.ak, pem: otherPem}}, v.ak, nonce)
      assert.deepEqual(failed(r), ['self-description'])
      assert.match(r.checks.find((c) => c.check === 'self-description')!.detail!, /ak\.pem is not the key of ak\.public/)
      const bare = clone(v.bundle)
      delete bare.ak.name
      delete bare.ak.pem
      delete bare.ek.name
      assert.deepEqual(failed(run(bare, v.ak, nonce)), [])
    })

    it('treats malformed documents as input errors (exit 2), not verdicts', () => {
      const cases: Array<[string, () => unknown]> = [
        ['no attest', () => run({...clone(v.bundle), attest: undefined}, v.ak, nonce)],
        ['bad base64', () => run({...clone(v.bundle), signature: '***'}, v.ak, nonce)],
        ['bad PCR hex', () => run({...clone(v.bundle), pcrs: {sha256: {'0': 'zz'}}}, v.ak, nonce)],
        ['wrong type', () => run({...clone(v.bundle), type: 'x'}, v.ak, nonce)],
        ['no event log', () => run({...clone(v.bundle), eventLog: null}, v.ak, nonce)],
        ['AK not a key', () => run(v.bundle, new TextEncoder().encode('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), nonce)],
        ['policy without values', () => run(v.bundle, v.ak, nonce, {type: POLICY_TYPE, pcrs: {}})],
        ['policy with bad hex length', () => run(v.bundle, v.ak, nonce, {type: POLICY_TYPE, pcrs: {sha256: {'0': 'abcd'}}})],
        ['empty nonce', () => run(v.bundle, v.ak, new Uint8Array())],
        ['1-byte nonce (a prefix of the real one)', () => run(v.bundle, v.ak, nonce.subarray(0, 1))],
        ['7-byte nonce', () => run(v.bundle, v.ak, nonce.subarray(0, 7))],
        ['65-byte nonce', () => run(v.bundle, v.ak, new Uint8Array(65))],
        // Fields the verifier does not need are still refused when malformed (issue 9, item 6).
        ['non-hex ak.name', () => run({...clone(v.bundle), ak: {...v.bundle.ak, name: 'not hex'}}, v.ak, nonce)],
        ['ak.pem an object', () => run({...clone(v.bundle), ak: {...v.bundle.ak, pem: {}}}, v.ak, nonce)],
        ['ak.pem not PEM', () => run({...clone(v.bundle), ak: {...v.bundle.ak, pem: 'hello'}}, v.ak, nonce)],
        ['non-hex ek.name', () => run({...clone(v.bundle), ek: {...v.bundle.ek, name: 'zz'}}, v.ak, nonce)],
        ['createdAt not a time', () => run({...clone(v.bundle), createdAt: '2026-02-31T00:00:00Z'}, v.ak, nonce)],
        ['event log time not a time', () => run(withEntry(v.bundle, {time: 'yesterday'}), v.ak, nonce)],
        ['event log file an object', () => run(withEntry(v.bundle, {file: {}}), v.ak, nonce)],
        ['event log seq negative', () => run(withEntry(v.bundle, {seq: -1}), v.ak, nonce)],
      ]
      for (const [name, fn] of cases) {
        assert.throws(fn, (e: unknown) => e instanceof TcpError && e.exitCode === 2, name)
      }
    })
  })
}

describe('ECDSA from a TPM: high S', () => {
  it('accepts the signature with s and with n - s (TPMs do not normalise to low S), rejects r or s of 0 or >= n', () => {
    const v = load('ecc')
    const nonce = hex(v.bundle.nonce)
    const s = parseSignature(b64(v.bundle.signature))
    assert.equal(s.sigAlg, ALG.ECDSA)
    if (s.sigAlg !== ALG.ECDSA) return
    const sv = BigInt('0x' + Buffer.from(s.s).toString('hex'))
    const flip = P256_N - sv
    const enc = (n: bigint) => hex(n.toString(16).padStart(64, '0'))
    const b = clone(v.bundle)
    b.signature = tob64(encodeSignature({...s, s: enc(flip)}))
    assert.equal(run(v.bundle, v.ak, nonce).ok, true)
    assert.equal(run(b, v.ak, nonce).ok, true, 'the other S of the same signature')
    assert.ok([sv, flip].some((x) => x > P256_N / 2n), 'one of the two is high S')
    for (const bad of [0n, P256_N]) {
      const c = clone(v.bundle)
      c.signature = tob64(encodeSignature({...s, s: enc(bad)}))
      assert.deepEqual(failed(run(c, v.ak, nonce)), ['signature'])
    }
    // r = 0, r = n, and r or s plus n (same value mod n, still 32 bytes when it fits): all outside [1, n-1].
    const rv = BigInt('0x' + Buffer.from(s.r).toString('hex'))
    const variants = [{r: enc(0n)}, {r: enc(P256_N)}, ...(rv + P256_N < 1n << 256n ? [{r: enc(rv + P256_N)}] : []), ...(sv + P256_N < 1n << 256n ? [{s: enc(sv + P256_N)}] : [])]
    for (const x of variants) {
      const c = clone(v.bundle)
      c.signature = tob64(encodeSignature({...s, ...x}))
      assert.deepEqual(failed(run(c, v.ak, nonce)), ['signature'], JSON.stringify(Object.keys(x)))
    }
  })
})

const hasCheckquote = spawnSync('sh', ['-c', 'command -v tpm2_checkquote']).status === 0

describe('cross-check with tpm2_checkquote', () => {
  it('gives the same verdict as tpm2_checkquote on good and mutated bundles', (t) => {
    if (!hasCheckquote) return t.skip('tpm2_checkquote not installed (apt-get install tpm2-tools)')
    const dir = mkdtempSync(join(tmpdir(), 'tcp-checkquote-'))
    try {
      let n = 0
      // RSA-PSS is left out: tpm2_checkquote 5.4 rejects valid RSA-PSS quotes (tpm2-tools issue #3283); see below.
      for (const alg of ['ecc', 'rsa'] as const) {
        const v = load(alg)
        const nonce = hex(v.bundle.nonce)
        const value15 = hex(v.bundle.pcrs.sha256['15'])
        const variants: Array<{name: string; bundle: any; ak?: Uint8Array; nonce?: Uint8Array; pcrFile?: Uint8Array}> = [
          {name: 'good', bundle: v.bundle},
          {name: 'stale nonce', bundle: v.bundle, nonce: hex('00'.repeat(32))},
          {name: 'other AK', bundle: v.bundle, ak: load(alg === 'ecc' ? 'rsa' : 'ecc').ak},
          {name: 'last signature byte', bundle: mutateBytes(v.bundle, 'signature', (s) => void (s[s.length - 1]! ^= 1))},
          {name: 'extraData', bundle: mutateBytes(v.bundle, 'attest', (a) => void (a[offsets(a).extraAt]! ^= 1))},
          {name: 'pcrDigest', bundle: mutateBytes(v.bundle, 'attest', (a) => void (a[offsets(a).digestAt]! ^= 1))},
          {name: 'clock', bundle: mutateBytes(v.bundle, 'attest', (a) => void (a[offsets(a).extraAt + 40]! ^= 1))},
        ]
        // PCR 15 changed both in the bundle and in tpm2-tools' PCR file (its value occurs there exactly once).
        const at = Buffer.from(v.pcrFile).indexOf(Buffer.from(value15))
        assert.ok(at > 0 && Buffer.from(v.pcrFile).indexOf(Buffer.from(value15), at + 1) === -1)
        const pcrFile = v.pcrFile.slice()
        pcrFile[at]! ^= 1
        const pb = clone(v.bundle)
        const changed = value15.slice()
        changed[0]! ^= 1
        pb.pcrs.sha256['15'] = Buffer.from(changed).toString('hex')
        variants.push({name: 'PCR 15 value', bundle: pb, pcrFile})
        for (const x of variants) {
          const f = (name: string, data: Uint8Array) => {
            const p = join(dir, `${alg}-${n}-${name}`)
            writeFileSync(p, data)
            return p
          }
          const ak = x.ak ?? v.ak
          const nn = x.nonce ?? nonce
          const tool = spawnSync('tpm2_checkquote', ['-u', f('ak.pem', ak), '-m', f('msg', b64(x.bundle.attest)), '-s', f('sig', b64(x.bundle.signature)), '-f', f('pcrs', x.pcrFile ?? v.pcrFile), '-g', 'sha256', '-q', Buffer.from(nn).toString('hex')], {encoding: 'utf8'})
          const ours = run(x.bundle, ak, nn).ok
          assert.equal(ours, tool.status === 0, `${alg} ${x.name}: ours ${ours}, tpm2_checkquote exit ${tool.status} ${tool.stderr.split('\n').filter(Boolean).at(-1)}`)
          assert.equal(ours, x.name === 'good', `${alg} ${x.name}`)
          n++
        }
      }
      assert.equal(n, 16)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0

describe('RSA-PSS quotes', () => {
  it('openssl verifies the recorded RSA-PSS quote signature (salt = 32 bytes) as we do, and rejects a flipped byte', (t) => {
    if (!hasOpenssl) return t.skip('openssl not installed')
    const v = load('rsapss')
    const s = parseSignature(b64(v.bundle.signature))
    assert.equal(s.sigAlg, ALG.RSAPSS)
    if (s.sigAlg !== ALG.RSAPSS) return
    const dir = mkdtempSync(join(tmpdir(), 'tcp-pss-'))
    try {
      writeFileSync(join(dir, 'msg'), b64(v.bundle.attest))
      writeFileSync(join(dir, 'ak.pem'), v.ak)
      const check = (sig: Uint8Array) => {
        writeFileSync(join(dir, 'sig'), sig)
        return spawnSync('openssl', ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-verify', join(dir, 'ak.pem'), '-signature', join(dir, 'sig'), join(dir, 'msg')]).status
      }
      assert.equal(check(s.sig), 0)
      assert.equal(run(v.bundle, v.ak, hex(v.bundle.nonce)).ok, true)
      const bad = s.sig.slice()
      bad[100]! ^= 1
      assert.notEqual(check(bad), 0)
      const b = clone(v.bundle)
      b.signature = tob64(encodeSignature({...s, sig: bad}))
      assert.deepEqual(failed(run(b, v.ak, hex(v.bundle.nonce))), ['signature'])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

// A quote forged with a software key that the verifier is told to trust: everything but the key is as a TPM would
// make it (TPM 2.0 Part 2, 10.12.12), so only the key's own properties decide.
function forgeRsaQuote(bits: number, exponent: number, opts: {keyBits?: number; hash?: 'sha1' | 'sha256' | 'sha384'; pss?: boolean; attrs?: number; schemeHash?: number} = {}) {
  const hash = opts.hash ?? 'sha256'
  const hashAlg = {sha1: ALG.SHA1, sha256: ALG.SHA256, sha384: ALG.SHA384}[hash]
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: bits, publicExponent: exponent})
  const bundle = clone(load('rsa').bundle)
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff])
  const b2 = (b: Uint8Array) => Buffer.concat([u16(b.length), Buffer.from(b)])
  const n = Buffer.from((publicKey.export({format: 'jwk'}) as {n: string}).n, 'base64url')
  const attrs = opts.attrs ?? (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 16) | (1 << 18)
  const tpmt = Buffer.concat([u16(ALG.RSA), u16(ALG.SHA256), u32(attrs), u16(0), u16(ALG.NULL), u16(ALG.RSASSA), u16(opts.schemeHash ?? ALG.SHA256), u16(opts.keyBits ?? n.length * 8), u32(exponent === 65537 ? 0 : exponent), b2(n)])
  const akPublic = b2(tpmt)
  const qn = qualifiedName(TPM_RH_ENDORSEMENT, [parsePublic(b64(bundle.ek.public)), parsePublic(akPublic)])
  const values = ['0', '1', '2', '3', '4', '5', '6', '7', '14', '15'].map((k) => hex(bundle.pcrs.sha256[k]))
  const digest = createHash(hash).update(Buffer.concat(values)).digest()
  const attest = Buffer.concat([u32(0xff544347), u16(0x8018), b2(qn), b2(hex(bundle.nonce)), Buffer.alloc(17 + 8), u32(1), u16(ALG.SHA256), Buffer.from([3, 0xff, 0xc0, 0x00]), b2(digest)])
  bundle.attest = tob64(attest)
  const sig = opts.pss ? sign(hash, attest, {key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32}) : sign(hash, attest, privateKey)
  bundle.signature = tob64(encodeSignature({sigAlg: opts.pss ? ALG.RSAPSS : ALG.RSASSA, hashAlg, sig}))
  bundle.ak = {public: tob64(akPublic)}
  return {bundle, ak: new TextEncoder().encode(publicKey.export({type: 'spki', format: 'pem'}) as string), akPublic: new Uint8Array(akPublic)}
}

describe('the trusted AK itself', () => {
  it('accepts a well-formed forged quote under a trusted RSA 2048 key (the forge helper is sound)', () => {
    const f = forgeRsaQuote(2048, 65537)
    assert.deepEqual(failed(run(f.bundle, f.ak, hex(f.bundle.nonce))), [])
  })

  it('refuses RSA AKs shorter than 2048 bits or with an exponent other than 65537', () => {
    for (const [bits, e] of [[1024, 65537], [512, 65537], [2048, 3]] as const) {
      const f = forgeRsaQuote(bits, e)
      const r = run(f.bundle, f.ak, hex(f.bundle.nonce))
      assert.deepEqual(failed(r), ['ak', 'signature'], `${bits} bits, e = ${e}`)
      assert.match(r.checks.find((c) => c.check === 'ak')!.detail!, bits < 2048 ? /at least 2048/ : /exponent 3/)
    }
  })

  it('refuses an AK public area whose keyBits do not match its modulus', () => {
    const f = forgeRsaQuote(2048, 65537, {keyBits: 4096})
    const r = run(f.bundle, f.ak, hex(f.bundle.nonce))
    assert.ok(failed(r).includes('ak'), String(failed(r)))
    assert.match(r.checks.find((c) => c.check === 'ak')!.detail!, /keyBits 4096/)
  })

  it('with a trusted TPM2B_PUBLIC, refuses a bundle that claims other attributes for the same key', () => {
    // The trusted public area is not restricted (it could sign anything); the bundle claims it is.
    const f = forgeRsaQuote(2048, 65537)
    const trusted = f.akPublic.slice()
    trusted[2 + 4 + 1]! &= ~0x01 // objectAttributes bit 16 (restricted)
    const r = run(f.bundle, trusted, hex(f.bundle.nonce))
    assert.equal(firstFailure(r), 'ak')
    assert.match(r.checks.find((c) => c.check === 'ak')!.detail!, /public area/)
    // The recorded TPM quote, same experiment.
    const v = load('ecc')
    const t = b64(v.bundle.ak.public)
    t[2 + 4 + 1]! &= ~0x01
    assert.equal(firstFailure(run(v.bundle, t, hex(v.bundle.nonce))), 'ak')
  })

  it('refuses ECDSA r or s longer than the curve, even by a leading zero byte', () => {
    const v = load('ecc')
    const s = parseSignature(b64(v.bundle.signature))
    if (s.sigAlg !== ALG.ECDSA) throw new Error('not ECDSA')
    for (const sig of [{...s, r: new Uint8Array([0, ...s.r])}, {...s, s: new Uint8Array([0, ...s.s])}]) {
      const b = clone(v.bundle)
      b.signature = tob64(encodeSignature(sig))
      assert.deepEqual(failed(run(b, v.ak, hex(v.bundle.nonce))), ['signature'])
    }
  })
})

describe('the scheme and the selection the verifier holds to', () => {
  it('refuses a signature valid under the AK but made with another hash or scheme than the AK\'s own', () => {
    // Only the scheme check can catch these: the signature and pcrDigest are otherwise consistent.
    for (const opts of [{hash: 'sha384'}, {pss: true}] as const) {
      const f = forgeRsaQuote(2048, 65537, opts)
      const r = run(f.bundle, f.ak, hex(f.bundle.nonce))
      assert.deepEqual(failed(r), ['signature'], JSON.stringify(opts))
      assert.match(r.checks.find((c) => c.check === 'signature')!.detail!, /differs from the AK's scheme/)
    }
  })

  it('holds the quote to the selection the verifier asked, not to the bundle\'s own claim', () => {
    const v = load('ecc')
    const nonce = hex(v.bundle.nonce)
    const check = (pcrs: string) => verifyQuoteBundle(v.bundle, {ak: v.ak, nonce, pcrs})
    assert.deepEqual(failed(check('sha256:0,1,2,3,4,5,6,7,14,15')), [])
    assert.deepEqual(failed(check('sha256:15,14,7,6,5,4,3,2,1,0')), [], 'order of the asked indices does not matter')
    for (const other of ['sha256:0,1,2,3,4,5,6,7,14', 'sha256:0,1,2,3,4,5,6,7,14,15,10', 'sha256:0,1,2,3,4,5,6,7,14,15+sha1:0', 'sha1:0,1,2,3,4,5,6,7,14,15']) {
      const r = check(other)
      assert.deepEqual(failed(r), ['pcr-selection'], other)
      assert.match(r.checks.find((c) => c.check === 'pcr-selection')!.detail!, /asked .* by the verifier/)
    }
    const claim = clone(v.bundle)
    claim.pcrSelection = 'sha256:0,15'
    assert.equal(firstFailure(verifyQuoteBundle(claim, {ak: v.ak, nonce, pcrs: 'sha256:0,1,2,3,4,5,6,7,14,15'})), 'pcr-selection')
    assert.throws(() => check('sha256:0,0'), (e: unknown) => e instanceof TcpError && e.exitCode === 2)
  })
})

describe('checks that only a forged quote reaches', () => {
  it('refuses an AK that is not fixedTPM, fixedParent, restricted and sign', () => {
    const all = (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 16) | (1 << 18)
    for (const [bit, name] of [[1 << 1, 'fixedTPM'], [1 << 4, 'fixedParent'], [1 << 16, 'restricted'], [1 << 18, 'sign']] as const) {
      const f = forgeRsaQuote(2048, 65537, {attrs: all & ~bit})
      const r = run(f.bundle, f.ak, hex(f.bundle.nonce))
      assert.deepEqual(failed(r), ['ak-attributes'], name)
      assert.match(r.checks.find((c) => c.check === 'ak-attributes')!.detail!, new RegExp(`lacks ${name}`))
    }
  })

  it('refuses SHA-1 even when the AK\'s own scheme is SHA-1 and the signature verifies', () => {
    const f = forgeRsaQuote(2048, 65537, {hash: 'sha1', schemeHash: ALG.SHA1})
    const r = run(f.bundle, f.ak, hex(f.bundle.nonce))
    assert.deepEqual(failed(r), ['pcr-digest', 'signature'])
    for (const c of ['pcr-digest', 'signature']) assert.match(r.checks.find((x) => x.check === c)!.detail!, /sha1 is not accepted/)
  })
})
