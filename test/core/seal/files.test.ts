// Sealing file to file: streaming in bounded reads, atomic publication, nothing released on failure, no overwrite
// without force, one-line errors naming the path.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {chacha20poly1305, x25519} from '../../../src/core/crypto/index.js'
import {TcpError} from '../../../src/core/errors.js'
import {utf8} from '../../../src/core/bytes.js'
import {Rng} from '../../../src/core/rng.js'
import {sealBytes, sealFile, unsealFile} from '../../../src/core/seal/index.js'
import {MAX_HEADER, readHeader} from '../../../src/core/seal/format.js'
import {encryptPayload, decryptPayload, IO_BLOCK, memorySink, memorySource, type ByteSource} from '../../../src/core/seal/stream.js'
import {tempDir} from '../../helpers/cli.js'

const rng = new Rng(7)
const secret = rng.bytes(32)
const pub = x25519.getPublicKey(secret)
const t = tempDir('tcp-seal-')
after(t.cleanup)
const p = (name: string) => join(t.dir, name)
const tmpFiles = () => readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))

async function code(run: Promise<unknown>): Promise<string> {
  try {
    await run
  } catch (e) {
    assert.ok(e instanceof TcpError, String(e))
    return `${e.code}: ${e.message}`
  }
  return 'ok'
}

describe('seal files', () => {
  it('round trip of a multi-megabyte file; sealed 0644, unsealed plaintext 0600', async () => {
    const data = rng.bytes(3 * IO_BLOCK + 12345)
    writeFileSync(p('big'), data)
    const s = await sealFile(p('big'), p('big.sealed'), {recipients: [pub]})
    assert.equal(s.plaintextBytes, data.length)
    assert.equal(s.chunks, Math.ceil(data.length / 65536))
    assert.equal(statSync(p('big.sealed')).size, s.sealedBytes)
    const u = await unsealFile(p('big.sealed'), p('big.out'), {identity: secret})
    assert.deepEqual(new Uint8Array(readFileSync(p('big.out'))), data)
    assert.equal(u.chunks, s.chunks)
    assert.equal(statSync(p('big.sealed')).mode & 0o777, 0o644)
    assert.equal(statSync(p('big.out')).mode & 0o777, 0o600)
    assert.deepEqual(tmpFiles(), [])
  })

  it('streams: never asks its source for more than one I/O block plus a byte', async () => {
    for (const [chunkSize, dec] of [[65536, false], [1000, false], [65536, true], [1 << 21, true]] as const) {
      let max = 0
      let calls = 0
      const counting = (inner: ByteSource): ByteSource => ({
        read(buf, off, len) {
          max = Math.max(max, len)
          calls++
          return inner.read(buf, off, len)
        },
      })
      const key = rng.bytes(32)
      const pt = rng.bytes(5 * IO_BLOCK + 3)
      const sink = memorySink()
      await encryptPayload({src: counting(memorySource(pt)), sink, key, chunkSize, aead: chacha20poly1305})
      if (dec) {
        max = 0
        calls = 0
        const ct = Buffer.concat(sink.parts)
        const out = memorySink()
        await decryptPayload({src: counting(memorySource(ct)), sink: out, key, chunkSize, aead: chacha20poly1305})
        assert.deepEqual(new Uint8Array(Buffer.concat(out.parts)), pt)
      }
      const unit = chunkSize + (dec ? 16 : 0)
      assert.ok(max <= Math.max(IO_BLOCK, unit) + 1, `chunk ${chunkSize}: read of ${max} bytes`)
      assert.ok(calls > (chunkSize > IO_BLOCK ? 2 : 4), `chunk ${chunkSize}: only ${calls} reads`)
    }
  })

  it('opens a file delivered in reads of any size (a pipe): the MAC line may be split across reads', async () => {
    const file = await sealBytes(utf8('split'), {recipients: [pub]})
    for (const step of [1, 7, 100, 150, 4095]) {
      let pos = 0
      const src: ByteSource = {
        async read(b, o, l) {
          const n = Math.min(l, step, file.length - pos)
          b.set(file.subarray(pos, pos + n), o)
          pos += n
          return n
        },
      }
      const sink = memorySink()
      await unsealFile(src, sink, {identity: secret})
      assert.equal(Buffer.concat(sink.parts).toString(), 'split', `reads of ${step} bytes`)
    }
  })

  it('the header bound holds whatever the read sizes, and a byte-at-a-time source costs linear work', async () => {
    const dribble = (bytes: Uint8Array, step: number): ByteSource => {
      let pos = 0
      return {
        async read(b, o, l) {
          const n = Math.min(l, step, bytes.length - pos)
          b.set(bytes.subarray(pos, pos + n), o)
          pos += n
          return n
        },
      }
    }
    const header = (size: number) => {
      let h = 'age-encryption.org/v1\n'
      while (h.length < size - 200) h += `-> grease ${'a'.repeat(100)}\n\n`
      return utf8(h + `--- ${'A'.repeat(43)}\n`)
    }
    const over = header(MAX_HEADER + 3000)
    assert.ok(over.length > MAX_HEADER)
    for (const step of [4096, 1 << 20]) assert.match(await code(readHeader(dribble(over, step))), /^input: age header: longer than/, `reads of ${step}`)
    // 96 KiB a byte at a time: quadratic re-scanning would copy gigabytes here.
    const h = await readHeader(dribble(header(96 * 1024), 1))
    assert.ok(h.stanzas.length > 800)
  })

  it('a failing read or write in the pipeline surfaces as that error, after in-flight I/O settled', async () => {
    const pt = rng.bytes(4 * IO_BLOCK)
    const key = rng.bytes(32)
    let reads = 0
    const inner = memorySource(pt)
    const failingSource: ByteSource = {
      read: async (buf, off, len) => {
        if (++reads === 3) throw new TcpError('io', 'input file x: EIO')
        return inner.read(buf, off, len)
      },
    }
    const sink = memorySink()
    assert.match(await code(encryptPayload({src: failingSource, sink, key, chunkSize: 65536})), /^io: input file x: EIO$/)
    // The write fails later, on a timer, while the pipeline is waiting for the next read: still reported, and not
    // an unhandled rejection.
    let writes = 0
    const slowSource: ByteSource = {read: (buf, off, len) => new Promise((ok) => setTimeout(() => ok(inner2.read(buf, off, len)), 20))}
    const inner2 = memorySource(pt)
    const failingSink = {
      write: () => new Promise<void>((ok, fail) => (++writes === 2 ? setTimeout(() => fail(new Error('disk full')), 5) : ok())),
    }
    await assert.rejects(encryptPayload({src: slowSource, sink: failingSink, key, chunkSize: 65536}), /disk full/)
  })

  it('a tampered file releases nothing: no output, no temporary file, exit class 1', async () => {
    writeFileSync(p('msg'), rng.bytes(200_000))
    await sealFile(p('msg'), p('msg.sealed'), {recipients: [pub]})
    const sealed = readFileSync(p('msg.sealed'))
    for (const at of [sealed.length - 1, sealed.length - 70_000, 200]) {
      const bad = Buffer.from(sealed)
      bad[at]! ^= 0x20
      writeFileSync(p('bad.sealed'), bad)
      assert.match(await code(unsealFile(p('bad.sealed'), p('bad.out'), {identity: secret})), /^rejected: /)
      assert.throws(() => statSync(p('bad.out')), /ENOENT/)
      assert.deepEqual(tmpFiles(), [])
    }
    writeFileSync(p('cut.sealed'), sealed.subarray(0, sealed.length - (200_000 - 3 * 65536) - 16)) // drop the final chunk
    assert.match(await code(unsealFile(p('cut.sealed'), p('cut.out'), {identity: secret})), /^rejected: truncated/)
    assert.throws(() => statSync(p('cut.out')), /ENOENT/)
  })

  it('never overwrites without force; with force replaces atomically, even in place', async () => {
    writeFileSync(p('a'), 'plain text\n')
    writeFileSync(p('taken'), 'keep me')
    assert.match(await code(sealFile(p('a'), p('taken'), {recipients: [pub]})), /^exists: sealed file already exists: .*taken \(use --force/)
    assert.equal(readFileSync(p('taken'), 'utf8'), 'keep me')
    await sealFile(p('a'), p('a.sealed'), {recipients: [pub]})
    assert.match(await code(unsealFile(p('a.sealed'), p('taken'), {identity: secret})), /^exists: /)
    assert.equal(readFileSync(p('taken'), 'utf8'), 'keep me')
    await unsealFile(p('a.sealed'), p('taken'), {identity: secret}, {force: true})
    assert.equal(readFileSync(p('taken'), 'utf8'), 'plain text\n')
    await sealFile(p('a'), p('a'), {passphrase: utf8('pw')}, {force: true, scrypt: {N: 1024, r: 8, p: 1}})
    await unsealFile(p('a'), p('a'), {passphrase: utf8('pw')}, {force: true})
    assert.equal(readFileSync(p('a'), 'utf8'), 'plain text\n')
    assert.deepEqual(tmpFiles(), [])
  })

  it('missing input, a directory as input, an unwritable output folder: one-line errors naming the path (exit 2)', async () => {
    assert.match(await code(sealFile(p('nope'), p('x'), {recipients: [pub]})), /^not_found: input file not found: .*nope$/)
    mkdirSync(p('dir'))
    assert.match(await code(sealFile(p('dir'), p('x'), {recipients: [pub]})), /^io: .*dir/)
    writeFileSync(p('plain'), 'x')
    assert.match(await code(unsealFile(p('plain'), p('x'), {identity: secret})), /^input: not an age file/)
    assert.match(await code(sealFile(p('plain'), join(p('plain'), 'sub', 'x'), {recipients: [pub]})), /^io: /)
    assert.throws(() => statSync(p('x')), /ENOENT/)
  })
})
