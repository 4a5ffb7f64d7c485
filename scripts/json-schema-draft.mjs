#!/usr/bin/env node
// A first draft of a --json schema from one real document (docs/json.md), for a person to finish: describe each
// member, widen what the sample could not show (null, optional members, enums). Never the final word.
//   tcp keys generate --out alice --json | node scripts/json-schema-draft.mjs > docs/schemas/tcp.keys.generate.v1.schema.json
import {readFileSync} from 'node:fs'

const doc = JSON.parse(readFileSync(0, 'utf8'))

function infer(v, depth) {
  if (v === null) return {type: 'null'}
  if (Array.isArray(v)) return v.length ? {type: 'array', items: infer(v[0], depth + 1)} : {type: 'array'}
  if (typeof v === 'object') {
    const o = {type: 'object', properties: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, infer(x, depth + 1)])), required: Object.keys(v)}
    if (depth === 0) o.additionalProperties = false
    return o
  }
  if (typeof v === 'number') return {type: Number.isInteger(v) ? 'integer' : 'number'}
  return {type: typeof v}
}

const s = infer(doc, 0)
s.properties.type = {const: doc.type}
const file = `${doc.type.replace('/', '.')}.schema.json`
console.log(JSON.stringify({$schema: 'https://json-schema.org/draft/2020-12/schema', $id: file, title: `tcp ${doc.type.slice(4).split('/')[0].replace(/\./g, ' ')} --json`, description: 'TODO', ...s}, null, 2))
