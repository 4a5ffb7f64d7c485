// The --json convention (docs/json.md) on keys generate/show/import/export/rotate, sign, seal, unseal, verify and
// descriptor encode/decode. Each run with --json happens in a fresh folder and: (a) passes the schema its type names
// (tcp() checks every --json output); (b) names under `written` every file or folder it created or changed, in its
// folder and in the fixtures it read; (c) holds the fixture keys' ids only under members named for key ids. Each
// schema refuses the document with a member renamed or a required one removed.
// Not run here: tcp verify of a zk-proof-bundle (test/commands/zk.test.ts runs it with --json, accepted and rejected)
// and of a quote from a live TPM (test/commands/attest.test.ts); the recorded quote vectors are verified below.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, tcp, tempDir, type CliResult} from '../helpers/cli.js'
import {assertSchemaRefusesBroken} from '../helpers/json.js'
import {assertKeyIdsNamed, assertWrittenCovers, snapshot} from '../helpers/written.js'

const env = {TCP_NO_CONFIG: '1', TCP_PASSPHRASE: 'json a'}

describe('--json of keys, sign, seal, unseal, verify, descriptor (docs/json.md)', () => {
  const fx = tempDir('tcp-json-a-fixtures-')
  const F = (...p: string[]) => join(fx.dir, ...p)
  const ids = new Set<string>()
  const runs: Array<{dir: string; cleanup: () => void}> = []
  after(() => {
    fx.cleanup()
    for (const r of runs) r.cleanup()
  })

  /**
   * Runs `tcp ...argv --json` (argv built from the fresh folder's path) after `setup` prepared that folder, checks
   * the exit code, (b) and (c), and returns the document.
   */
  async function run(code: number, argv: (dir: string) => string[], o: {setup?: (dir: string) => void; keyIds?: boolean} = {}): Promise<any> {
    const t = tempDir('tcp-json-a-')
    runs.push(t)
    o.setup?.(t.dir)
    const roots = [t.dir, fx.dir]
    const before = roots.map(snapshot)
    const args = [...argv(t.dir), '--json']
    const r: CliResult = await tcp(args, env)
    assert.equal(r.code, code, `tcp ${args.join(' ')}: ${r.stdout}${r.stderr}`)
    const doc = r.json()
    roots.forEach((root, i) => assertWrittenCovers(doc, before[i]!, snapshot(root)))
    const seen = assertKeyIdsNamed(doc, [...ids], {whole: true})
    if (o.keyIds) assert.ok(seen > 0, `tcp ${args.join(' ')} names a fixture key id`)
    assertSchemaRefusesBroken(doc, args, {reportMembers: true})
    return doc
  }

  before(async () => {
    for (const [name, type] of [['a', 'ed25519'], ['b', 'ed25519'], ['x', 'x25519'], ['y', 'x25519']]) {
      const r = await tcp(['keys', 'generate', '--out', F(name!), '--type', type!, '--unencrypted', '--json'], env)
      assert.equal(r.code, 0, r.stderr)
      ids.add(r.json().keyId)
    }
    writeFileSync(F('f.txt'), 'hello\n')
    const quiet = async (argv: string[]) => {
      const r = await tcp(argv, env)
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`)
    }
    await quiet(['sign', F('f.txt'), '--key', F('a.key'), '--out', F('f.dsse.json')])
    await quiet(['keys', 'export', F('a.key'), '--format', 'pkcs8', '--unencrypted', '--out', F('a.pem')])
    await quiet(['keys', 'rotate', '--key', F('a.key'), '--new', F('b.key'), '--out', F('rotation.dsse.json')])
    await quiet(['seal', F('f.txt'), '--recipient', F('x.pub'), '--recipient', F('y.pub'), '--out', F('f.age')])
    await quiet(['descriptor', 'encode', '--command', 'rm', '--flags', 'CRITICAL', '--out', F('rm.tcpd')])
    writeFileSync(F('tools.jsonl'), ['ls', 'rm'].map((command) => JSON.stringify({command, flags: command === 'rm' ? 'CRITICAL' : 'SAFE', execMs: 1, memoryMb: 1, outputKb: 1})).join('\n') + '\n')
    await quiet(['descriptor', 'encode', '--set', F('tools.jsonl'), '--out', F('tools.tcpd')])
    // Two agents' logs (b's clock references a's) and a one-level aggregation tree of 6 agents.
    const obs = (agent: string, n: number, from: number) => Array.from({length: n}, (_, i) => JSON.stringify({agent, time: new Date(Date.UTC(2026, 0, 1, 0, from + i)).toISOString(), lat: 100 + ((i * 7) % 5)})).join('\n') + '\n'
    writeFileSync(F('a.jsonl'), obs('agent-a', 8, 0))
    writeFileSync(F('b.jsonl'), obs('agent-b', 4, 20))
    mkdirSync(F('logs'))
    await quiet(['log', 'append', '--key', F('a.key'), '--log', F('logs', 'a.log'), '--from', F('a.jsonl'), '--checkpoint-every', '4'])
    await quiet(['log', 'append', '--key', F('b.key'), '--log', F('logs', 'b.log'), '--from', F('b.jsonl'), '--saw', F('logs', 'a.log')])
    writeFileSync(F('fleet.jsonl'), Array.from({length: 6}, (_, a) => obs(`a${a}`, 6, 0)).join(''))
    await quiet(['baseline', 'create', '--per-agent', '--from', F('fleet.jsonl'), '--subject', 'fleet', '--key', F('a.key'), '--out-dir', F('leaves')])
    await quiet(['aggregate', 'build', '--from', F('leaves'), '--pub', F('a.pub'), '--key', F('b.key'), '--out', F('tree')])
    await quiet(['aggregate', 'prove', '--tree', F('tree'), '--agent', 'a3', '--out', F('incl.json')])
  })

  it('keys generate: keyType, keyId, written {key, pub}', async () => {
    const d = await run(0, (dir) => ['keys', 'generate', '--out', join(dir, 'k'), '--unencrypted'])
    assert.deepEqual([d.keyType, d.encrypted, Object.keys(d.written)], ['ed25519', false, ['key', 'pub']])
    assert.equal(d.type, 'tcp.keys.generate/v1')
  })

  it('keys show: a .key, and --pub', async () => {
    const s = await run(0, () => ['keys', 'show', F('a.key')], {keyIds: true})
    assert.deepEqual([s.keyType, s.kind, s.encrypted], ['ed25519', 'private', false])
    const p = await run(0, () => ['keys', 'show', F('x.pub'), '--pub'], {keyIds: true})
    assert.deepEqual([p.keyType, typeof p.pem], ['x25519', 'string'])
  })

  it('keys export and keys import: written names the files, of a private and of a public key', async () => {
    const e = await run(0, (dir) => ['keys', 'export', F('a.key'), '--format', 'openssh', '--unencrypted', '--out', join(dir, 'id_a')], {keyIds: true})
    assert.deepEqual([e.keyType, e.kind, e.format], ['ed25519', 'private', 'openssh'])
    const i = await run(0, (dir) => ['keys', 'import', F('a.pem'), '--out', join(dir, 'imported'), '--unencrypted'], {keyIds: true})
    assert.deepEqual(Object.keys(i.written), ['key', 'pub'])
    const pub = await run(0, (dir) => ['keys', 'import', F('a.pub'), '--out', join(dir, 'pub-only')], {keyIds: true})
    assert.deepEqual([pub.format, Object.keys(pub.written)], ['spki-pem', ['pub']])
  })

  it('keys rotate: oldKeyId, newKeyId, written {rotation}', async () => {
    const d = await run(0, (dir) => ['keys', 'rotate', '--key', F('a.key'), '--new', F('b.key'), '--out', join(dir, 'r.dsse.json')], {keyIds: true})
    assert.equal(d.oldKeyId !== d.newKeyId && ids.has(d.oldKeyId) && ids.has(d.newKeyId), true)
  })

  it('sign: a new envelope, and a signature added in place (the changed envelope is written.envelope)', async () => {
    const s = await run(0, (dir) => ['sign', F('f.txt'), '--key', F('a.key'), '--out', join(dir, 'f.dsse.json')], {keyIds: true})
    assert.deepEqual([s.kind, s.signatures, s.trust], ['statement', 1, undefined])
    const c = await run(0, (dir) => ['sign', join(dir, 'f.dsse.json'), '--key', F('b.key'), '--pub', F('a.pub')], {keyIds: true, setup: (dir) => copyFileSync(F('f.dsse.json'), join(dir, 'f.dsse.json'))})
    // The signatures already on the envelope were checked under --pub before adding one: the trust is named (rule 6).
    assert.deepEqual([c.kind, c.signatures, c.trust], ['countersignature', 2, `--pub ${F('a.pub')}`])
  })

  it('seal and unseal: recipientKeyIds, identityKeyId, written {sealed} / {plaintext}', async () => {
    const s = await run(0, (dir) => ['seal', F('f.txt'), '--recipient', F('x.pub'), '--recipient', F('y.pub'), '--out', join(dir, 'f.age')], {keyIds: true})
    assert.equal(s.recipientKeyIds.length, 2)
    const u = await run(0, (dir) => ['unseal', F('f.age'), '--identity', F('y.key'), '--out', join(dir, 'f.txt')], {keyIds: true})
    assert.equal(u.plaintextBytes, 6)
  })

  it('descriptor encode (with and without --out) and decode (one descriptor, a set)', async () => {
    const e = await run(0, (dir) => ['descriptor', 'encode', '--command', 'ls', '--flags', 'SAFE', '--out', join(dir, 'ls.tcpd')])
    assert.equal(e.count, 1)
    assert.equal((await run(0, () => ['descriptor', 'encode', '--command', 'ls'])).written, undefined)
    assert.equal((await run(0, () => ['descriptor', 'decode', '--file', F('rm.tcpd')])).policy, 'REJECT')
    const set = await run(0, () => ['descriptor', 'decode', '--file', F('tools.tcpd')])
    assert.deepEqual(set.descriptors.map((d: {policy: string}) => d.policy), ['APPROVE', 'REJECT'])
  })

  it('verify, every kind: signerKeyIds and the other key ids under key-id members, accepted and rejected', async () => {
    const dsse = await run(0, () => ['verify', F('f.dsse.json'), '--pub', F('a.pub')], {keyIds: true})
    assert.deepEqual([dsse.report.kind, dsse.report.signerKeyIds.length, dsse.report.notChecked], ['dsse-envelope', 1, ['f.txt']])
    const rejected = await run(1, () => ['verify', F('f.dsse.json'), '--pub', F('b.pub')])
    assert.deepEqual([rejected.report.ok, rejected.error.code], [false, 'rejected'])
    const rotation = await run(0, () => ['verify', F('rotation.dsse.json'), '--pub', F('a.pub'), '--pub', F('b.pub'), '--threshold', '2'], {keyIds: true})
    assert.equal(rotation.report.signerKeyIds.length, 2)
    writeFileSync(F('batch.jsonl'), JSON.stringify(JSON.parse(readFileSync(F('f.dsse.json'), 'utf8'))) + '\n')
    const batch = (await run(0, () => ['verify', '--batch', F('batch.jsonl'), '--pub', F('a.pub')])).report
    // report.ok reads the same for a batch as for one artifact (docs/json.md rule 3), accepted and rejected.
    assert.deepEqual([batch.verified, batch.ok], [1, true])
    const batchRejected = (await run(1, () => ['verify', '--batch', F('batch.jsonl'), '--pub', F('b.pub')])).report
    assert.deepEqual([batchRejected.verified, batchRejected.rejected.length, batchRejected.ok], [0, 1, false])
    const log = await run(0, () => ['verify', F('logs', 'a.log'), '--pub', F('a.pub')], {keyIds: true})
    assert.deepEqual(log.report.log.keyIds, [[...ids][0]])
    const fleet = await run(0, () => ['verify', F('logs', 'b.log'), '--pub', F('a.pub'), '--pub', F('b.pub'), '--fleet', F('logs')], {keyIds: true})
    assert.equal(fleet.report.fleet.logs, 2)
    const untrusted = await run(1, () => ['verify', F('logs', 'a.log'), '--pub', F('b.pub')], {keyIds: true})
    assert.ok(untrusted.report.failures.length > 0)
    const root = await run(0, () => ['verify', F('tree', 'root.dsse.json'), '--pub', F('b.pub')], {keyIds: true})
    assert.equal(root.report.leaves, 6)
    const audit = await run(0, () => ['verify', F('tree', 'root.dsse.json'), '--pub', F('a.pub'), '--pub', F('b.pub'), '--audit', F('tree'), '--sample', '1'])
    assert.equal(audit.report.sample.paths, 1)
    assert.equal((await run(1, () => ['verify', F('tree', 'root.dsse.json'), '--pub', F('a.pub')])).report.ok, false)
    const incl = await run(0, () => ['verify', F('incl.json'), '--root', F('tree', 'root.dsse.json'), '--pub', F('b.pub')], {keyIds: true})
    // The root's signers are named as for an aggregate-root report, not only inside a check's detail.
    assert.deepEqual([incl.report.agent, incl.report.signerKeyIds], ['a3', [root.report.signerKeyIds[0]]])
    const V = join(ROOT, 'test', 'vectors', 'attest')
    const nonce = JSON.parse(readFileSync(join(V, 'ecc.bundle.json'), 'utf8')).nonce as string
    const quote = await run(0, () => ['verify', join(V, 'ecc.bundle.json'), '--ak', join(V, 'ecc.ak.pem'), '--nonce', nonce])
    assert.equal(quote.report.kind, 'tpm-quote-bundle')
    assert.equal((await run(1, () => ['verify', join(V, 'ecc.bundle.json'), '--ak', join(V, 'rsa.ak.pem'), '--nonce', nonce])).report.ok, false)
  })
})
