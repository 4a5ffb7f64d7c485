// TPM structure decoding against tpm2-tools' own outputs (test/vectors/attest) and the PCR selection syntax.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {TcpError} from '../../../src/core/errors.js'
import {parsePcrSpec, formatPcrSpec, decodeBundle} from '../../../src/core/attest/bundle.js'
import {ALG, TPM_RH_ENDORSEMENT, objectName, parseAttest, parsePublic, publicKeyOf, qualifiedName, spki} from '../../../src/core/attest/structures.js'
import {createPublicKey} from 'node:crypto'

const VEC = join(import.meta.dirname, '..', '..', 'vectors', 'attest')
const isInput = (e: unknown) => e instanceof TcpError && e.exitCode === 2

for (const alg of ['ecc', 'rsa', 'rsapss']) {
  describe(`TPM structures of the recorded ${alg} quote`, () => {
    const doc = JSON.parse(readFileSync(join(VEC, `${alg}.bundle.json`), 'utf8'))
    const b = decodeBundle(doc)
    const ak = parsePublic(b.akPublic)
    const ek = parsePublic(b.ekPublic)

    it('computes the AK Name exactly as tpm2_readpublic -n wrote it', () => {
      assert.deepEqual(objectName(ak), new Uint8Array(readFileSync(join(VEC, `${alg}.ak.name`))))
    })

    it('decodes the AK as the key tpm2_readpublic -f pem wrote', () => {
      const pem = createPublicKey(readFileSync(join(VEC, `${alg}.ak.pem`)))
      assert.deepEqual(spki(publicKeyOf(ak)), spki(pem))
      assert.equal(ak.type, alg === 'ecc' ? ALG.ECC : ALG.RSA)
      assert.equal(ak.scheme, alg === 'ecc' ? ALG.ECDSA : alg === 'rsa' ? ALG.RSASSA : ALG.RSAPSS)
      assert.equal(ek.type, ALG.RSA)
    })

    it('decodes TPMS_ATTEST: quote of the selection, nonce, and the AK qualified name as signer', () => {
      const a = parseAttest(b.attest)
      assert.equal(a.magic, 0xff544347)
      assert.equal(a.type, 0x8018)
      assert.equal(Buffer.from(a.extraData).toString('hex'), doc.nonce)
      assert.deepEqual(a.quote!.pcrSelect, [{hash: ALG.SHA256, pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 14, 15]}])
      assert.deepEqual(a.qualifiedSigner, qualifiedName(TPM_RH_ENDORSEMENT, [ek, ak]))
    })

    it('rejects every truncation and a trailing byte of TPM2B_PUBLIC as an input error', () => {
      for (let n = 0; n < b.akPublic.length; n++) assert.throws(() => parsePublic(b.akPublic.subarray(0, n)), isInput, `length ${n}`)
      assert.throws(() => parsePublic(new Uint8Array([...b.akPublic, 0])), isInput)
    })
  })
}

describe('PCR selection syntax (tpm2-tools)', () => {
  it('parses, sorts and formats banks and indices', () => {
    assert.deepEqual(parsePcrSpec('sha256:16,0,7'), [{bank: 'sha256', pcrs: [0, 7, 16]}])
    assert.equal(formatPcrSpec(parsePcrSpec('sha256:3,1+sha1:0')), 'sha256:1,3+sha1:0')
  })
  it('rejects unknown banks, out-of-range or repeated indices, and junk as usage errors', () => {
    for (const bad of ['', 'sha256', 'md5:1', 'sha256:24', 'sha256:1,1', 'sha256:1+sha256:2', 'sha256:a', 'sha256:1;rm -rf /'])
      assert.throws(() => parsePcrSpec(bad), (e: unknown) => e instanceof TcpError && e.code === 'usage', JSON.stringify(bad))
  })
})

describe('the verifier stays apart from the TPM backend', () => {
  it('verify/quote.ts and everything it imports reach neither the backend nor child_process', () => {
    const src = join(import.meta.dirname, '..', '..', '..', 'src', 'core')
    const seen = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const text = readFileSync(file, 'utf8')
      assert.doesNotMatch(text, /from 'node:child_process'|require\('child_process'\)|from 'child_process'/, file)
      for (const m of text.matchAll(/from '(\.[^']+)\.js'/g)) {
        const next = join(file, '..', `${m[1]}.ts`)
        assert.doesNotMatch(next, /attest\/backend\//, `${file} imports ${next}`)
        visit(next)
      }
    }
    visit(join(src, 'attest', 'verify', 'quote.ts'))
    assert.ok(seen.size >= 5)
  })
})
