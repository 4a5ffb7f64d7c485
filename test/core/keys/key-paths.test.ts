// `--out` of keys generate/import is a path without extension. Review 2: `--out ''` wrote hidden files .key and
// .pub in the working directory, `--out keys/` wrote keys/.key: a name was missing and nothing said so.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {keyPaths} from '../../../src/core/keys/files.js'
import {readFileBytes, writeFileAtomic} from '../../../src/core/io.js'

describe('keyPaths', () => {
  it('alice, keys/alice, alice.key give the pair', () => {
    assert.deepEqual(keyPaths('alice'), {key: 'alice.key', pub: 'alice.pub'})
    assert.deepEqual(keyPaths('keys/alice.pub'), {key: 'keys/alice.key', pub: 'keys/alice.pub'})
  })

  it('a path without a name is a usage error naming it', () => {
    for (const bad of ['', 'keys/', '.key', 'keys/.pub', '.', 'keys/..'])
      assert.throws(() => keyPaths(bad), (e: any) => e.code === 'usage' && /^--out: expected a path ending in a name such as keys\/alice, got ".*"$/.test(e.message), JSON.stringify(bad))
  })
})

describe('empty paths', () => {
  it('reading or writing "" is a usage error, not "not found: " with nothing after it', async () => {
    await assert.rejects(readFileBytes('', {what: 'envelope'}), (e: any) => e.code === 'usage' && e.message === 'envelope: an empty path')
    await assert.rejects(writeFileAtomic('', 'x', {what: 'envelope'}), (e: any) => e.code === 'usage' && e.message === 'envelope: an empty path')
  })
})
