// The proof bundle's informational fields (bounds) are checked when present: a bundle's description of itself must
// be well-formed. (That they equal the recomputed bounds is tested with a real proof in test/commands/zk.test.ts.)
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {verifyProofBundle} from '../../../src/core/zk/verify.js'
import {ZK_BUNDLE_TYPE} from '../../../src/core/verify/detect.js'
import {CIRCUIT_ID} from '../../../src/core/zk/statement.js'

const base = () => ({
  type: ZK_BUNDLE_TYPE,
  circuit: {id: CIRCUIT_ID, size: 8, hash: 'ab'.repeat(32)},
  baseline: {digest: '00'.repeat(32)},
  feature: 'latency_ms',
  featureIndex: 0,
  k: '3',
  varianceFactor: 4,
  n: 8,
  commitment: '1',
  nonce: null,
  bounds: {sumLower: '1', sumUpper: '2', vmax: '3', valueLimit: '4'},
  publicSignals: ['1', '0', '0', '8', '1', '2', '3', '4', '0'],
  verificationKey: {},
  verificationKeySha3: '00'.repeat(32),
  proof: {protocol: 'groth16', curve: 'bn128', pi_a: ['1', '2', '1'], pi_b: [['1', '0'], ['1', '0'], ['1', '0']], pi_c: ['1', '2', '1']},
})

async function bundleCheck(doc: unknown): Promise<string> {
  const r = await verifyProofBundle(doc, {
    baseline: {} as never,
    digest: new Uint8Array(32),
    baselineCheck: {check: 'baseline-signature', ok: true},
    pinnedVerificationKeys: async () => [],
  })
  const c = r.checks.find((x) => x.check === 'bundle')!
  assert.equal(r.ok, false)
  return c.ok ? 'ok' : c.detail!
}

describe('zk bundle: malformed informational fields (bounds, created) are rejected', () => {
  for (const [name, change, re] of [
    ['an exponent', (b: any) => (b.bounds.sumUpper = '1.0e+'), /bounds\.sumUpper: expected a canonical decimal string, got "1\.0e\+"/],
    ['a number', (b: any) => (b.bounds.vmax = 3), /bounds\.vmax: expected a canonical decimal string/],
    ['a leading zero', (b: any) => (b.bounds.sumLower = '01'), /bounds\.sumLower/],
    ['a negative', (b: any) => (b.bounds.valueLimit = '-4'), /bounds\.valueLimit/],
    ['a missing field', (b: any) => delete b.bounds.vmax, /bounds\.vmax/],
    ['an unknown field', (b: any) => (b.bounds.sum = '1'), /bounds: unknown field "sum"/],
    ['not an object', (b: any) => (b.bounds = '1'), /bounds: expected an object/],
    ['a created that is not a time', (b: any) => (b.created = '2026-02-31T00:00:00Z'), /created: not a calendar date/],
  ] as const) {
    it(name, async () => {
      const b = base()
      change(b)
      assert.match(await bundleCheck(b), re)
    })
  }

  it('well-formed bounds (or none) pass the shape check on to the proof', async () => {
    const b: any = base()
    assert.doesNotMatch(await bundleCheck(b), /bounds/)
    delete b.bounds
    assert.doesNotMatch(await bundleCheck(b), /bounds/)
  })
})
