// The --json convention (docs/json.md) on group C: zk compile, attest init/measure/quote/challenge/activate, bench
// and its topics, consensus simulate and sweep. Each runs as a whole process in a fresh temporary folder, paths given
// relative to it: the document passes its schema (tcpProcess checks every --json output), `written` names every
// file or folder the run created, and the schema refuses the document with a member renamed.
// None of these commands prints key ids (rule 5 does not apply to them). zk setup, contribute, verify-setup, open,
// export-verifier and prove need a Groth16 setup: test/commands/zk.test.ts runs each of them with --json and checks
// `written` the same way (prove with and without --opening, and its exit-3 path).
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, tcpProcess, tempDir, type CliResult} from '../helpers/cli.js'
import {assertSchemaRefusesBroken} from '../helpers/json.js'
import {assertWritten, snapshot} from '../helpers/written.js'
import {startSwtpm, swtpmMissing, type Swtpm} from '../core/attest/swtpm-harness.js'
import {jsonTypeOf} from '../../src/cli/base.js'

const COMMANDS = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')).commands as Record<string, unknown>

/** Runs `tcp argv --json` in `dir`; checks the exit code, `written` against what appeared, and that the schema refuses a renamed member. */
function run(dir: string, argv: string[], opts: {codes?: number[]; env?: Record<string, string>} = {}): any {
  const before = snapshot(dir)
  const r: CliResult = tcpProcess([...argv, '--json'], {cwd: dir, env: {...process.env, ...opts.env}, timeout: 120_000})
  assert.ok((opts.codes ?? [0]).includes(r.code), `tcp ${argv.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`)
  const doc = r.json()
  const id = [argv.slice(0, 2).join(':'), argv[0]!].find((x) => x in COMMANDS)!
  assert.equal(doc.type, jsonTypeOf(id, 1))
  assertWritten(dir, before, doc.written, dir)
  assertSchemaRefusesBroken(doc, argv)
  return doc
}

describe('--json of zk compile, bench, consensus (group C)', () => {
  const t = tempDir('tcp-json-c-')
  after(t.cleanup)

  it('zk compile: the circuit compiled into an empty cache is written; a second run reuses it and writes nothing', () => {
    const env = {TCP_CACHE_DIR: 'cache'}
    const first = run(t.dir, ['zk', 'compile', '--size', '8'], {env})
    assert.deepEqual(Object.keys(first.written), ['circuit8'])
    assert.equal(first.circuits[0].reused, false)
    assert.equal(first.circuits[0].dir, first.written.circuit8)
    const again = run(t.dir, ['zk', 'compile', '--size', '8'], {env})
    assert.deepEqual([again.circuits[0].reused, again.written, again.circuits[0].circuitHash], [true, undefined, first.circuits[0].circuitHash])
  })

  it('bench and its topics at their smallest sizes write nothing', () => {
    const all = run(t.dir, ['bench', '--quick', '--only', 'paths', '--only', 'lsh', '--sizes', '200,400', '--seed', '11'])
    assert.ok(all.paths && all.allPairs && !all.crypto && !all.ct)
    assert.ok(run(t.dir, ['bench', 'paths', '--quick', '--seed', '11']).paths)
    assert.deepEqual(run(t.dir, ['bench', 'lsh', '--quick', '--sizes', '200,400', '--seed', '11']).allPairs.rows.map((r: any) => r.n), [200, 400, 200, 400])
    assert.ok(run(t.dir, ['bench', 'crypto', '--quick', '--seed', '11']).crypto.rows.length > 0)
    // Exit 3 when the detector finds a leak (a measurement of this machine): the document is the same either way.
    const ct = run(t.dir, ['bench', 'ct', '--quick', '--seed', '11'], {codes: [0, 3]})
    assert.equal(ct.ct.results.length, 8)
  })

  it('consensus simulate: written.trace only with --trace; exit 3 on a stall with the same document', () => {
    const plain = run(t.dir, ['consensus', 'simulate', '--agents', '20', '--seed', '5'])
    assert.equal(plain.written, undefined)
    const traced = run(t.dir, ['consensus', 'simulate', '--agents', '20', '--seed', '5', '--trace', 'trace.jsonl'])
    assert.deepEqual(traced.written, {trace: 'trace.jsonl'})
    const lines = readFileSync(join(t.dir, 'trace.jsonl'), 'utf8').trim().split('\n')
    assert.ok(lines.length > 1 && lines.every((l) => typeof JSON.parse(l) === 'object'), 'the trace is JSONL')
    const stalled = run(t.dir, ['consensus', 'simulate', '--agents', '40', '--byzantine', '0.3', '--strategy', 'withhold', '--rounds', '6', '--seed', '2'], {codes: [3]})
    assert.equal(stalled.outcome.stalled, true)
  })

  it('consensus sweep: written.svg with --svg', () => {
    const s = run(t.dir, ['consensus', 'sweep', '--agents', '40', '--threshold', '0.75', '--byzantine', '0.2', '--runs', '1', '--seed', '4', '--svg', 'sweep.svg'])
    assert.deepEqual(s.written, {svg: 'sweep.svg'})
    assert.match(readFileSync(join(t.dir, 'sweep.svg'), 'utf8'), /^<svg/)
  })
})

describe('--json of tcp attest on swtpm (group C)', {skip: swtpmMissing()}, () => {
  const t = tempDir('tcp-json-c-attest-')
  let tpm: Swtpm
  let env: Record<string, string>
  before(async () => {
    tpm = await startSwtpm({ekCert: true}) // an EK certificate in NV: init writes ek-cert.der, challenge checks it
    env = {TPM2TOOLS_TCTI: tpm.tcti}
  })
  after(async () => {
    await tpm?.stop()
    t.cleanup()
  })

  it('init, measure, quote, challenge, activate: every file written is named under written', () => {
    const init = run(t.dir, ['attest', 'init', '--state', 'st'], {env})
    assert.deepEqual(Object.keys(init.written).sort(), ['akName', 'akPem', 'akPub', 'ekCert', 'ekName', 'ekPub', 'eventLog', 'state'])
    assert.equal(init.written.akPem, join('st', 'ak.pem'))
    // Run again: the public parts and state are rewritten, the event log kept.
    assert.equal(run(t.dir, ['attest', 'init', '--state', 'st'], {env}).written.eventLog, undefined)
    writeFileSync(join(t.dir, 'measured.txt'), 'x\n')
    const m = run(t.dir, ['attest', 'measure', 'measured.txt', '--state', 'st'], {env})
    assert.deepEqual(m.written, {eventLog: join('st', 'eventlog.json')})
    assert.equal(JSON.parse(readFileSync(join(t.dir, m.written.eventLog), 'utf8')).entries[m.seq].digest, m.digest)
    const q = run(t.dir, ['attest', 'quote', '--state', 'st', '--nonce', '00112233445566778899aabbccddeeff', '--out', 'quote.json'], {env})
    assert.deepEqual([q.written, q.eventLogEntries], [{bundle: 'quote.json'}, 1])
    const ca = [tpm.ca!.intermediate, tpm.ca!.root].flatMap((f) => ['--ek-ca', f])
    const c = run(t.dir, ['attest', 'challenge', '--ek', 'st/ek.pub', '--ak-name', 'st/ak.name', '--ek-cert', 'st/ek-cert.der', ...ca, '--out', 'ch.json'], {env})
    assert.deepEqual(c.written, {challenge: 'ch.json', secret: 'ch.json.secret'})
    assert.equal(c.akName, init.akName)
    assert.equal(c.ekCertificate.chain.length, 3)
    const kept = readFileSync(join(t.dir, 'ch.json.secret')).toString('hex')
    assert.deepEqual(run(t.dir, ['attest', 'activate', 'ch.json', '--state', 'st'], {env}), {type: 'tcp.attest.activate/v1', secret: kept})
    // With --out the secret goes to the file only (mode 0600), not into the document too.
    const a = run(t.dir, ['attest', 'activate', 'ch.json', '--state', 'st', '--out', 'secret.bin'], {env})
    assert.deepEqual(a, {type: 'tcp.attest.activate/v1', written: {secret: 'secret.bin'}})
    assert.equal(readFileSync(join(t.dir, 'secret.bin')).toString('hex'), kept)
    assert.equal(statSync(join(t.dir, 'secret.bin')).mode & 0o777, 0o600)
  })
})
