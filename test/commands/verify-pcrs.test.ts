// tcp verify --pcrs: the verifier states the PCR selection it asked for; a quote over another selection is rejected
// even though it matches the selection the attester wrote into its own bundle.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, ROOT} from '../helpers/cli.js'

const V = join(ROOT, 'test', 'vectors', 'attest')

describe('tcp verify --pcrs (recorded swtpm quote)', () => {
  const bundle = join(V, 'ecc.bundle.json')
  const nonce = JSON.parse(readFileSync(bundle, 'utf8')).nonce as string
  const base = ['verify', bundle, '--ak', join(V, 'ecc.ak.pem'), '--nonce', nonce]

  it('accepts the selection that was quoted', async () => {
    assert.equal((await tcp([...base, '--pcrs', 'sha256:0,1,2,3,4,5,6,7,14,15'])).code, 0)
  })

  it('rejects a quote over a selection other than the one asked (exit 1, pcr-selection named)', async () => {
    const r = await tcp([...base, '--pcrs', 'sha256:0,1,2,3,4,5,6,7,14'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /pcr-selection: quoted sha256:0,1,2,3,4,5,6,7,14,15, asked sha256:0,1,2,3,4,5,6,7,14/)
  })

  it('a malformed selection is a usage error (exit 2)', async () => {
    const r = await tcp([...base, '--pcrs', 'sha256:99'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^tcp: error: .*pcrs/)
  })
})
