// Issue 9 items 12 and 13: bounded error messages, "disk full", a read-only folder is not "not found", and tcp
// removes the temporaries a killed writer left behind.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {once} from 'node:events'
import {removeStaleTemporaries, writeFileAtomic, tempName} from '../../../src/core/io.js'
import {TcpError, capMessage, fromSystemError, MESSAGE_MAX} from '../../../src/core/errors.js'
import {parseObservations} from '../../../src/core/baseline/index.js'
import {ROOT} from '../../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'tcp-io-test-'))
const mounts: string[] = []
after(() => {
  for (const m of mounts) spawnSync('umount', [m])
  rmSync(dir, {recursive: true, force: true})
})

/** Mounts a small tmpfs (root only); null when this machine does not allow it. */
function tmpfs(name: string, options: string): string | null {
  const p = join(dir, name)
  mkdirSync(p)
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', p], {stdio: 'ignore'})
  if (r.status !== 0) return null
  mounts.push(p)
  return p
}

describe('item 12: error messages', () => {
  it('a 5 MB bad value gives a short one-line message that still names the line and the feature', () => {
    const huge = 'v'.repeat(5_000_000)
    const text = `{"time":"2026-01-01T00:00:00Z","x":1}\n{"time":"2026-01-01T00:01:00Z","x":"${huge}"}\n`
    assert.throws(() => parseObservations(text, 'obs.jsonl'), (e: TcpError) => e.message.length < 400 && /^obs\.jsonl:2: feature "x"/.test(e.message) && /5000000 characters/.test(e.message))
  })
  it('every TcpError is capped in one place, keeping its head and tail', () => {
    const e = new TcpError('input', `field: got ${'x'.repeat(3_000_000)} in /some/path`)
    assert.ok(e.message.length <= MESSAGE_MAX + 40, `${e.message.length}`)
    assert.match(e.message, /^field: got x+\.\.\.\[\d+ characters cut\]\.\.\.x+ in \/some\/path$/)
    assert.equal(capMessage('short'), 'short')
  })
  it('ENOSPC is "disk full" (a real error from /dev/full)', () => {
    let err: unknown
    try {
      writeFileSync('/dev/full', 'x')
    } catch (e) {
      err = e
    }
    if (!err) return // no /dev/full here
    const e = fromSystemError(err, 'envelope', 'out.json')
    assert.equal(e.code, 'io')
    assert.match(e.message, /disk full/)
  })
  it('writing past the end of a full file system says "disk full" and leaves no temporary', async (t) => {
    const m = tmpfs('small', 'size=64k')
    if (!m) return t.skip('cannot mount a tmpfs here (not root)')
    await assert.rejects(writeFileAtomic(join(m, 'big.bin'), new Uint8Array(1_000_000)), (e: TcpError) => e.code === 'io' && /disk full/.test(e.message))
    assert.deepEqual(readdirSync(m), [])
  })
  it('a folder that cannot be created on a read-only file system is not "not found"', async (t) => {
    const m = tmpfs('ro', 'ro,size=64k')
    if (!m) return t.skip('cannot mount a tmpfs here (not root)')
    await assert.rejects(writeFileAtomic(join(m, 'a', 'b', 'out.json'), 'x'), (e: TcpError) => e.code === 'io' && /cannot create folder .*read-only file system/.test(e.message))
  })
  it('a folder under a regular file says so', async () => {
    writeFileSync(join(dir, 'plain'), 'x')
    await assert.rejects(writeFileAtomic(join(dir, 'plain', 'sub', 'out.json'), 'x'), (e: TcpError) => e.code === 'io' && /plain is not a folder/.test(e.message))
  })
})

async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'])
  await once(c, 'exit')
  return c.pid!
}

describe('item 13: stale temporaries', () => {
  it('the next write in a folder removes temporaries of dead tcp processes, and only those', async () => {
    const d = join(dir, 'stale')
    mkdirSync(d)
    const dead = await deadPid()
    const names = {
      dead: `.report.txt.${dead}.0123456789ab.tmp`,
      live: `.report.txt.1.0123456789ab.tmp`, // pid 1 is always running
      own: tempName('x.json'), // this process: maybe being written
      old: '.report.txt.0123456789ab.tmp', // the older form without a pid: cannot tell, kept
      other: `.notes.${dead}.zz.tmp`, // not tcp's pattern
    }
    for (const n of Object.values(names)) writeFileSync(join(d, n), 'partial')
    mkdirSync(join(d, `.dir.${dead}.0123456789ab.tmp`)) // not a regular file: kept
    await writeFileAtomic(join(d, 'out.json'), '{}')
    const left = readdirSync(d)
    assert.ok(!left.includes(names.dead), 'the dead writer\'s temporary is removed')
    for (const n of [names.live, names.own, names.old, names.other, `.dir.${dead}.0123456789ab.tmp`, 'out.json']) assert.ok(left.includes(n), n)
    assert.deepEqual(await removeStaleTemporaries(d), [])
  })
  it('a writer killed mid-write leaves a temporary that the next tcp write there removes', async () => {
    const d = join(dir, 'killed')
    mkdirSync(d)
    const script = `
      const {createOutput} = await import(${JSON.stringify(join(ROOT, 'dist/core/io.js'))})
      const out = await createOutput(${JSON.stringify(join(d, 'sealed.bin'))}, {mode: 0o600, what: 'sealed file'})
      const chunk = new Uint8Array(1 << 20)
      for (;;) { await out.sink.write([chunk]); await new Promise((r) => setTimeout(r, 5)) }`
    const c = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: 'ignore'})
    for (let i = 0; i < 400 && !readdirSync(d).some((n) => n.endsWith('.tmp')); i++) await new Promise((r) => setTimeout(r, 25))
    await new Promise((r) => setTimeout(r, 100))
    c.kill('SIGKILL')
    await once(c, 'exit')
    const tmp = readdirSync(d).filter((n) => n.endsWith('.tmp'))
    assert.equal(tmp.length, 1, 'the killed writer left its temporary')
    assert.ok(!existsSync(join(d, 'sealed.bin')), 'and never a partial output')
    await writeFileAtomic(join(d, 'sealed.bin'), 'again')
    assert.deepEqual(readdirSync(d), ['sealed.bin'])
  })
})
