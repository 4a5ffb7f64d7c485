// Every --json document a test sees is checked against the schema its `type` names (docs/json.md): tcp() and
// tcpProcess() call checkJsonOutput on their stdout. The types seen are appended to $TCP_JSON_SEEN/<pid>.txt, so
// scripts/test.mjs can fail a full run in which some command's output was never validated.
import {appendFileSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import assert from 'node:assert/strict'
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'

export const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'docs', 'schemas')

let ajv: Ajv2020 | undefined
const compiled = new Map<string, ValidateFunction>()

/** All schemas of docs/schemas, loaded once (strict mode: an unknown keyword is an error in the schema). */
export function schemas(): Ajv2020 {
  if (ajv) return ajv
  ajv = new Ajv2020({strict: true, allErrors: true, allowUnionTypes: true})
  for (const f of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json')))
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')), f)
  return ajv
}

/** `tcp.keys.generate/v1` -> `tcp.keys.generate.v1.schema.json`. */
export const schemaFileOf = (type: string): string => `${type.replace('/', '.')}.schema.json`

/** Validates one --json document; throws naming the type and every schema error. Returns the parsed document. */
export function checkJsonDocument(text: string, argv: readonly string[]): any {
  let doc: any
  try {
    doc = JSON.parse(text)
  } catch {
    throw new Error(`tcp ${argv.join(' ')}: --json output is not one JSON document:\n${text.slice(0, 500)}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || typeof doc.type !== 'string')
    throw new Error(`tcp ${argv.join(' ')}: --json output has no "type" member`)
  if (Object.keys(doc)[0] !== 'type') throw new Error(`tcp ${argv.join(' ')}: "type" is not the first member of its --json output`)
  const file = schemaFileOf(doc.type)
  let validate = compiled.get(file)
  if (!validate) {
    validate = schemas().getSchema(file)
    if (!validate) throw new Error(`tcp ${argv.join(' ')}: no schema docs/schemas/${file} for --json type ${doc.type}`)
    compiled.set(file, validate)
  }
  if (!validate(doc)) {
    const errs = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
    throw new Error(`tcp ${argv.join(' ')}: --json output does not match docs/schemas/${file}:\n  ${errs.join('\n  ')}`)
  }
  if (process.env.TCP_JSON_SEEN) appendFileSync(join(process.env.TCP_JSON_SEEN, `${process.pid}.txt`), doc.type + '\n')
  return doc
}

/** Checks stdout when the command ran with --json and printed something (a crash with no output is the test's to judge). */
export function checkJsonOutput(argv: readonly string[], stdout: string): void {
  if (!argv.includes('--json') || stdout.trim() === '') return
  checkJsonDocument(stdout, argv)
}

/**
 * The schema of the document's type refuses it with any top-level member renamed, any required one missing and any
 * role of `written` renamed; with `reportMembers`, any member of its `report` renamed too. A test of a command's
 * --json calls it on real documents, so a schema that quietly accepts an old name cannot pass.
 */
export function assertSchemaRefusesBroken(doc: Record<string, any>, argv: readonly string[], o: {reportMembers?: boolean} = {}): void {
  const required = (schemas().getSchema(schemaFileOf(doc.type))?.schema as {required?: string[]}).required ?? []
  const renamed = (x: Record<string, unknown>, k: string) => Object.fromEntries(Object.entries(x).map(([a, v]) => [a === k ? `${a}Old` : a, v]))
  const refused = (d: object, what: string) => assert.throws(() => checkJsonDocument(JSON.stringify(d), argv), /does not match/, `${doc.type}: ${what} is still accepted`)
  for (const k of Object.keys(doc).filter((x) => x !== 'type')) {
    refused(renamed(doc, k), `"${k}" renamed`)
    if (required.includes(k)) refused(Object.fromEntries(Object.entries(doc).filter(([a]) => a !== k)), `"${k}" missing`)
  }
  for (const k of Object.keys(doc.written ?? {})) refused({...doc, written: renamed(doc.written, k)}, `written.${k} renamed`)
  if (o.reportMembers && doc.report) for (const k of Object.keys(doc.report)) refused({...doc, report: renamed(doc.report, k)}, `report.${k} renamed`)
}
