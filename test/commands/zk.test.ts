// tcp zk setup, tcp prove, tcp verify (proof bundles) and tcp zk export-verifier, in process against the built
// dist/, with one Groth16 setup at N = 8 (local ceremony at power 10) in a temporary cache for the whole file.
// Soundness at the bundle level: every tampered bundle is rejected with exit 1 and names the check that failed.
// Interop: the bundle's proof, public signals and verification key verify with the snarkjs CLI.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tcpProcess, tempDir, ROOT} from '../helpers/cli.js'
import {BN254_R, nonceToField} from '../../src/core/zk/statement.js'
import {verificationKeySha3} from '../../src/core/zk/setup.js'
import {BN254_Q} from '../../src/core/zk/verify.js'
import {snarkjs, releaseCurve} from '../../src/core/zk/snark.js'
import {forgeProof} from '../helpers/forge.js'
import {assertWritten, snapshot} from '../helpers/written.js'

const SAMPLE = join(ROOT, 'examples', 'telemetry.jsonl')
const SNARKJS = join(ROOT, 'node_modules', 'snarkjs', 'build', 'cli.cjs')

describe('tcp zk setup, prove, verify (N = 8)', () => {
  const t = tempDir('tcp-zk-')
  const p = (n: string) => join(t.dir, n)
  const env = {TCP_CACHE_DIR: p('cache'), TCP_PASSPHRASE: 'zk test'}
  const run = (argv: string[]) => tcp(argv, env)
  let setup: any
  let bundle: any
  const trust = ['--pub', p('alice.pub')]

  /** Writes a changed copy of the bundle and verifies it: must be exit 1 with the named check failing. */
  async function rejectsWith(name: string, change: (b: any) => void, check: string, extra: string[] = []) {
    const b = structuredClone(bundle)
    change(b)
    writeFileSync(p(`${name}.json`), JSON.stringify(b))
    const r = await run(['verify', p(`${name}.json`), '--baseline', p('b1.dsse.json'), ...trust, ...extra, '--json'])
    assert.equal(r.code, 1, `${name}: expected exit 1, got ${r.code}: ${r.stdout}${r.stderr}`)
    const {error: err, report} = r.json()
    assert.equal(err.code, 'rejected', name)
    const failed = report.checks.filter((c: any) => !c.ok).map((c: any) => c.check)
    assert.equal(failed[0], check, `${name}: first failed check ${failed[0]} (${JSON.stringify(report.checks.find((c: any) => !c.ok))})`)
    if (check === 'groth16') {
      // tcp's pairing check (noble bn254) refused it: snarkjs must refuse it too.
      const s = await snarkjs()
      const theirs = await s.groth16.verify(b.verificationKey, b.publicSignals, b.proof).catch(() => false)
      await releaseCurve()
      assert.equal(theirs, false, `${name}: snarkjs accepts what tcp refused`)
    }
  }

  before(async () => {
    for (const n of ['alice', 'bob']) assert.equal((await run(['keys', 'generate', '--out', p(n)])).code, 0)
    assert.equal((await run(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/zk', '--out', p('b1.json')])).code, 0)
    assert.equal((await run(['sign', p('b1.json'), '--key', p('alice.key'), '--out', p('b1.dsse.json')])).code, 0)
    assert.equal((await run(['baseline', 'create', '--from', SAMPLE, '--subject', 'fleet/other', '--out', p('b2.json')])).code, 0)
    assert.equal((await run(['sign', p('b2.json'), '--key', p('alice.key'), '--out', p('b2.dsse.json')])).code, 0)
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').filter((l) => l.includes('"agent-03"'))
    writeFileSync(p('w.jsonl'), lines.slice(0, 8).join('\n') + '\n')
    // The same window with latency 40% higher: far outside the baseline's mean bound.
    const shifted = lines.slice(0, 8).map((l) => {
      const o = JSON.parse(l)
      o.latency_ms = Math.round(o.latency_ms * 14) / 10
      return JSON.stringify(o)
    })
    writeFileSync(p('slow.jsonl'), shifted.join('\n') + '\n')
    writeFileSync(p('long.jsonl'), lines.slice(0, 9).join('\n') + '\n')
    const before = snapshot(t.dir)
    const r = await run(['zk', 'setup', '--size', '8', '--entropy', 'test entropy', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    setup = r.json()
    assertWritten(t.dir, before, setup.written) // the compiled circuit, the local ceremony, the zkey, key and record
  })
  after(t.cleanup)

  it('zk setup: records the ceremony and phase 2 contribution hashes and the key hash; a second run reuses the cache', async () => {
    assert.equal(setup.reused, false)
    assert.equal(setup.constraints, 931)
    assert.equal(setup.power, 10)
    assert.equal(setup.ptau.source, 'local')
    assert.equal(setup.ptau.contributions.length, 1)
    assert.equal(setup.phase2.length, 1)
    for (const c of [...setup.ptau.contributions, ...setup.phase2]) assert.match(c.hash, /^[0-9a-f]{128}$/)
    assert.deepEqual(Object.keys(setup.written).sort(), ['circuit', 'ptau', 'ptauRecord', 'setupRecord', 'verificationKey', 'zkey'])
    assert.equal(verificationKeySha3(JSON.parse(readFileSync(setup.written.verificationKey, 'utf8'))), setup.verificationKeySha3)
    const again = await run(['zk', 'setup', '--size', '8', '--json'])
    assert.equal(again.code, 0)
    assert.equal(again.json().reused, true)
    assert.equal(again.json().written, undefined, 'a reused setup writes nothing')
    const compiled = await run(['zk', 'compile', '--size', '8', '--json'])
    assert.equal(compiled.code, 0, compiled.stdout + compiled.stderr)
    assert.deepEqual([compiled.json().circuits[0].dir, compiled.json().circuits[0].reused, compiled.json().written], [setup.dir, true, undefined])
    assert.equal(again.json().verificationKeySha3, setup.verificationKeySha3)
    const bad = await run(['zk', 'setup', '--size', '9'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /size: expected one of 8, 64, 256/)
    assert.equal((await run(['zk', 'setup', '--size', '8', '--beacon', 'zz', '--fresh'])).code, 2)
    // Entropy or a beacon given to a cached setup would be silently dropped: refused instead (no --fresh).
    for (const extra of [['--beacon', 'ab'.repeat(32)], ['--entropy', 'more']]) {
      const cached = await run(['zk', 'setup', '--size', '8', ...extra, '--json'])
      assert.equal(cached.code, 2, cached.stdout)
      assert.match(cached.json().error.message, /is cached and would be reused without your --(beacon|entropy): add --fresh/)
    }
  })

  it('prove: a window within the baseline gets a bundle; tcp verify accepts it with every check passing', async () => {
    const before = snapshot(t.dir)
    const r = await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('w.jsonl'), '--feature', 'latency_ms', '--out', p('proof.json'), '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.json().proved, true)
    assert.deepEqual(r.json().written, {bundle: p('proof.json')})
    assertWritten(t.dir, before, r.json().written)
    assert.equal(r.json().trust, `--pub ${p('alice.pub')}`) // prove names where its trusted keys came from
    bundle = JSON.parse(readFileSync(p('proof.json'), 'utf8'))
    assert.equal(bundle.type, 'tcp.zk.proof-bundle/v1')
    assert.deepEqual([bundle.circuit.size, bundle.n, bundle.k, bundle.feature], [8, 8, '3', 'latency_ms'])
    assert.equal(bundle.publicSignals.length, 9)
    assert.equal(bundle.nonce, null)
    assert.equal(bundle.publicSignals[0], bundle.commitment)
    assert.equal(bundle.verificationKeySha3, setup.verificationKeySha3)
    assert.ok(!JSON.stringify(bundle).includes('"x"'), 'the window itself is not in the bundle')
    const v = await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--json'])
    assert.equal(v.code, 0, v.stdout + v.stderr)
    const rep = v.json().report
    assert.equal(rep.ok, true)
    assert.equal(rep.trust, `--pub ${p('alice.pub')}`)
    const sj = await snarkjs()
    assert.equal(await sj.groth16.verify(bundle.verificationKey, bundle.publicSignals, bundle.proof), true, 'snarkjs agrees with tcp (noble)')
    await releaseCurve()
    assert.deepEqual(rep.checks.map((c: any) => c.check), ['baseline-signature', 'bundle', 'circuit', 'baseline-digest', 'feature', 'policy', 'nonce', 'min-n', 'field-range', 'public-signals', 'verification-key', 'groth16'])
    // What was not established is said: no --log (the window could be chosen), no --nonce (replayable).
    assert.equal(rep.caveats.length, 2)
    // Pinned explicitly: by hash, or by the key file.
    const pinned = await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--vkey-sha3', setup.verificationKeySha3])
    assert.equal(pinned.code, 0)
    assert.match(pinned.stdout, /not checked: that the window is a checkpointed window of a signed log/)
    assert.equal((await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--vkey', setup.written.verificationKey])).code, 0)
  })

  it('nonce, min-n and the opening: a stale nonce and a short window are refused; the opening recomputes the commitment', async () => {
    const prove = (win: string, out: string, ...more: string[]) =>
      run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p(win), '--feature', 'latency_ms', '--out', p(out), ...more, '--json'])
    const before = snapshot(t.dir)
    const pr = await prove('w.jsonl', 'fresh.json', '--nonce', 'challenge-1', '--opening', p('fresh.opening.json'))
    assert.equal(pr.code, 0, pr.stdout + pr.stderr)
    assert.deepEqual(pr.json().written, {bundle: p('fresh.json'), opening: p('fresh.opening.json')})
    assertWritten(t.dir, before, pr.json().written)
    const fresh = JSON.parse(readFileSync(p('fresh.json'), 'utf8'))
    assert.equal(fresh.nonce, 'challenge-1')
    const ver = (file: string, ...more: string[]) => run(['verify', p(file), '--baseline', p('b1.dsse.json'), ...trust, ...more, '--json'])
    assert.equal((await ver('fresh.json', '--nonce', 'challenge-1')).code, 0)
    assert.equal((await ver('fresh.json')).code, 0, 'no nonce required: accepted, reported as not fresh')
    assert.match((await ver('fresh.json')).json().report.checks.find((c: any) => c.check === 'nonce').detail, /may be replayed/)
    const stale = await ver('fresh.json', '--nonce', 'challenge-2')
    assert.equal(stale.code, 1)
    assert.match(stale.json().error.message, /^rejected: nonce: the bundle carries nonce "challenge-1", this verifier requires "challenge-2"/)
    assert.equal((await ver('proof.json', '--nonce', 'challenge-2')).json().report.checks.find((c: any) => !c.ok).check, 'nonce')
    assert.equal((await ver('fresh.json', '--nonce', '')).code, 2, 'an empty nonce is a usage error')
    assert.equal((await ver('fresh.json', '--nonce', 'x'.repeat(257))).code, 2)
    // Relabelling the nonce: the signals no longer match; rewriting the signal too: the pairing fails.
    const relabel = structuredClone(fresh)
    relabel.nonce = 'challenge-2'
    writeFileSync(p('relabel.json'), JSON.stringify(relabel))
    assert.equal((await ver('relabel.json', '--nonce', 'challenge-2')).json().report.checks.find((c: any) => !c.ok).check, 'public-signals')
    relabel.publicSignals[8] = String(nonceToField('challenge-2'))
    writeFileSync(p('relabel.json'), JSON.stringify(relabel))
    assert.equal((await ver('relabel.json', '--nonce', 'challenge-2')).json().report.checks.find((c: any) => !c.ok).check, 'groth16')
    // A window of 5 observations: below the default minimum of 8; accepted when the verifier lowers it.
    writeFileSync(p('short.jsonl'), readFileSync(p('w.jsonl'), 'utf8').trim().split('\n').slice(0, 5).join('\n') + '\n')
    assert.equal((await prove('short.jsonl', 'short.json')).code, 0)
    const short = await ver('short.json')
    assert.equal(short.code, 1)
    assert.match(short.json().error.message, /min-n: n = 5 is below this verifier's minimum 8/)
    assert.equal((await ver('short.json', '--min-n', '5')).code, 0)
    assert.equal((await ver('short.json', '--min-n', '0')).code, 2)
    // The opening: private (mode 0600), recomputes the bundle's commitment; a changed value or salt does not.
    assert.equal(statSync(p('fresh.opening.json')).mode & 0o777, 0o600)
    const opening = JSON.parse(readFileSync(p('fresh.opening.json'), 'utf8'))
    assert.equal(opening.commitment, fresh.commitment)
    assert.equal(opening.values.length, 8)
    const open = await run(['zk', 'open', p('fresh.opening.json'), '--bundle', p('fresh.json'), '--json'])
    assert.equal(open.code, 0, open.stdout + open.stderr)
    assert.deepEqual(open.json().values, opening.values)
    for (const [name, change] of [['value', (o: any) => (o.values[3] = String(BigInt(o.values[3]) + 1n))], ['salt', (o: any) => (o.salt = '1')], ['n', (o: any) => ((o.n = 7), o.values.pop())], ['feature', (o: any) => (o.featureIndex = 0)]] as const) {
      const o = structuredClone(opening)
      change(o)
      writeFileSync(p(`open-${name}.json`), JSON.stringify(o))
      const r = await run(['zk', 'open', p(`open-${name}.json`), '--json'])
      assert.equal(r.code, 1, name)
      assert.match(r.json().error.message, /commitment: the opening gives/, name)
    }
    const other = await run(['zk', 'open', p('fresh.opening.json'), '--bundle', p('proof.json'), '--json'])
    assert.equal(other.code, 1)
    assert.match(other.json().error.message, /bundle: the proof bundle names another commitment/)
    assert.equal((await prove('w.jsonl', 'fresh2.json', '--opening', p('fresh.opening.json'))).code, 2, 'an existing opening is not overwritten')
  })

  it('prove: a window outside the bounds gets no proof, exit 3 and the bound it breaks', async () => {
    const r = await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('slow.jsonl'), '--feature', 'latency_ms', '--out', p('none.json')])
    assert.equal(r.code, 3, r.stdout + r.stderr)
    assert.match(r.stdout, /no proof: latency_ms: mean bound broken: sum \d+ > upper \d+/)
    assert.equal(existsSync(p('none.json')), false)
    const before = snapshot(t.dir)
    const j = await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('slow.jsonl'), '--feature', 'latency_ms', '--out', p('none.json'), '--opening', p('none.opening.json'), '--json'])
    assert.equal(j.code, 3)
    assert.equal(j.json().proved, false)
    assert.match(j.json().breaks, /mean bound broken/)
    assert.equal(j.json().written, undefined)
    assertWritten(t.dir, before, undefined) // neither the bundle nor the opening
  })

  it('prove: bad input is exit 2 (unknown feature, bad k, size too small, untrusted baseline is exit 1)', async () => {
    const args = (...more: string[]) => ['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('w.jsonl'), '--out', p('x.json'), ...more]
    const unknown = await run(args('--feature', 'nope', '--json'))
    assert.equal(unknown.code, 2)
    assert.match(unknown.json().error.message, /no feature "nope"/)
    assert.equal((await run(args('--feature', 'latency_ms', '--k', 'abc'))).code, 2)
    assert.equal((await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('long.jsonl'), '--feature', 'latency_ms', '--size', '8', '--out', p('x.json')])).code, 2)
    const noSetup = await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('long.jsonl'), '--feature', 'latency_ms', '--out', p('x.json')])
    assert.equal(noSetup.code, 2)
    assert.match(noSetup.stderr, /no Groth16 setup for tcp-window-64 .*tcp zk setup --size 64/)
    const untrusted = await run(['prove', '--baseline', p('b1.dsse.json'), '--pub', p('bob.pub'), '--window', p('w.jsonl'), '--feature', 'latency_ms', '--out', p('x.json')])
    assert.equal(untrusted.code, 1)
    assert.equal(existsSync(p('x.json')), false)
  })

  it('log binding: a proof over a checkpointed window of a verified log verifies with --log; a chosen set, another log, a forged checkpoint do not', async () => {
    assert.equal((await run(['keys', 'generate', '--out', p('a3')])).code, 0)
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').filter((l) => l.includes('"agent-03"'))
    writeFileSync(p('a3.jsonl'), lines.slice(0, 16).join('\n') + '\n')
    const app = await run(['log', 'append', '--key', p('a3.key'), '--log', p('a3.log'), '--from', p('a3.jsonl'), '--checkpoint-every', '8', '--window', '8'])
    assert.equal(app.code, 0, app.stdout + app.stderr)
    const logTrust = [...trust, '--pub', p('a3.pub')]
    const pr = await run(['prove', '--baseline', p('b1.dsse.json'), ...logTrust, '--window', p('a3.log'), '--window-from', '0', '--feature', 'latency_ms', '--out', p('bound.json'), '--json'])
    assert.equal(pr.code, 0, pr.stdout + pr.stderr)
    assert.deepEqual(pr.json().log.window, {from: 0, to: 7, checkpointLine: 9, checkpointSeq: 7})
    assert.equal(pr.json().log.head.seq, 15) // the log head used is stated
    const verify = (file: string, ...more: string[]) => run(['verify', p(file), '--baseline', p('b1.dsse.json'), ...logTrust, '--log', p('a3.log'), ...more, '--json'])
    const ok = await verify('bound.json')
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    const binding = ok.json().report.checks.find((c: any) => c.check === 'log-binding')
    assert.match(binding.detail, /entries 0\.\.7 of .*a3\.log \(agent agent-03\), committed by the checkpoint at line 9/)
    const rejected = async (file: string, why: RegExp, more: string[] = []) => {
      const r = await verify(file, ...more)
      assert.equal(r.code, 1, `${file}: ${r.stdout}${r.stderr}`)
      const failed = r.json().report.checks.filter((c: any) => !c.ok)
      assert.equal(failed[0].check, 'log-binding', JSON.stringify(failed))
      assert.match(failed[0].detail, why)
    }
    // proof.json proves the very values of entries 0..7 (w.jsonl), but as a chosen set: it is not bound to the log.
    await rejected('proof.json', /not that of any of the 2 checkpointed window\(s\)/)
    // A chosen set of the same size straddling two windows (entries 4..11), proved from a file: rejected.
    writeFileSync(p('straddle.jsonl'), lines.slice(4, 12).join('\n') + '\n')
    const st = await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('straddle.jsonl'), '--feature', 'latency_ms', '--out', p('straddle.json')])
    assert.equal(st.code, 0, st.stdout + st.stderr)
    await rejected('straddle.json', /the proved observations are not a recorded window/)
    // The bound proof against the agent's log of the same observations shifted by one entry: rejected. (The same
    // observations appended again give the same entries byte for byte, hence the same windows: that log binds.)
    writeFileSync(p('a3b.jsonl'), lines.slice(1, 17).join('\n') + '\n')
    assert.equal((await run(['log', 'append', '--key', p('a3.key'), '--log', p('a3b.log'), '--from', p('a3b.jsonl'), '--checkpoint-every', '8', '--window', '8'])).code, 0)
    const other = await run(['verify', p('bound.json'), '--baseline', p('b1.dsse.json'), ...logTrust, '--log', p('a3b.log'), '--json'])
    assert.equal(other.code, 1, other.stdout)
    assert.equal(other.json().report.checks.find((c: any) => !c.ok).check, 'log-binding')
    // A forged checkpoint signature, or a log key that is not trusted: the log does not verify, the binding fails.
    const log = readFileSync(p('a3.log'), 'utf8').split('\n')
    const sig = JSON.parse(log[8]!).sig as string
    log[8] = log[8]!.replace(`"sig":"${sig}"`, `"sig":"${(sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)}"`)
    writeFileSync(p('a3-forged.log'), log.join('\n'))
    const forged = await run(['verify', p('bound.json'), '--baseline', p('b1.dsse.json'), ...logTrust, '--log', p('a3-forged.log'), '--json'])
    assert.equal(forged.code, 1, forged.stdout)
    assert.match(forged.json().report.checks.find((c: any) => !c.ok).detail, /does not verify \(signature: .*bad signature by key/)
    const untrusted = await run(['verify', p('bound.json'), '--baseline', p('b1.dsse.json'), ...trust, '--log', p('a3.log'), '--json'])
    assert.equal(untrusted.code, 1, untrusted.stdout)
    assert.match(untrusted.json().report.checks.find((c: any) => !c.ok).detail, /not trusted/)
    // prove refuses a window that is not checkpointed, and a log that commits none (exit 2), and a forged log (exit 1).
    assert.equal((await run(['prove', '--baseline', p('b1.dsse.json'), ...logTrust, '--window', p('a3.log'), '--window-from', '4', '--feature', 'latency_ms', '--out', p('x.json')])).code, 2)
    assert.equal((await run(['log', 'append', '--key', p('a3.key'), '--log', p('a3n.log'), '--from', p('a3.jsonl')])).code, 0)
    assert.equal((await run(['prove', '--baseline', p('b1.dsse.json'), ...logTrust, '--window', p('a3n.log'), '--feature', 'latency_ms', '--out', p('x.json')])).code, 2)
    assert.equal((await run(['prove', '--baseline', p('b1.dsse.json'), ...logTrust, '--window', p('a3-forged.log'), '--feature', 'latency_ms', '--out', p('x.json')])).code, 1)
    // The agent cannot vouch for its own baseline: a baseline signed only by the log's key is refused (exit 1).
    assert.equal((await run(['sign', p('b1.json'), '--key', p('a3.key'), '--out', p('b-self.dsse.json')])).code, 0)
    const self = await run(['prove', '--baseline', p('b-self.dsse.json'), ...logTrust, '--window', p('a3.log'), '--feature', 'latency_ms', '--out', p('x.json')])
    assert.equal(self.code, 1, self.stdout + self.stderr)
    assert.match(self.stderr, /an agent cannot vouch for its own baseline/)
  })

  it('verify: tampered bundles are rejected with exit 1, naming the failed check', async () => {
    const r = BN254_R
    await rejectsWith('signal', (b) => (b.publicSignals[5] = String(BigInt(b.publicSignals[5]) + 1n)), 'public-signals')
    await rejectsWith('lower', (b) => (b.publicSignals[4] = '0'), 'public-signals')
    await rejectsWith('alias', (b) => (b.publicSignals[5] = String(BigInt(b.publicSignals[5]) + r)), 'field-range')
    await rejectsWith('commitment', (b) => (b.publicSignals[0] = b.commitment = String((BigInt(b.commitment) + 1n) % r)), 'groth16')
    await rejectsWith('feature', (b) => ((b.feature = 'call_rate'), (b.featureIndex = 0)), 'public-signals')
    await rejectsWith('feature-index', (b) => (b.featureIndex = 0), 'feature')
    await rejectsWith('k', (b) => (b.k = '5'), 'policy')
    await rejectsWith('n', (b) => (b.n = 7), 'min-n')
    await rejectsWith('n-allowed', (b) => (b.n = 7), 'public-signals', ['--min-n', '7'])
    await rejectsWith('nonce-added', (b) => (b.nonce = 'later'), 'public-signals')
    await rejectsWith('digest', (b) => (b.baseline.digest = '00'.repeat(32)), 'baseline-digest')
    await rejectsWith('truncated', (b) => (b.proof.pi_a = b.proof.pi_a.slice(0, 2)), 'bundle')
    await rejectsWith('digits', (b) => (b.proof.pi_c[0] = b.proof.pi_c[0].slice(0, -3)), 'groth16')
    await rejectsWith('swapped', (b) => ([b.proof.pi_a, b.proof.pi_c] = [b.proof.pi_c, b.proof.pi_a]), 'groth16')
    await rejectsWith('protocol', (b) => (b.proof.protocol = 'plonk'), 'bundle')
    // Proof points in the one encoding snarkjs writes: another projective z of the same point, the identity, an
    // on-curve G2 point outside the prime-order subgroup are refused by shape; a coordinate in [r, q) is not.
    const q = BN254_Q
    await rejectsWith('jacobian', (b) => {
      const [x, y] = b.proof.pi_a.map(BigInt)
      b.proof.pi_a = [String((x * 4n) % q), String((y * 8n) % q), '2']
    }, 'bundle')
    await rejectsWith('identity', (b) => (b.proof.pi_a = ['0', '1', '0']), 'bundle')
    await rejectsWith('identity-c', (b) => (b.proof.pi_c = ['5', '7', '0']), 'bundle')
    const g2Cofactor = [['1', '0'], ['3610091866386166428467545612961983990332663701371483510632385378352395651980', '15975588672102553735566230729081043132501226101599136527557730645158523614371'], ['1', '0']]
    await rejectsWith('g2-subgroup', (b) => (b.proof.pi_b = g2Cofactor), 'bundle')
    await rejectsWith('coordinate-q', (b) => (b.proof.pi_a[0] = String(q)), 'bundle')
    await rejectsWith('coordinate-r', (b) => (b.proof.pi_a[0] = String(r)), 'groth16')
    // Public signals: non-canonical strings, another order, another count; a bundle claiming another size.
    await rejectsWith('leading-zero', (b) => (b.publicSignals[3] = '0' + b.publicSignals[3]), 'field-range')
    await rejectsWith('hex', (b) => (b.publicSignals[5] = '0x' + BigInt(b.publicSignals[5]).toString(16)), 'field-range')
    await rejectsWith('number', (b) => (b.publicSignals[3] = Number(b.publicSignals[3])), 'field-range')
    await rejectsWith('reordered', (b) => ([b.publicSignals[4], b.publicSignals[5]] = [b.publicSignals[5], b.publicSignals[4]]), 'public-signals')
    await rejectsWith('eight', (b) => b.publicSignals.pop(), 'bundle')
    await rejectsWith('ten', (b) => b.publicSignals.push('0'), 'bundle')
    await rejectsWith('size', (b) => (b.circuit.size = 64), 'circuit')
    await rejectsWith('circuit-hash', (b) => (b.circuit.hash = 'ab'.repeat(32)), 'circuit')
    await rejectsWith('no-circuit-hash', (b) => delete b.circuit.hash, 'bundle')
    // The bundle's description of its bounds (informational) must be well-formed and true.
    await rejectsWith('bounds-exponent', (b) => (b.bounds.sumUpper = '1.0e+'), 'bundle')
    await rejectsWith('bounds-number', (b) => (b.bounds.vmax = Number(b.bounds.vmax)), 'bundle')
    await rejectsWith('bounds-extra', (b) => (b.bounds.sum = '1'), 'bundle')
    await rejectsWith('bounds-lie', (b) => (b.bounds.sumUpper = String(BigInt(b.bounds.sumUpper) * 2n)), 'public-signals')
    // Duplicate member names: unreadable input (exit 2), never the first or the last copy.
    const dupText = JSON.stringify(bundle).replace('"n":8,', '"n":8,"n":3,')
    assert.notEqual(dupText, JSON.stringify(bundle))
    writeFileSync(p('dup.json'), dupText)
    const dup = await run(['verify', p('dup.json'), '--baseline', p('b1.dsse.json'), ...trust, '--json'])
    assert.equal(dup.code, 2, dup.stdout + dup.stderr)
    assert.match(dup.json().error.message, /duplicate member name "n"/)
    // Another verification key: not pinned; and when the verifier pins it anyway, the proof fails under it.
    const otherKey = (b: any) => {
      b.verificationKey.IC = [b.verificationKey.IC[0], ...b.verificationKey.IC.slice(1).reverse()]
      b.verificationKeySha3 = verificationKeySha3(b.verificationKey)
    }
    await rejectsWith('vkey', otherKey, 'verification-key')
    const other = structuredClone(bundle)
    otherKey(other)
    await rejectsWith('vkey-pinned', otherKey, 'groth16', ['--vkey-sha3', other.verificationKeySha3])
    await rejectsWith('vkey-hash', (b) => (b.verificationKeySha3 = 'ab'.repeat(32)), 'verification-key')
  })

  it('verify: a foreign baseline, another k, an untrusted signer are rejected (exit 1); a missing --baseline is exit 2', async () => {
    const v = (...more: string[]) => run(['verify', p('proof.json'), ...more, '--json'])
    const foreign = await v('--baseline', p('b2.dsse.json'), ...trust)
    assert.equal(foreign.code, 1)
    assert.equal(foreign.json().report.checks.find((c: any) => !c.ok).check, 'baseline-digest')
    const k = await v('--baseline', p('b1.dsse.json'), ...trust, '--k', '2')
    assert.equal(k.code, 1)
    assert.equal(k.json().report.checks.find((c: any) => !c.ok).check, 'policy')
    const signer = await v('--baseline', p('b1.dsse.json'), '--pub', p('bob.pub'))
    assert.equal(signer.code, 1)
    assert.equal(signer.json().report.checks[0].check, 'baseline-signature')
    assert.equal((await v(...trust)).code, 2)
    const unpinned = await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--json'], )
    assert.equal(unpinned.code, 0)
    const elsewhere = await tcp(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--json'], {TCP_CACHE_DIR: p('empty-cache')})
    assert.equal(elsewhere.code, 1, 'without a pinned key or a local setup, nothing verifies')
    assert.match(elsewhere.json().error.message, /verification-key: no pinned key/)
  })

  it('interop: the bundle verifies with the snarkjs CLI, and a changed public signal does not', () => {
    writeFileSync(p('vk.json'), JSON.stringify(bundle.verificationKey))
    writeFileSync(p('public.json'), JSON.stringify(bundle.publicSignals))
    writeFileSync(p('groth16.json'), JSON.stringify(bundle.proof))
    const ok = spawnSync(process.execPath, [SNARKJS, 'groth16', 'verify', p('vk.json'), p('public.json'), p('groth16.json')], {encoding: 'utf8'})
    assert.equal(ok.status, 0, ok.stdout + ok.stderr)
    assert.match(ok.stdout, /OK/)
    writeFileSync(p('public.json'), JSON.stringify(bundle.publicSignals.map((s: string, i: number) => (i === 5 ? String(BigInt(s) - 1n) : s))))
    const bad = spawnSync(process.execPath, [SNARKJS, 'groth16', 'verify', p('vk.json'), p('public.json'), p('groth16.json')], {encoding: 'utf8'})
    assert.notEqual(bad.status, 0)
  })

  it('a contribution-free zkey lets anyone forge: snarkjs accepts the forged proof, tcp verify refuses the key even when pinned', async () => {
    // zkey new over the test's own ceremony, no phase-2 contribution: delta_2 = gamma_2 = the G2 generator.
    const s = await snarkjs()
    const z0 = p('no-contribution.zkey')
    await s.zKey.newZKey(join(setup.dir, 'window.r1cs'), setup.ptau.path, z0)
    const vk = await s.zKey.exportVerificationKey(z0)
    await releaseCurve()
    writeFileSync(p('weak-vk.json'), JSON.stringify(vk))
    const forged = structuredClone(bundle)
    forged.publicSignals[0] = forged.commitment = '424242' // a commitment with no window behind it
    forged.proof = forgeProof(vk, forged.publicSignals)
    forged.verificationKey = vk
    forged.verificationKeySha3 = verificationKeySha3(vk)
    assert.equal(await s.groth16.verify(vk, forged.publicSignals, forged.proof), true, 'snarkjs accepts the forgery')
    await releaseCurve()
    writeFileSync(p('forged.json'), JSON.stringify(forged))
    for (const pin of [['--vkey', p('weak-vk.json')], ['--vkey-sha3', forged.verificationKeySha3]]) {
      const r = await run(['verify', p('forged.json'), '--baseline', p('b1.dsse.json'), ...trust, ...pin, '--json'])
      assert.equal(r.code, 1, r.stdout)
      assert.match(r.json().error.message, /verification-key: key refused: delta_2 equals gamma_2/)
    }
  })

  it('export-verifier writes a Solidity contract and refuses to overwrite it', async () => {
    const before = snapshot(t.dir)
    const r = await run(['zk', 'export-verifier', '--size', '8', '--out', p('Verifier.sol'), '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(r.json().written, {verifier: p('Verifier.sol')})
    assertWritten(t.dir, before, r.json().written)
    const sol = readFileSync(p('Verifier.sol'), 'utf8')
    assert.match(sol, /contract Groth16Verifier/)
    assert.match(sol, /uint\[9\] calldata _pubSignals/)
    assert.equal((await run(['zk', 'export-verifier', '--size', '8', '--out', p('Verifier.sol')])).code, 2)
    assert.equal((await run(['zk', 'export-verifier', '--size', '64', '--out', p('V64.sol')])).code, 2)
  })

  it('zk setup --ptau FILE with a beacon: phase 2 only, a new key; the earlier key stays pinned until --drop-earlier (issue 9 item 18)', async () => {
    writeFileSync(p('junk.ptau'), 'not a ptau')
    const junk = await run(['zk', 'setup', '--size', '8', '--ptau', p('junk.ptau'), '--json'])
    assert.equal(junk.code, 2)
    assert.match(junk.json().error.message, /not a usable \.ptau file/)
    const before = snapshot(t.dir)
    const r = await run(['zk', 'setup', '--size', '8', '--ptau', setup.ptau.path, '--beacon', 'ab'.repeat(32), '--beacon-iterations', '10', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const s2 = r.json()
    // Phase 2 only (no ceremony, no compilation); the replaced key moves to earlier-vkeys.json.
    assert.deepEqual(Object.keys(s2.written).sort(), ['earlierKeys', 'setupRecord', 'verificationKey', 'zkey'])
    assertWritten(t.dir, before, s2.written)
    assert.equal(s2.ptau.source, 'file')
    assert.equal(s2.ptau.sha3, setup.ptau.sha3)
    assert.deepEqual(s2.phase2.map((c: any) => c.name), ['tcp phase 2 contribution', 'tcp phase 2 beacon'])
    assert.notEqual(s2.verificationKeySha3, setup.verificationKeySha3)
    assert.deepEqual(s2.earlierPinned.map((k: any) => k.sha3), [setup.verificationKeySha3])
    // A proof made with the earlier setup still verifies: its key stayed pinned.
    assert.equal((await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust])).code, 0)
    // Asked to drop them, the earlier keys are unpinned, with a warning: the old proof now needs its key given explicitly.
    const d = await run(['zk', 'setup', '--size', '8', '--ptau', setup.ptau.path, '--drop-earlier'])
    assert.equal(d.code, 0, d.stdout + d.stderr)
    assert.match(d.stderr, /warning: unpinned 2 earlier verification keys/)
    const v = await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--json'])
    assert.equal(v.code, 1)
    assert.match(v.json().error.message, /verification-key: key [0-9a-f]{16}\.\.\. is not a pinned one/)
    assert.equal((await run(['verify', p('proof.json'), '--baseline', p('b1.dsse.json'), ...trust, '--vkey-sha3', setup.verificationKeySha3])).code, 0)
  })

  it('two-party phase 2: the verifier contributes, verify-setup pins the result, the prover installs it; proofs verify under the pin', async () => {
    const venv = {TCP_CACHE_DIR: p('verifier-cache'), TCP_PASSPHRASE: 'zk test'}
    const vrun = (argv: string[]) => tcp(argv, venv)
    const ptau = setup.ptau.path
    const current = (await run(['zk', 'setup', '--size', '8', '--json'])).json() // the prover's setup as it stands
    // The verifier contributes to the prover's zkey, on its own machine (another cache).
    let before = snapshot(t.dir)
    const c = await vrun(['zk', 'contribute', '--zkey', join(setup.dir, 'circuit.zkey'), '--out', p('v.zkey'), '--name', 'verifier', '--json'])
    assert.equal(c.code, 0, c.stdout + c.stderr)
    assert.deepEqual([c.json().input, c.json().written], [join(setup.dir, 'circuit.zkey'), {zkey: p('v.zkey')}])
    assertWritten(t.dir, before, c.json().written)
    const mine = c.json().contributionHash
    assert.match(mine, /^[0-9a-f]{128}$/)
    assert.equal((await vrun(['zk', 'contribute', '--zkey', join(setup.dir, 'circuit.zkey'), '--out', p('v.zkey')])).code, 2, 'refuses to overwrite')
    before = snapshot(t.dir)
    const vs = await vrun(['zk', 'verify-setup', '--size', '8', '--zkey', p('v.zkey'), '--ptau', ptau, '--contribution', mine, '--out', p('pin.json'), '--json'])
    assert.equal(vs.code, 0, vs.stdout + vs.stderr)
    const rep = vs.json()
    // The verifier's cache had no compiled circuit: verify-setup compiled it there, and wrote the pin.
    assert.deepEqual(Object.keys(rep.written).sort(), ['circuit', 'pin'])
    assertWritten(t.dir, before, rep.written)
    assert.deepEqual(rep.checks.map((x: any) => x.check), ['circuit', 'ptau', 'zkey', 'phase2-secret', 'verification-key', 'contribution'])
    assert.deepEqual(rep.pin.phase2.map((x: any) => [x.name, x.hash]), [...current.phase2.map((x: any) => [x.name, x.hash]), ['verifier', mine]])
    assert.deepEqual(rep.pin.ptau.contributions.map((x: any) => x.hash), setup.ptau.contributions.map((x: any) => x.hash))
    const pin = JSON.parse(readFileSync(p('pin.json'), 'utf8'))
    assert.equal(pin.circuit.hash, setup.circuitHash)
    // The prover installs the final zkey (checked the same way) and proves with it.
    before = snapshot(t.dir)
    const inst = await run(['zk', 'setup', '--size', '8', '--zkey', p('v.zkey'), '--ptau', ptau, '--json'])
    assert.equal(inst.code, 0, inst.stdout + inst.stderr)
    assert.deepEqual(Object.keys(inst.json().written).sort(), ['setupRecord', 'verificationKey', 'zkey'])
    assertWritten(t.dir, before, inst.json().written)
    assert.equal(inst.json().verificationKeySha3, pin.verificationKeySha3)
    const pr = await run(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('w.jsonl'), '--feature', 'latency_ms', '--out', p('two-party.json')])
    assert.equal(pr.code, 0, pr.stdout + pr.stderr)
    const b2 = JSON.parse(readFileSync(p('two-party.json'), 'utf8'))
    const s = await snarkjs()
    assert.equal(await s.groth16.verify(b2.verificationKey, b2.publicSignals, b2.proof), true)
    await releaseCurve()
    const ver = (file: string, ...more: string[]) => vrun(['verify', p(file), '--baseline', p('b1.dsse.json'), ...trust, ...more, '--json'])
    assert.equal((await ver('two-party.json', '--setup-pin', p('pin.json'))).code, 0)
    // The old bundle (the prover's key alone) is not under the pin; neither is a pin for another size or circuit.
    const old = await ver('proof.json', '--setup-pin', p('pin.json'))
    assert.equal(old.code, 1)
    assert.match(old.json().error.message, /verification-key: key [0-9a-f]{16}\.\.\. is not a pinned one/)
    for (const [name, change] of [['size', (x: any) => (x.circuit.size = 64)], ['hash', (x: any) => (x.circuit.hash = 'ab'.repeat(32))]] as const) {
      const other = structuredClone(pin)
      change(other)
      writeFileSync(p(`pin-${name}.json`), JSON.stringify(other))
      const r = await ver('two-party.json', '--setup-pin', p(`pin-${name}.json`))
      assert.equal(r.code, 1, name)
      assert.match(r.json().error.message, /verification-key: no pinned key for tcp-window-8/)
    }
    writeFileSync(p('pin-bad.json'), JSON.stringify({...pin, type: 'x'}))
    assert.equal((await ver('two-party.json', '--setup-pin', p('pin-bad.json'))).code, 2)
  })

  it('verify-setup refuses: no contribution, beacons only, a contribution not in the history, a changed ptau, a changed zkey', async () => {
    const venv = {TCP_CACHE_DIR: p('verifier-cache'), TCP_PASSPHRASE: 'zk test'}
    const vs = async (zkey: string, ptau: string, ...more: string[]) => {
      const r = await tcp(['zk', 'verify-setup', '--size', '8', '--zkey', zkey, '--ptau', ptau, ...more, '--json'], venv)
      assert.equal(r.code, 1, r.stdout + r.stderr)
      return r.json().error.details.checks.find((c: any) => !c.ok)
    }
    const ptau = setup.ptau.path
    const s = await snarkjs()
    await s.zKey.beacon(p('no-contribution.zkey'), p('beacon-only.zkey'), 'public beacon', 'ab'.repeat(32), 10)
    await releaseCurve()
    assert.deepEqual(await vs(p('no-contribution.zkey'), ptau), {check: 'phase2-secret', ok: false, detail: 'no phase-2 contribution: delta is the generator and anyone can forge proofs'})
    assert.match((await vs(p('beacon-only.zkey'), ptau)).detail, /only beacon contributions/)
    assert.equal((await vs(p('v.zkey'), ptau, '--contribution', 'cd'.repeat(64))).check, 'contribution')
    // A phase-1 hash is not accepted as your phase-2 contribution (only phase-2 hashes are recomputed by snarkjs).
    assert.match((await vs(p('v.zkey'), ptau, '--contribution', setup.ptau.contributions[0].hash)).detail, /is not in the phase-2 history/)
    // One flipped byte near the end of the ptau (its prepared Lagrange points): powersoftau verify refuses it.
    const t = readFileSync(ptau)
    t[t.length - 100]! ^= 1
    writeFileSync(p('flipped.ptau'), t)
    assert.equal((await vs(p('v.zkey'), p('flipped.ptau'))).check, 'ptau')
    // One flipped byte near the end of the zkey (the H or C points).
    const z = readFileSync(p('v.zkey'))
    z[z.length - 100]! ^= 1
    writeFileSync(p('flipped.zkey'), z)
    assert.equal((await vs(p('flipped.zkey'), ptau)).check, 'zkey')
    const u = await tcp(['zk', 'verify-setup', '--size', '8', '--zkey', p('v.zkey'), '--ptau', ptau, '--contribution', 'xyz'], venv)
    assert.equal(u.code, 2)
  })

  it('whole processes: prove and verify exit by themselves (the curve workers are stopped)', () => {
    const opts = {env: {...process.env, ...env}, timeout: 120_000}
    const pr = tcpProcess(['prove', '--baseline', p('b1.dsse.json'), ...trust, '--window', p('w.jsonl'), '--feature', 'call_rate', '--out', p('proc.json')], opts)
    assert.equal(pr.code, 0, pr.stdout + pr.stderr)
    const v = tcpProcess(['verify', p('proc.json'), '--baseline', p('b1.dsse.json'), ...trust], opts)
    assert.equal(v.code, 0, v.stdout + v.stderr)
    assert.match(v.stdout, /groth16 ok/)
  })
})
