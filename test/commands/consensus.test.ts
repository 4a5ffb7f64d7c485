import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tcpProcess, tempDir} from '../helpers/cli.js'

describe('tcp consensus simulate', () => {
  const t = tempDir()
  after(t.cleanup)

  it('exit 0 when the fleet agrees; --json has the seed, outcome, latency, messages and signatures', async () => {
    const r = await tcp(['consensus', 'simulate', '--agents', '40', '--byzantine', '0.2', '--strategy', 'equivocate', '--seed', '7', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const j = r.json()
    assert.equal(j.seed, 7)
    assert.equal(j.outcome.decided, true)
    assert.equal(j.outcome.safetyViolation, false)
    assert.equal(j.signatures.mode, 'ed25519')
    assert.ok(j.signatures.made > 0 && j.messages.sent > 0 && j.messages.bytes > 0)
    assert.ok(j.latencyMs.p50 > 0 && j.latencyMs.p99 >= j.latencyMs.p50)
  })

  it('exit 3 on a safety violation (q = 0.51, strongest, f = 0.2), and the text says so', async () => {
    const r = await tcp(['consensus', 'simulate', '--agents', '60', '--byzantine', '0.2', '--threshold', '0.51', '--strategy', 'strongest', '--seed', '1', '--crypto', 'model'])
    assert.equal(r.code, 3)
    assert.match(r.stdout, /^seed 1 /)
    assert.match(r.stdout, /SAFETY VIOLATION/)
  })

  it('the text says when signatures and their CPU cost are modelled, and from which recorded timings', async () => {
    const m = await tcp(['consensus', 'simulate', '--agents', '40', '--byzantine', '0', '--seed', '3', '--crypto', 'model'])
    assert.equal(m.code, 0, m.stderr)
    assert.match(m.stdout, /^signatures \(model\): .*\n {2}modelled: 32-bit SipHash-2-4 tags under each agent's 128-bit key stand for signatures \(a keyed PRF/m)
    assert.match(m.stdout, /^estimated BLS12-381 CPU \(modelled, not run; from the per-operation timings recorded by node bench\/consensus-crypto\.mjs\): /m)
    const e = await tcp(['consensus', 'simulate', '--agents', '40', '--byzantine', '0', '--seed', '3', '--crypto', 'ed25519'])
    assert.match(e.stdout, /^ {2}real Ed25519 signatures on every vote/m)
    assert.doesNotMatch(e.stdout, /modelled|estimated/)
  })

  it('exit 3 on a stall (withholding at f = 0.3, q = 0.75)', async () => {
    const r = await tcp(['consensus', 'simulate', '--agents', '40', '--byzantine', '0.3', '--strategy', 'withhold', '--rounds', '6', '--seed', '2', '--json'])
    assert.equal(r.code, 3)
    assert.equal(r.json().outcome.stalled, true)
  })

  it('a timeout below the length of a view: decides with the default backoff, stalls with --backoff 1 (exit 3)', async () => {
    const argv = ['consensus', 'simulate', '-n', '40', '-f', '0.2', '-q', '0.75', '-s', 'withhold', '--seed', '1', '--rounds', '30', '--crypto', 'model', '--latency', 'uniform:0:400', '--max-delay-ms', '400', '--json']
    const ok = await tcp(argv)
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.json().config.backoff, 2)
    const fixed = await tcp([...argv, '--backoff', '1'])
    assert.equal(fixed.code, 3)
    assert.equal(fixed.json().outcome.stalled, true)
    const bad = await tcp([...argv, '--backoff', '9'])
    assert.equal(bad.code, 2)
    assert.match(bad.json().error.message, /--backoff/)
  })

  it('--trace: same seed, same bytes; refuses to overwrite without --force', async () => {
    const a = join(t.dir, 'a.jsonl')
    const b = join(t.dir, 'b.jsonl')
    for (const p of [a, b]) {
      const r = await tcp(['consensus', 'simulate', '--agents', '20', '--seed', '5', '--loss', '0.05', '--partition', '0:1500', '--trace', p])
      assert.equal(r.code, 0, r.stderr)
    }
    assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'))
    assert.ok(readFileSync(a, 'utf8').split('\n').length > 100)
    const again = await tcp(['consensus', 'simulate', '--agents', '20', '--seed', '6', '--trace', a])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /already exists/)
  })

  it('bad input is a one-line usage error, exit 2', async () => {
    for (const argv of [
      ['--threshold', 'abc'],
      ['--byzantine', '1.2'],
      ['--latency', 'gamma:2'],
      ['--partition', '9:1'],
      ['--agents', '2'],
      ['--seed', '-1'],
      ['--strategy', 'nope'],
    ]) {
      const r = await tcp(['consensus', 'simulate', ...argv, '--json'])
      assert.equal(r.code, 2, argv.join(' '))
      assert.equal(r.json().error.code, 'usage', argv.join(' '))
    }
    const r = await tcp(['consensus', 'simulate', '--threshold', 'abc'])
    assert.equal(r.stderr.trim().split('\n').length, 1)
    assert.match(r.stderr, /--threshold/)
  })

  it('as a whole process: prints the seed it chose, exit code on the process', () => {
    const r = tcpProcess(['consensus', 'simulate', '--agents', '20', '--byzantine', '0.3', '--strategy', 'withhold', '--rounds', '4'])
    assert.equal(r.code, 3)
    assert.match(r.stdout, /^seed \d+ \(--seed \d+ reproduces this run\)/)
  })
})

describe('tcp consensus sweep', () => {
  const t = tempDir()
  after(t.cleanup)

  it('writes the table and the SVG, judges the claim, exit 0', async () => {
    const svg = join(t.dir, 'sweep.svg')
    const r = await tcp(['consensus', 'sweep', '--agents', '40', '--threshold', '0.51,0.75', '--byzantine', '0:0.5:0.25', '--runs', '1', '--seed', '4', '--svg', svg])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /claim "a 75% quorum stops a 32% attacker": safety holds .* liveness does not hold/)
    assert.match(r.stdout, /each verdict rests on 2 runs per cell \(1 per strategy: strongest, withhold\)/)
    assert.ok(existsSync(svg))
    assert.match(readFileSync(svg, 'utf8'), /<svg[\s\S]*the claim:[\s\S]*<\/svg>\n$/)
    const j = await tcp(['consensus', 'sweep', '--agents', '40', '--threshold', '0.75', '--byzantine', '0.2', '--runs', '1', '--seed', '4', '--json'])
    assert.equal(j.code, 0)
    assert.equal(j.json().cells.length, 1)
    assert.equal(j.json().claim.live, false)
    const bad = await tcp(['consensus', 'sweep', '--byzantine', '0:2:0.1', '--json'])
    assert.equal(bad.code, 2)
  })
})
