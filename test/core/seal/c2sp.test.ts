// The C2SP age test vectors (test/vectors/age-c2sp, from github.com/C2SP/CCTV): tcp unseal must succeed exactly
// on the "success" vectors, with the payload's SHA-256, and fail on every other one with the right class of error.
// Skipped, by design: armored files (tcp reads binary age only) and hybrid ML-KEM identities (AGE-SECRET-KEY-PQ).
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {inflateSync} from 'node:zlib'
import {TcpError} from '../../../src/core/errors.js'
import {utf8} from '../../../src/core/bytes.js'
import {unsealBytes, type UnsealWith} from '../../../src/core/seal/index.js'
import {parseIdentity} from '../../../src/core/seal/recipients.js'
import {ROOT} from '../../helpers/cli.js'

const DIR = join(ROOT, 'test', 'vectors', 'age-c2sp')

function parse(bytes: Buffer) {
  const sep = bytes.indexOf('\n\n')
  const meta: Record<string, string[]> = {}
  for (const line of bytes.subarray(0, sep).toString('utf8').split('\n')) {
    const i = line.indexOf(': ')
    ;(meta[line.slice(0, i)] ??= []).push(line.slice(i + 2))
  }
  let body = bytes.subarray(sep + 2)
  if (meta.compressed?.[0] === 'zlib') body = inflateSync(body)
  return {meta, body: new Uint8Array(body)}
}

describe('C2SP age test vectors', () => {
  const names = readdirSync(DIR).filter((n) => n !== 'README.md').sort()
  it(`${names.length} vectors: each succeeds or fails as the vector expects`, async () => {
    const wrong: string[] = []
    let ran = 0
    for (const name of names) {
      const {meta, body} = parse(readFileSync(join(DIR, name)))
      const expect = meta.expect![0]!
      const ids = meta.identity ?? []
      if (meta.armored?.[0] === 'yes' || expect === 'armor failure' || ids.some((i) => !i.startsWith('AGE-SECRET-KEY-1'))) continue
      ran++
      const withKey: UnsealWith = meta.passphrase ? {passphrase: utf8(meta.passphrase[0]!)} : {identities: ids.map((i) => parseIdentity(i).secretKey)}
      let got: string
      try {
        const pt = await unsealBytes(body, withKey)
        got = createHash('sha256').update(pt).digest('hex') === meta.payload?.[0] ? 'success' : 'success with a wrong payload'
      } catch (e) {
        if (!(e instanceof TcpError)) got = `crash: ${String(e)}`
        else if (e.exitCode === 2) got = 'header failure'
        else if (/no recipient stanza|no scrypt stanza|wrong passphrase/.test(e.message)) got = 'no match'
        else if (/header MAC/.test(e.message)) got = 'HMAC failure'
        else got = 'payload failure'
        if (got !== expect) got += ` (${e instanceof Error ? e.message : ''})`
      }
      if (got !== expect) wrong.push(`${name}: expected ${expect}, got ${got}`)
    }
    assert.ok(ran > 80, `only ${ran} vectors ran`)
    assert.deepEqual(wrong, [])
  })
})
