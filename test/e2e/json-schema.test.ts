// The --json convention (docs/json.md): a schema per command in docs/schemas/, schemas that are themselves
// well-formed, one error document, and verify's report in the same place whether it accepts or rejects.
// Every --json output any test sees is validated by test/helpers/json.ts; scripts/test.mjs checks that every
// command's output was validated at least once in a full run.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, writeFileSync, appendFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, tcp, tcpProcess, tempDir} from '../helpers/cli.js'
import {SCHEMA_DIR, schemaFileOf, schemas, checkJsonDocument} from '../helpers/json.js'

const ids = Object.keys(JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')).commands).sort()
const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort()

test('every command has a schema for its --json document, and every schema belongs to a command or the error', () => {
  for (const id of ids) {
    const stem = `tcp.${id.replace(/[ :]/g, '.')}.v`
    assert.ok(files.some((f) => f.startsWith(stem) && /^\d+\.schema\.json$/.test(f.slice(stem.length))), `no docs/schemas/${stem}N.schema.json for tcp ${id.replace(/:/g, ' ')}`)
  }
  const known = new Set([...ids.map((id) => `tcp.${id.replace(/[ :]/g, '.')}`), 'tcp.error'])
  for (const f of files) assert.ok(known.has(f.replace(/\.v\d+\.schema\.json$/, '')), `docs/schemas/${f} names no command`)
})

test('every schema compiles in strict mode and pins its own type as the first required member', () => {
  const ajv = schemas()
  for (const f of files) {
    const s = JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8'))
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema', f)
    assert.equal(s.$id, f, `${f}: $id`)
    assert.ok(typeof s.description === 'string' && s.description.length > 20 && !/TODO/.test(s.description), `${f}: a description that says what the document is`)
    const type = f.replace(/\.(v\d+)\.schema\.json$/, '/$1')
    assert.equal(schemaFileOf(type), f)
    assert.deepEqual(s.properties?.type, {const: type}, `${f}: properties.type must be {"const": "${type}"}`)
    assert.equal(s.required?.[0], 'type', `${f}: "type" first in required`)
    assert.equal(s.additionalProperties, false, `${f}: the top level lists every member (additionalProperties: false)`)
    assert.ok(ajv.getSchema(f), `${f} does not compile`)
  }
})

test('a document that breaks its schema is refused by the check the whole suite uses', () => {
  assert.throws(() => checkJsonDocument(JSON.stringify({type: 'tcp.error/v1', error: {code: 'usage', exitCode: 2}}), ['x']), /message/)
  assert.throws(() => checkJsonDocument(JSON.stringify({error: {code: 'usage', exitCode: 2, message: 'm'}}), ['x']), /no "type"/)
  assert.throws(() => checkJsonDocument(JSON.stringify({type: 'tcp.error/v1', error: {code: 'usage', exitCode: 2, message: 'm'}, extra: 1}), ['x']), /additional/)
  assert.throws(() => checkJsonDocument(JSON.stringify({type: 'tcp.nothing/v1'}), ['x']), /no schema/)
})

test('errors before any command runs (unknown command) and inside one print tcp.error/v1', async () => {
  const a = tcpProcess(['no-such-command', '--json'])
  assert.equal(a.code, 2)
  assert.equal(a.json().type, 'tcp.error/v1')
  const topic = tcpProcess(['keys', '--json']) // a topic alone would print its help where one JSON document is promised
  assert.equal(topic.code, 2)
  assert.match(topic.json().error.message, /tcp keys is a topic: name one of its commands \(export, generate, import, rotate, show\)/)
  assert.equal(tcpProcess(['bench', '--json', '--quick', '--only', 'paths']).json().type, 'tcp.bench/v1') // a topic that is also a command runs
  const b = await tcp(['verify', 'does-not-exist.json', '--json'])
  assert.equal(b.code, 2)
  assert.deepEqual([b.json().type, b.json().error.code], ['tcp.error/v1', 'not_found'])
})

test('tcp verify puts its report under "report" when it accepts and when it rejects; a rejection adds "error"', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const f = join(dir, 'f.txt')
    writeFileSync(f, 'hello\n')
    assert.equal((await tcp(['keys', 'generate', '--out', join(dir, 'a'), '--unencrypted', '--json'])).code, 0)
    assert.equal((await tcp(['sign', f, '--key', join(dir, 'a.key'), '--json'])).code, 0)
    const ok = await tcp(['verify', `${f}.dsse.json`, '--pub', join(dir, 'a.pub'), '--file', f, '--json'])
    assert.equal(ok.code, 0)
    appendFileSync(f, 'changed\n')
    const bad = await tcp(['verify', `${f}.dsse.json`, '--pub', join(dir, 'a.pub'), '--file', f, '--json'])
    assert.equal(bad.code, 1)
    const [a, b] = [ok.json(), bad.json()]
    assert.equal(a.type, 'tcp.verify/v1')
    assert.equal(b.type, 'tcp.verify/v1')
    assert.equal(a.report.ok, true)
    assert.equal(b.report.ok, false)
    assert.equal(a.error, undefined)
    assert.equal(b.error.exitCode, 1)
    assert.deepEqual(Object.keys(b.report).filter((k) => k !== 'notChecked'), Object.keys(a.report).filter((k) => k !== 'notChecked'))
    assert.equal(b.report.checks.find((c: {ok: boolean}) => !c.ok).check, 'subject-digest')
  } finally {
    cleanup()
  }
})
