import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {createEnvelope} from '../../../src/core/envelope/dsse.js'
import {verifyEnvelopeBatch} from '../../../src/core/envelope/verify.js'
import {createBaseline, baselineBytes} from '../../../src/core/baseline/baseline.js'
import {parseObservations} from '../../../src/core/baseline/observations.js'
import {BASELINE_PAYLOAD_TYPE} from '../../../src/core/baseline/types.js'
import {utf8} from '../../../src/core/bytes.js'
import {keyPair, trustOf} from '../../helpers/keys.js'

const OBS = parseObservations(
  Array.from({length: 20}, (_, i) => JSON.stringify({agent: 'a', time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), x: (i * 7) % 11})).join('\n'),
)
const alice = keyPair()
const mallory = keyPair()
const base = createBaseline(OBS, {subject: 'fleet/0'})
const line = (i: number, signer = alice) => JSON.stringify(createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes({...base, subject: `fleet/${i}`}), signer))

/** 700 lines (three chunks of 256): good envelopes with a tampered one, a foreign signer, junk and blank lines. */
function batch(): {text: string; bad: Map<number, RegExp>; malformed: number; total: number} {
  const lines: string[] = []
  const bad = new Map<number, RegExp>()
  for (let i = 1; i <= 700; i++) {
    if (i === 3 || i === 300) {
      const env = JSON.parse(line(i))
      const payload = Buffer.from(env.payload, 'base64').toString().replace('fleet/', 'fleeT/')
      env.payload = Buffer.from(payload).toString('base64')
      lines.push(JSON.stringify(env))
      bad.set(i, /signatures: .*invalid/)
    } else if (i === 257) {
      lines.push(line(i, mallory))
      bad.set(i, /signatures: .*(not trusted|names no trusted key)/)
    } else if (i === 512) {
      lines.push('{"payloadType": oops')
      bad.set(i, /not valid JSON/)
    } else if (i === 600) {
      // A payload that is a baseline but not its canonical form: the fast path must not accept it.
      const body = utf8(JSON.stringify({...JSON.parse(Buffer.from(baselineBytes(base)).toString()), subject: 'fleet/600'}, null, 1))
      lines.push(JSON.stringify(createEnvelope(BASELINE_PAYLOAD_TYPE, body, alice)))
      bad.set(i, /baseline: the payload is not the canonical/)
    } else if (i === 650) {
      // A duplicate member in the signed payload: rejected, and the reason names the duplicate.
      const canon = Buffer.from(baselineBytes({...base, subject: 'fleet/650'})).toString()
      const body = utf8(canon.replace('"subject":', '"subject":"fleet/x","subject":'))
      lines.push(JSON.stringify(createEnvelope(BASELINE_PAYLOAD_TYPE, body, alice)))
      bad.set(i, /duplicate member name "subject"/)
    } else if (i % 97 === 0) lines.push('   ')
    else lines.push(line(i))
  }
  const blank = lines.filter((l) => l.trim() === '').length
  return {text: lines.join('\n') + '\n', bad, malformed: 1, total: 700 - blank}
}

describe('verifyEnvelopeBatch on worker threads', () => {
  const b = batch()
  for (const threads of [1, 2, 3]) {
    it(`${threads} thread(s): every line checked, the bad ones named with their line numbers`, async () => {
      const r = await verifyEnvelopeBatch(b.text, {trust: trustOf([alice])}, 'b.jsonl', )
      const t = await verifyEnvelopeBatch(b.text, {trust: trustOf([alice]), threads}, 'b.jsonl')
      assert.deepEqual(t, r, 'the verdict does not depend on the number of threads')
      assert.equal(t.total, b.total)
      assert.equal(t.malformed, b.malformed)
      assert.equal(t.verified, b.total - b.bad.size)
      assert.deepEqual(t.rejected.map((x) => x.index), [...b.bad.keys()].sort((x, y) => x - y))
      for (const x of t.rejected) {
        assert.match(x.reason, new RegExp(`^b\\.jsonl:${x.index}: `))
        assert.match(x.reason, b.bad.get(x.index)!)
      }
    })
  }
  it('a wrong trust store rejects every line on every thread', async () => {
    const r = await verifyEnvelopeBatch(b.text, {trust: trustOf([mallory]), threads: 2})
    assert.equal(r.verified, 1, 'only the line mallory signed')
    assert.equal(r.rejected.length, b.total - 1)
  })
  it('refuses a thread count that is not a positive integer', async () => {
    await assert.rejects(verifyEnvelopeBatch(b.text, {trust: trustOf([alice]), threads: 0}), /threads: expected a positive integer/)
  })
  it('no secret key crosses to a worker: a trust store holding one verifies the same', async () => {
    const trust = trustOf([alice]) // keys spread from a KeyPair: they carry secretKey
    assert.ok('secretKey' in trust.keys[0]!)
    const r = await verifyEnvelopeBatch(line(1) + '\n' + line(2), {trust, threads: 2})
    assert.equal(r.verified, 2)
    assert.ok('secretKey' in trust.keys[0]!, "the caller's store is not changed")
  })
})
