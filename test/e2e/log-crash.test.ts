// Crash safety of `tcp log append`: the built CLI is killed (SIGKILL) at random instants while it writes, at least
// 50 times. After every kill the log verifies up to its last complete (checkpointed) entry: nothing committed is
// lost, a torn or uncommitted tail is reported by name and never verifies, and --repair drops exactly that tail.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {statSync, writeFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, tcpProcess, tempDir} from '../helpers/cli.js'
import {verifyLogFile} from '../../src/core/log/verify.js'
import {trustFromFiles} from '../../src/core/envelope/trust.js'
import {Rng} from '../../src/core/rng.js'

const KILLS = 50
const SEED = 20261127

function obsFile(path: string, attempt: number, n: number): void {
  const base = Date.UTC(2020, 0, 1) + attempt * 86_400_000
  const lines: string[] = []
  for (let i = 0; i < n; i++) lines.push(`{"agent":"crash-agent","time":"${new Date(base + i * 1000).toISOString()}","x":${i % 97},"y":${attempt}}`)
  writeFileSync(path, lines.join('\n') + '\n')
}

/** Starts an append, waits until the log grows, then kills it after a random 0-30 ms. Resolves with how it ended. */
function appendAndKill(args: string[], log: string, rng: Rng): Promise<{killed: boolean}> {
  return new Promise((resolve) => {
    const size0 = existsSync(log) ? statSync(log).size : 0
    const child = spawn(process.execPath, [BIN, ...args], {stdio: 'ignore', env: {...process.env, TCP_NO_CONFIG: '1'}})
    let timer: NodeJS.Timeout | undefined
    const poll = setInterval(() => {
      if ((existsSync(log) ? statSync(log).size : 0) > size0 && !timer) {
        clearInterval(poll)
        timer = setTimeout(() => child.kill('SIGKILL'), rng.int(8))
      }
    }, 1)
    child.on('exit', (_code, signal) => {
      clearInterval(poll)
      if (timer) clearTimeout(timer)
      resolve({killed: signal === 'SIGKILL'})
    })
  })
}

describe('tcp log append under SIGKILL', () => {
  const t = tempDir()
  after(t.cleanup)

  it(`verifies up to its last complete entry after each of ${KILLS} kills (seed ${SEED})`, async () => {
    const key = join(t.dir, 'k')
    assert.equal(tcpProcess(['keys', 'generate', '--out', key, '--unencrypted']).code, 0)
    const trust = await trustFromFiles([`${key}.pub`])
    const log = join(t.dir, 'crash.log')
    const rng = new Rng(SEED)
    let kills = 0
    let torn = 0
    let uncommitted = 0
    let committed = -1
    for (let attempt = 0; kills < KILLS && attempt < KILLS * 4; attempt++) {
      const obs = join(t.dir, `obs-${attempt}.jsonl`)
      obsFile(obs, attempt, 1_500)
      const {killed} = await appendAndKill(['log', 'append', '--key', `${key}.key`, '--log', log, '--from', obs, '--agent', 'crash-agent', '--checkpoint-every', '5', '--repair'], log, rng)
      if (killed) kills++
      const r = verifyLogFile(log, {trust})
      const bad = r.checks.filter((c) => !c.ok).map((c) => c.check)
      // Whatever the instant, the committed prefix verifies and never shrinks.
      const head = r.log.head?.seq ?? -1
      assert.ok(head >= committed, `attempt ${attempt}: committed head went back from ${committed} to ${head}`)
      committed = head
      if (bad.length) {
        // Only a tail can be wrong: a torn line (format) and/or entries after the last checkpoint (committed).
        assert.ok(bad.every((c) => c === 'format' || c === 'committed'), `attempt ${attempt}: ${JSON.stringify(r.checks)}`)
        assert.ok(bad.includes('committed'))
        assert.ok(r.failures.every((f) => f.line === 0 || f.line > r.log.head!.checkpointLine), `attempt ${attempt}: a failure inside the committed part`)
        if (bad.includes('format')) torn++
        else uncommitted++
      } else assert.equal(r.log.uncommittedLines, 0)
    }
    assert.ok(kills >= KILLS, `only ${kills} kills landed`)
    // The next append repairs the tail and the log verifies whole again.
    obsFile(join(t.dir, 'last.jsonl'), 1000, 3)
    const last = tcpProcess(['log', 'append', '--key', `${key}.key`, '--log', log, '--from', join(t.dir, 'last.jsonl'), '--repair'])
    assert.equal(last.code, 0, last.stderr)
    const final = verifyLogFile(log, {trust})
    assert.equal(final.ok, true, JSON.stringify(final.checks))
    assert.ok(final.log.head!.seq > committed)
    // Reported, so that a run shows where the kills landed (timing decides, not the test).
    console.log(`# ${kills} kills: ${torn} left a torn line, ${uncommitted} an uncommitted tail, the rest a complete log; committed head seq ${final.log.head!.seq}`)
  })
})
