#!/usr/bin/env node
// README.md includes each topic's section from docs/readme/<topic>.md between markers:
//   <!-- include docs/readme/seal.md -->  ...  <!-- end include -->
// `node scripts/readme.mjs` refreshes them; `--check` exits 1 when README.md is out of date (a test runs it).
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const path = join(root, 'README.md')
const before = readFileSync(path, 'utf8')
const after = before.replace(
  /<!-- include (\S+) -->\n[\s\S]*?<!-- end include -->/g,
  (_, file) => {
    // Links inside a fragment are relative to docs/readme/; from the root they need that prefix.
    const body = readFileSync(join(root, file), 'utf8').trim().replace(/\]\((?!https?:|#|\/)([^)]+)\)/g, `](${dirname(file)}/$1)`)
    return `<!-- include ${file} -->\n${body}\n<!-- end include -->`
  },
)
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('README.md is out of date: run node scripts/readme.mjs')
    process.exit(1)
  }
} else writeFileSync(path, after)
