// Every Wycheproof case for Ed25519, ChaCha20-Poly1305 and XChaCha20-Poly1305 through tcp's own wrappers, on
// both the native (node:crypto) path and the noble reference path. "acceptable" cases: none exist in these files;
// if one appears, the test fails so that its handling gets documented.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {ed25519} from '../../../src/core/crypto/ed25519.js'
import {ed25519Noble, chacha20poly1305Noble, xchacha20poly1305Noble} from '../../../src/core/crypto/reference.js'
import {chacha20poly1305, xchacha20poly1305, type Aead} from '../../../src/core/crypto/aead.js'
import {hex, wycheproof} from '../../helpers/vectors.js'

describe('Wycheproof Ed25519', () => {
  const file = wycheproof('ed25519_test.json')
  for (const [name, impl] of [['native', ed25519], ['noble', ed25519Noble]] as const) {
    it(`${name}: every case gives its expected verdict`, () => {
      let n = 0
      for (const g of file.testGroups) {
        const pk = hex((g.publicKey as {pk: string}).pk)
        for (const t of g.tests) {
          assert.notEqual(t.result, 'acceptable', `tcId ${t.tcId} is "acceptable": document its handling`)
          const ok = impl.verify(hex(t.sig as string), hex(t.msg as string), pk)
          assert.equal(ok, t.result === 'valid', `tcId ${t.tcId} (${t.comment}) expected ${t.result}`)
          n++
        }
      }
      assert.equal(n, file.numberOfTests)
    })
  }
})

type AeadCtor = (k: Uint8Array, n: Uint8Array, aad?: Uint8Array) => Aead

function aeadCases(fileName: string, impls: [string, AeadCtor][]) {
  const file = wycheproof(fileName)
  for (const [name, ctor] of impls) {
    it(`${name}: every case gives its expected verdict`, () => {
      let n = 0
      for (const g of file.testGroups) {
        for (const t of g.tests) {
          n++
          assert.notEqual(t.result, 'acceptable')
          const key = hex(t.key as string)
          const iv = hex(t.iv as string)
          const aad = hex(t.aad as string)
          const msg = hex(t.msg as string)
          const sealed = Buffer.concat([hex(t.ct as string), hex(t.tag as string)])
          let cipher: Aead
          try {
            cipher = ctor(key, iv, aad)
          } catch {
            assert.equal(t.result, 'invalid', `tcId ${t.tcId}: constructor refused a valid case`)
            continue
          }
          let opened: Uint8Array | undefined
          try {
            opened = cipher.decrypt(new Uint8Array(sealed))
          } catch {
            opened = undefined
          }
          if (t.result === 'valid') {
            assert.ok(opened, `tcId ${t.tcId} (${t.comment}): valid case rejected`)
            assert.deepEqual(Buffer.from(opened), Buffer.from(msg))
            assert.deepEqual(Buffer.from(ctor(key, iv, aad).encrypt(msg)), sealed, `tcId ${t.tcId}: encrypt differs`)
          } else {
            assert.equal(opened, undefined, `tcId ${t.tcId} (${t.comment}): invalid case accepted`)
          }
        }
      }
      assert.equal(n, file.numberOfTests)
    })
  }
}

describe('Wycheproof ChaCha20-Poly1305', () => {
  aeadCases('chacha20_poly1305_test.json', [
    ['native', chacha20poly1305],
    ['noble', chacha20poly1305Noble],
  ])
})

describe('Wycheproof XChaCha20-Poly1305', () => {
  aeadCases('xchacha20_poly1305_test.json', [
    ['native', xchacha20poly1305],
    ['noble', xchacha20poly1305Noble],
  ])
})
