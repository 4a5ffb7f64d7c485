// Property tests over every parser of the foundation: arbitrary input never crashes. It is either accepted or a
// TcpError with an input-class code (exit 2), never a TypeError or RangeError from deep inside.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {TcpError} from '../../../src/core/errors.js'
import {parseObservations} from '../../../src/core/baseline/observations.js'
import {parseBaseline} from '../../../src/core/baseline/baseline.js'
import {parseEnvelope} from '../../../src/core/envelope/dsse.js'
import {parseStatement} from '../../../src/core/envelope/statement.js'
import {parseTrustPolicy} from '../../../src/core/envelope/trust.js'
import {verifyEnvelopeReport} from '../../../src/core/envelope/verify.js'
import {decodePublicKeyPem, decodePkcs8Pem} from '../../../src/core/keys/pem.js'
import {parsePrivateKeyFile} from '../../../src/core/keys/keys.js'
import {fromBase64, fromHex} from '../../../src/core/bytes.js'
import {parseK} from '../../../src/core/baseline/bounds.js'
import {parseSeed} from '../../../src/core/rng.js'
import {keyPair, trustOf} from '../../helpers/keys.js'

function neverCrashes(name: string, f: (x: any) => unknown, arb: fc.Arbitrary<unknown>, runs = 500, mayReject = false) {
  it(`${name}: arbitrary input is accepted or a clear TcpError`, () => {
    fc.assert(
      fc.property(arb, (x) => {
        try {
          f(x)
        } catch (e) {
          if (!(e instanceof TcpError)) throw new Error(`${name} threw ${(e as Error)?.name}: ${(e as Error)?.message}`)
          assert.notEqual(e.code, 'internal')
          assert.ok(!e.message.includes('\n'), 'error messages are one line')
          assert.ok(e.exitCode === 2 || (mayReject && e.exitCode === 1), `${name}: exit ${e.exitCode} for a parse error`)
        }
      }),
      {numRuns: runs},
    )
  })
}

const jsonish = fc.jsonValue({maxDepth: 4})
const text = fc.oneof(fc.string({maxLength: 300}), fc.string({unit: 'binary', maxLength: 300}))
const lines = fc.array(fc.oneof(text, jsonish.map((v) => JSON.stringify(v))), {maxLength: 10}).map((a) => a.join('\n'))
const objWith = (keys: string[]) =>
  fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(jsonish, fc.string(), fc.constant(null))])), {requiredKeys: []})

describe('parsers never crash', () => {
  const trust = trustOf([keyPair()])
  neverCrashes('parseObservations', (x) => parseObservations(x), fc.oneof(text, lines, fc.constant('time,x\n'), lines.map((l) => `time,x,agent\n${l}`)))
  neverCrashes('parseBaseline', (x) => parseBaseline(x), fc.oneof(jsonish, objWith(['schema', 'subject', 'agent', 'version', 'previous', 'created', 'notAfter', 'window', 'features']).map((o) => ({...o, schema: 'tcp.baseline/v1'}))))
  neverCrashes('parseEnvelope', (x) => parseEnvelope(x), fc.oneof(jsonish, objWith(['payloadType', 'payload', 'signatures'])))
  neverCrashes('verifyEnvelopeReport', (x) => verifyEnvelopeReport(x, {trust}), fc.oneof(jsonish, objWith(['payloadType', 'payload', 'signatures']), fc.record({payloadType: fc.string(), payload: fc.base64String(), signatures: fc.array(fc.record({keyid: fc.string(), sig: fc.base64String()}), {minLength: 1})})), 500, true)
  neverCrashes('parseStatement', (x) => parseStatement(x), fc.oneof(jsonish, objWith(['_type', 'subject', 'predicateType', 'predicate'])))
  neverCrashes('parseTrustPolicy', (x) => parseTrustPolicy(x, 'trust'), fc.oneof(jsonish, objWith(['keys', 'revoked'])))
  neverCrashes('decodePublicKeyPem', (x) => decodePublicKeyPem(x), fc.oneof(text, fc.base64String().map((b) => `-----BEGIN PUBLIC KEY-----\n${b}\n-----END PUBLIC KEY-----\n`)))
  neverCrashes('decodePkcs8Pem', (x) => decodePkcs8Pem(x), fc.oneof(text, fc.base64String().map((b) => `-----BEGIN PRIVATE KEY-----\n${b}\n-----END PRIVATE KEY-----\n`)), 200)
  neverCrashes('parsePrivateKeyFile', (x) => parsePrivateKeyFile(x), fc.oneof(text, jsonish.map((v) => JSON.stringify(v)), objWith(['format', 'type', 'keyId', 'publicKey', 'created', 'encryption', 'secretKey']).map((o) => JSON.stringify({...o, format: 'tcp-private-key/v1', type: 'ed25519'}))))
  neverCrashes('fromHex', (x) => fromHex(x), text)
  neverCrashes('fromBase64', (x) => fromBase64(x), text)
  neverCrashes('parseK', (x) => parseK(x), text)
  neverCrashes('parseSeed', (x) => parseSeed(x), text)
})
