// The --json convention (docs/json.md) for group B: sample, baseline create/check, detect, log append/show,
// aggregate build/merge/prove, redteam run. Each command runs once with --json into a fresh folder: tcp() validates
// the document against its schema, every file the run created or changed must be under `written`, and the fixture
// keys' ids may appear only under keyId/keyIds members. tcp demo is slow: test/e2e/cli.test.ts runs it once, with
// --dir, and checks the same. Then each schema must refuse the real documents with a member renamed or missing.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'
import {assertSchemaRefusesBroken} from '../helpers/json.js'
import {assertKeyIdsNamed, assertWrittenCovers, snapshot} from '../helpers/written.js'
import {readPublicKeyFile} from '../../src/core/keys/files.js'

describe('--json of group B: schema, written, key ids', () => {
  const t = tempDir('tcp-json-b-')
  after(t.cleanup)
  const fx = (n: string) => join(t.dir, 'fixtures', n)
  let keyIds: string[] = []
  const docs = new Map<string, {doc: any; argv: string[]}>()
  let fresh = 0

  /** A new empty folder for one run's outputs. */
  const folder = (): ((n: string) => string) => {
    const d = join(t.dir, `run-${++fresh}`)
    mkdirSync(d)
    return (n: string) => join(d, n)
  }

  /** Runs with --json; returns the document once the exit code, written and key ids are checked. */
  async function run(argv: string[], code = 0, expectKeyIds = 0): Promise<any> {
    const before = snapshot(t.dir)
    const r = await tcp([...argv, '--json'])
    assert.equal(r.code, code, r.stdout + r.stderr)
    const doc = r.json()
    assertWrittenCovers(doc, before, snapshot(t.dir))
    assert.equal(assertKeyIdsNamed(doc, keyIds), expectKeyIds, `key id occurrences in ${argv.slice(0, 2).join(' ')}`)
    docs.set(`${doc.type} ${code}`, {doc, argv})
    return doc
  }

  before(async () => {
    mkdirSync(fx(''))
    for (const k of ['rec', 'agg']) assert.equal((await tcp(['keys', 'generate', '--out', fx(k), '--unencrypted'])).code, 0)
    keyIds = [(await readPublicKeyFile(fx('rec.pub'))).keyId, (await readPublicKeyFile(fx('agg.pub'))).keyId]
  })

  // Inputs made by one step and read by later ones.
  const inputs: Record<string, string> = {}

  it('sample, plain and --scenario with --truth', async () => {
    let o = folder()
    const plain = await run(['sample', '--agents', '3', '--observations', '40', '--compromised', '1', '--seed', '1', '--out', o('t.jsonl')])
    assert.deepEqual(plain.written, {telemetry: o('t.jsonl')})
    inputs.telemetry = o('t.jsonl')
    o = folder()
    const sc = await run(['sample', '--scenario', 'sleeper', '--agents', '20', '--observations', '80', '--seed', '7', '--out', o('f.jsonl'), '--truth', o('truth.json')])
    assert.deepEqual(sc.written, {telemetry: o('f.jsonl'), truth: o('truth.json')})
    inputs.fleet = o('f.jsonl')
  })

  it('log append and log show: the signing key under keyId / keyIds', async () => {
    const o = folder()
    writeFileSync(fx('a1.jsonl'), readFileSync(inputs.telemetry!, 'utf8').split('\n').filter((l) => l.includes('"agent-01"')).join('\n') + '\n')
    const a = await run(['log', 'append', '--key', fx('rec.key'), '--log', o('a1.log'), '--from', fx('a1.jsonl'), '--checkpoint-every', '10'], 0, 1)
    assert.deepEqual([a.keyId, a.written], [keyIds[0], {log: o('a1.log')}])
    const s = await run(['log', 'show', o('a1.log')], 0, 1)
    assert.deepEqual(s.keyIds, [keyIds[0]])
    inputs.log = o('a1.log')
  })

  it('baseline create: from a verified log (logSource.keyIds) and --per-agent (keyId, the directory written)', async () => {
    let o = folder()
    const one = await run(['baseline', 'create', '--from', inputs.log!, '--pub', fx('rec.pub'), '--subject', 'fleet/a1', '--out', o('b.json')], 0, 1)
    assert.deepEqual([one.written, one.logSource.keyIds, one.trust], [{baseline: o('b.json')}, [keyIds[0]], `--pub ${fx('rec.pub')}`])
    assert.equal((await tcp(['sign', o('b.json'), '--key', fx('agg.key'), '--out', fx('b.dsse.json')])).code, 0)
    // A next version whose --previous was verified names the trust it was verified under (rule 6); unverified, none.
    o = folder()
    const next = await run(['baseline', 'create', '--from', inputs.telemetry!, '--agent', 'agent-01', '--previous', fx('b.dsse.json'), '--pub', fx('agg.pub'), '--subject', 'fleet/a1', '--out', o('b2.json')])
    assert.deepEqual([next.version, next.trust], [2, `--pub ${fx('agg.pub')}`])
    const plain = await run(['baseline', 'create', '--from', inputs.telemetry!, '--subject', 'fleet', '--out', o('fleet.json')])
    assert.equal(plain.trust, undefined)
    assert.equal((await tcp(['sign', o('fleet.json'), '--key', fx('agg.key'), '--out', fx('fleet.dsse.json')])).code, 0)
    o = folder()
    const per = await run(['baseline', 'create', '--per-agent', '--from', inputs.telemetry!, '--subject', 'fleet', '--key', fx('rec.key'), '--out-dir', o('leaves')], 0, 1)
    assert.deepEqual([per.agents, per.written], [3, {baselines: o('leaves')}])
    inputs.leaves = o('leaves')
  })

  it('baseline check: within the baseline on the log (exit 0), and deviating (exit 3) with the same document', async () => {
    const ok = await run(['baseline', 'check', '--baseline', fx('b.dsse.json'), '--pub', fx('agg.pub'), '--pub', fx('rec.pub'), '--window', inputs.log!], 0, 1)
    assert.deepEqual(ok.deviating, [])
    writeFileSync(fx('late.jsonl'), readFileSync(inputs.telemetry!, 'utf8').split('\n').filter((l) => l.includes('"agent-03"')).slice(-20).join('\n') + '\n')
    const bad = await run(['baseline', 'check', '--baseline', fx('b.dsse.json'), '--pub', fx('agg.pub'), '--window', fx('late.jsonl'), '--k', '1'], 3)
    assert.ok(bad.deviating.length > 0)
    assert.equal(bad.written, undefined)
  })

  it('aggregate build (whole tree and shards), merge, prove', async () => {
    const tree = folder()
    const b = await run(['aggregate', 'build', '--from', inputs.leaves!, '--pub', fx('rec.pub'), '--key', fx('agg.key'), '--out', tree('tree'), '--leaf-size', '2', '--branching', '2', '--workers', '0'], 0, 1)
    assert.deepEqual(b.written, {tree: tree('tree'), root: join(tree('tree'), 'root.dsse.json')})
    // The leaves were verified under --pub (rule 6) and the root signed by the aggregator's key (rule 5).
    assert.deepEqual([b.trust, b.keyId], [`--pub ${fx('rec.pub')}`, keyIds[1]])
    const shards: string[] = []
    for (const k of [0, 1]) {
      const o = folder()
      const s = await run(['aggregate', 'build', '--from', inputs.leaves!, '--pub', fx('rec.pub'), '--key', fx('agg.key'), '--out', o('shard'), '--leaf-size', '2', '--branching', '2', '--workers', '0', '--shard', `${k}/2`], 0, 1)
      assert.deepEqual([s.root, s.written, s.trust, s.keyId], [null, {tree: o('shard'), shard: join(o('shard'), 'shard.json')}, `--pub ${fx('rec.pub')}`, keyIds[1]])
      shards.push(s.written.shard)
    }
    let o = folder()
    const m = await run(['aggregate', 'merge', ...shards, '--pub', fx('agg.pub'), '--key', fx('agg.key'), '--out', o('root.dsse.json'), '--tree', o('tree')], 0, 1)
    assert.deepEqual([m.root, m.written, m.trust, m.keyId], [b.root, {root: o('root.dsse.json'), tree: o('tree')}, `--pub ${fx('agg.pub')}`, keyIds[1]])
    o = folder()
    const p = await run(['aggregate', 'prove', '--tree', tree('tree'), '--agent', 'agent-02', '--out', o('incl.json')])
    assert.deepEqual([p.root, p.written], [b.root, {proof: o('incl.json')}])
  })

  it('detect: findings (exit 3) with the timeline written, its own type and no report type', async () => {
    const o = folder()
    const d = await run(['detect', '--from', inputs.fleet!, '--window', '20', '--svg', o('t.svg')], 3)
    assert.deepEqual(d.written, {timeline: o('t.svg')})
    assert.ok(d.flaggedAgents.includes('agent-12'))
    // The seed of the SimHash planes and LSH tables is stated (default 1), and given back; no trust without --baseline.
    assert.deepEqual([d.seed, d.trust], [1, undefined])
    const b = await run(['detect', '--from', inputs.telemetry!, '--window', '20', '--seed', '9', '--baseline', fx('fleet.dsse.json'), '--pub', fx('agg.pub')])
    assert.deepEqual([b.seed, b.reference.mode, b.trust], [9, 'baseline', `--pub ${fx('agg.pub')}`])
  })

  it('redteam run --report: the report as redteam.json holds it, timings apart, the three files written', async () => {
    const o = folder()
    const r = await run(['redteam', 'run', '--vector', 'tree-poisoning', '--agents', '400', '--quick', '--seed', '5', '--report', o('rep')])
    assert.deepEqual(JSON.parse(readFileSync(o('rep/redteam.json'), 'utf8')), r.report)
    assert.deepEqual(JSON.parse(readFileSync(o('rep/timings.json'), 'utf8')), r.timings)
    assert.deepEqual(Object.keys(r.written), ['report', 'chart', 'timings'])
  })

  it('each schema refuses those documents with a member renamed or a required one missing', () => {
    const types = new Set([...docs.values()].map((d) => d.doc.type))
    assert.deepEqual([...types].sort(), ['tcp.aggregate.build/v1', 'tcp.aggregate.merge/v1', 'tcp.aggregate.prove/v1', 'tcp.baseline.check/v1', 'tcp.baseline.create/v1', 'tcp.detect/v1', 'tcp.log.append/v1', 'tcp.log.show/v1', 'tcp.redteam.run/v1', 'tcp.sample/v1'])
    for (const {doc, argv} of docs.values()) assertSchemaRefusesBroken(doc, argv)
  })
})
