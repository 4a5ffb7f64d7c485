#!/usr/bin/env node
// docs/commands.md, the command reference, is generated from oclif.manifest.json (built by `npm run build`):
// every command with its summary, arguments, flags and examples. `node scripts/commands-doc.mjs` rewrites it;
// `--check` exits 1 when the checked-in file differs from what the current manifest gives (a test runs it).
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'docs', 'commands.md')
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const bin = pkg.oclif.bin

const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
const ids = Object.keys(manifest.commands).sort()
const lines = [
  '# Command reference',
  '',
  `Generated from \`oclif.manifest.json\` by \`node scripts/commands-doc.mjs\`; do not edit by hand (a test checks it).`,
  `Every command also takes \`--json\` (the result, or the error, as one JSON document on stdout) and \`--help\`.`,
  '',
]
const topics = [...new Set(ids.map((id) => id.split(':')[0]))]
for (const t of topics) {
  const desc = pkg.oclif.topics?.[t]?.description
  const first = ids.find((id) => id === t || id.startsWith(t + ':'))
  const anchor = `${bin} ${first.replaceAll(':', ' ')}`.replace(/ /g, '-')
  lines.push(`- [\`${bin} ${t}\`](#${anchor})${desc ? `: ${desc}` : ''}`)
}
lines.push('')
for (const id of ids) {
  const c = manifest.commands[id]
  if (c.hidden) continue
  const name = `${bin} ${id.replaceAll(':', ' ')}`
  const args = Object.values(c.args ?? {}).map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))
  lines.push(`## ${name}`, '', c.summary ?? '', '')
  if (c.description && c.description !== c.summary) lines.push(c.description, '')
  lines.push('```', `${name}${args.length ? ' ' + args.join(' ') : ''} [flags]`, '```', '')
  const argRows = Object.values(c.args ?? {})
  const flags = Object.values(c.flags ?? {}).filter((f) => !f.hidden && f.name !== 'json')
  if (argRows.length || flags.length) {
    lines.push('| argument or flag | description |', '|---|---|')
    for (const a of argRows) lines.push(`| \`${a.name.toUpperCase()}\` | ${cell(a.description)} |`)
    for (const f of flags.sort((a, b) => a.name.localeCompare(b.name))) {
      const short = f.char ? `-${f.char}, ` : ''
      const extra = []
      if (f.default !== undefined && f.type === 'option') extra.push(`default: ${f.default}`)
      if (f.options) extra.push(`one of: ${f.options.join(', ')}`)
      if (f.multiple) extra.push('repeatable')
      if (f.required) extra.push('required')
      lines.push(`| \`${short}--${f.name}${f.type === 'option' ? ' VALUE' : ''}\` | ${cell(f.description)}${extra.length ? ` (${extra.join('; ')})` : ''} |`)
    }
    lines.push('')
  }
  const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command)).map((e) => e.replaceAll('<%= config.bin %>', bin).replaceAll('<%= command.id %>', id.replaceAll(':', ' ')))
  if (examples.length) lines.push('```sh', ...examples, '```', '')
}
const text = lines.join('\n').replace(/\n+$/, '\n')
if (process.argv.includes('--check')) {
  let current = ''
  try {
    current = readFileSync(out, 'utf8')
  } catch {}
  if (current !== text) {
    console.error('docs/commands.md is out of date: run npm run build && node scripts/commands-doc.mjs')
    process.exit(1)
  }
} else writeFileSync(out, text)
