// Issue 9 item 8: a key pair is replaced as a pair. Processes writing pairs are killed at random instants and run
// concurrently; after each, the folder holds the old pair or the new pair (rolled forward by the next reader),
// never a private key beside another key's public key.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {generateKeyPair, writeKeyPair, readPrivateKeyFile, publicKeyPemOf, decodePublicKeyPem, parsePrivateKeyFile} from '../../../src/core/keys/index.js'
import {pendingPath} from '../../../src/core/keys/pair.js'
import {Rng} from '../../../src/core/rng.js'
import {toBase64} from '../../../src/core/bytes.js'
import {ROOT} from '../../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'tcp-keypair-test-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const noPass = async () => new Uint8Array()

/** A child that replaces the pair at `base` with --force semantics, `count` times (0: forever), printing each key id. */
function writer(base: string, count: number) {
  const script = `
    const {generateKeyPair, writeKeyPair} = await import(${JSON.stringify(join(ROOT, 'dist/core/keys/index.js'))})
    console.log('ready')
    for (let i = 0; ${count} === 0 || i < ${count}; i++) {
      const r = await writeKeyPair(${JSON.stringify(base)}, generateKeyPair('ed25519'), {force: true})
      console.log(r.keyId)
    }`
  const c = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']})
  const ids: string[] = []
  let stderr = ''
  c.stderr.on('data', (d) => (stderr += d))
  const ready = new Promise<void>((resolve) => createInterface({input: c.stdout}).on('line', (l) => (l === 'ready' ? resolve() : ids.push(l))))
  return {c, ids, ready, stderr: () => stderr}
}

/** The public key (base64) a .key file holds, or null if it is absent. */
function pubOfKeyFile(p: string): string | null {
  if (!existsSync(p)) return null
  return parsePrivateKeyFile(readFileSync(p, 'utf8')).publicKey
}
function pubOfPem(p: string): string | null {
  if (!existsSync(p)) return null
  return toBase64(decodePublicKeyPem(readFileSync(p, 'utf8')).publicKey)
}

describe('item 8: key pairs', () => {
  it('a pending record someone else planted (a link, another owner, writable by others) is refused, the pair untouched', async () => {
    const {encodePrivateKeyFile, symlinkSync, chmodSync, chownSync} = {...(await import('../../../src/core/keys/index.js')), ...(await import('node:fs'))}
    const base = join(dir, 'planted')
    const mine = await writeKeyPair(base, generateKeyPair(), {})
    const pubBefore = readFileSync(mine.pub, 'utf8')
    const evil = join(dir, 'evil.key')
    writeFileSync(evil, encodePrivateKeyFile(generateKeyPair()))
    const cases: Array<[string, () => void]> = [
      ['link', () => symlinkSync(evil, pendingPath(mine.key))],
      ['writable', () => (writeFileSync(pendingPath(mine.key), readFileSync(evil)), chmodSync(pendingPath(mine.key), 0o666))],
    ]
    if (process.getuid?.() === 0) cases.push(['owner', () => (writeFileSync(pendingPath(mine.key), readFileSync(evil), {mode: 0o600}), chownSync(pendingPath(mine.key), 65534, 65534))])
    for (const [what, plant] of cases) {
      plant()
      await assert.rejects(readPrivateKeyFile(mine.key, noPass), /pending key file .* was not used/, what)
      assert.equal(readFileSync(mine.pub, 'utf8'), pubBefore, `${what}: the .pub is unchanged`)
      assert.equal(pubOfKeyFile(mine.key), toBase64(decodePublicKeyPem(pubBefore).publicKey), `${what}: the .key is unchanged`)
      rmSync(pendingPath(mine.key))
    }
  })

  it('an interrupted replacement (pending record, new .pub, old .key) is completed by the next reader', async () => {
    const base = join(dir, 'manual')
    const old = await writeKeyPair(base, generateKeyPair(), {})
    const next = generateKeyPair()
    // The state between steps 2 and 3: the pending record and the new .pub are there, .key is still the old one.
    const {encodePrivateKeyFile, encodePublicKeyPem} = await import('../../../src/core/keys/index.js')
    writeFileSync(pendingPath(old.key), encodePrivateKeyFile(next))
    writeFileSync(old.pub, encodePublicKeyPem('ed25519', next.publicKey))
    const k = await readPrivateKeyFile(old.key, noPass)
    assert.deepEqual(k.publicKey, next.publicKey)
    assert.equal(pubOfPem(old.pub), toBase64(next.publicKey))
    assert.ok(!existsSync(pendingPath(old.key)))
    assert.equal(await publicKeyPemOf(old.key), readFileSync(old.pub, 'utf8'))
  })

  it('without --force an existing pair is refused and left as it was', async () => {
    const base = join(dir, 'noforce')
    await writeKeyPair(base, generateKeyPair(), {})
    const before = readFileSync(`${base}.key`, 'utf8')
    await assert.rejects(writeKeyPair(base, generateKeyPair(), {}), /already exists/)
    rmSync(`${base}.key`)
    await assert.rejects(writeKeyPair(base, generateKeyPair(), {}), /already exists: .*noforce\.pub/)
    assert.ok(!existsSync(`${base}.key`), 'nothing was written')
    assert.ok(before.length > 0)
  })

  it(`killed at random instants (${Number(process.env.TCP_KILLS ?? 50)} kills), the pair is always old or new`, async () => {
    const kills = Number(process.env.TCP_KILLS ?? 50)
    const base = join(dir, 'killed')
    await writeKeyPair(base, generateKeyPair(), {})
    const rng = new Rng(2026)
    let pendingSeen = 0
    let mixedBeforeRecovery = 0
    for (let k = 0; k < kills; k++) {
      const w = writer(base, 0)
      await w.ready
      await new Promise((r) => setTimeout(r, rng.int(40)))
      w.c.kill('SIGKILL')
      await once(w.c, 'exit')
      const pending = existsSync(pendingPath(`${base}.key`))
      const key = pubOfKeyFile(`${base}.key`)!
      const pub = pubOfPem(`${base}.pub`)!
      if (pending) {
        pendingSeen++
        // Only the step-2 state may disagree, and then .pub is the pending (new) key's public key.
        if (key !== pub) {
          mixedBeforeRecovery++
          assert.equal(pub, pubOfKeyFile(pendingPath(`${base}.key`)), `kill ${k}: .pub matches neither .key nor the pending key`)
        }
      } else assert.equal(key, pub, `kill ${k}: .key and .pub disagree with no pending record`)
      // The next reader rolls forward: then .key and .pub agree, and the key is the old one or a new one.
      const pem = await publicKeyPemOf(`${base}.key`)
      const after = pubOfKeyFile(`${base}.key`)!
      assert.equal(pubOfPem(`${base}.pub`), after)
      assert.equal(toBase64(decodePublicKeyPem(pem).publicKey), after)
      assert.ok(!existsSync(pendingPath(`${base}.key`)))
    }
    // The lock a killed writer left is broken by the next one, and the next process's first write in the folder
    // removes the temporaries killed writers left (a new process: each process sweeps a folder once).
    const last = writer(base, 1)
    await once(last.c, 'exit')
    assert.equal(last.c.exitCode, 0, last.stderr())
    // A temporary whose pid now belongs to another running process is kept on purpose (it could be a live
    // writer's): on a busy machine a killed writer's pid is sometimes reused before the next write.
    const pidAlive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM'
      }
    }
    const left = readdirSync(dir)
      .filter((n) => n.startsWith('.killed'))
      .filter((n) => {
        const m = /^\.(.+)\.(\d{1,10})\.[0-9a-f]{12}\.tmp$/.exec(n)
        return !(m && pidAlive(Number(m[2])))
      })
    assert.deepEqual(left, [], `left behind: ${left.join(', ')}`)
    process.stdout.write(`# ${kills} kills: pending record seen ${pendingSeen} times, .pub ahead of .key ${mixedBeforeRecovery} times (completed by the next reader)\n`)
  })

  it('concurrent --force writers end with one consistent pair that one of them wrote', async () => {
    const base = join(dir, 'concurrent')
    mkdirSync(dir, {recursive: true})
    const ws = Array.from({length: 6}, () => writer(base, 4))
    await Promise.all(ws.map((w) => once(w.c, 'exit')))
    for (const w of ws) assert.equal(w.c.exitCode, 0, w.stderr())
    const key = pubOfKeyFile(`${base}.key`)
    assert.equal(pubOfPem(`${base}.pub`), key)
    assert.ok(!existsSync(pendingPath(`${base}.key`)))
    const {keyIdOf} = await import('../../../src/core/keys/index.js')
    const written = ws.flatMap((w) => w.ids)
    assert.equal(written.length, 24)
    assert.ok(written.includes(keyIdOf(Buffer.from(key!, 'base64'))))
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.concurrent')), [])
  })
})
