// Issue 9 item 18: the verification keys of replaced setups stay pinned for tcp verify until dropped.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {dropEarlier, earlierKeys, keepEarlier} from '../../../src/core/zk/pins.js'
import {cachedVerificationKeySha3, verificationKeySha3} from '../../../src/core/zk/setup.js'
import {circuitDir, circuitHash} from '../../../src/core/zk/artifacts.js'

const cache = mkdtempSync(join(tmpdir(), 'tcp-pins-'))
after(() => rmSync(cache, {recursive: true, force: true}))

describe('item 18: earlier verification keys', () => {
  it('a replaced setup\'s key is still among the pinned keys; dropping unpins it', async () => {
    const dir = circuitDir(cache, 8, await circuitHash(8))
    mkdirSync(dir, {recursive: true})
    const install = (vk: object) => {
      writeFileSync(join(dir, 'verification_key.json'), JSON.stringify(vk))
      writeFileSync(join(dir, 'setup.json'), JSON.stringify({verificationKeySha3: verificationKeySha3(vk), created: '2026-01-01T00:00:00.000Z'}))
      return verificationKeySha3(vk)
    }
    const first = install({protocol: 'groth16', n: 1})
    assert.deepEqual(await cachedVerificationKeySha3(cache, 8), [first])
    await keepEarlier(dir, {sha3: first, created: '2026-01-01T00:00:00.000Z'}) // what setupCircuit does before replacing
    const second = install({protocol: 'groth16', n: 2})
    assert.deepEqual(await cachedVerificationKeySha3(cache, 8), [second, first])
    await keepEarlier(dir, {sha3: first, created: '2026-01-01T00:00:00.000Z'}) // idempotent
    assert.equal((await earlierKeys(dir)).length, 1)
    assert.deepEqual((await dropEarlier(dir)).map((k) => k.sha3), [first])
    assert.deepEqual(await cachedVerificationKeySha3(cache, 8), [second])
  })
  it('a malformed list is an input error, not an empty list', async () => {
    const dir = join(cache, 'bad')
    mkdirSync(dir)
    writeFileSync(join(dir, 'earlier-vkeys.json'), JSON.stringify({schema: 'tcp.zk.earlier-vkeys/v1', keys: [{sha3: 'zz', created: 'x', replaced: 'y'}]}))
    await assert.rejects(earlierKeys(dir), /keys\[0\]\.sha3: expected 64 hex digits/)
  })
})
