#!/usr/bin/env node
// SECURITY.md's resistance tables are generated from `tcp redteam run --json`, like the README's includes:
//   <!-- redteam-table NAME -->  ...  <!-- end redteam-table -->
// NAME is a report checked in as docs/redteam/NAME.json (the report is a pure function of its seed, so it can be
// checked in and re-run byte for byte; timings go to docs/redteam/NAME.timings.json).
//   node scripts/security-table.mjs                refresh the tables from the checked-in reports
//   node scripts/security-table.mjs --check        exit 1 when SECURITY.md is out of date (a test runs it)
//   node scripts/security-table.mjs --run quick    re-run a report first (quick: --quick, 1,000 agents; full: 10,000)
// Needs the build (dist/).
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const SEED = 20261127
export const RUNS = {
  quick: ['redteam', 'run', '--quick', '--vector', 'all', '--seed', String(SEED), '--json'],
  full: ['redteam', 'run', '--vector', 'all', '--agents', '10000', '--seed', String(SEED), '--json'],
}
const {renderResistanceTable} = await import(join(root, 'dist', 'core', 'redteam', 'render.js'))

const args = process.argv.slice(2)
const runAt = args.indexOf('--run')
if (runAt >= 0) {
  const name = args[runAt + 1]
  if (!(name in RUNS)) {
    console.error(`--run: expected quick or full, got ${name}`)
    process.exit(2)
  }
  let out
  try {
    out = execFileSync(process.execPath, [join(root, 'bin', 'run.js'), ...RUNS[name]], {encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit']})
  } catch (e) {
    // Exit 3 (a bound missed) still prints the report: keep it, the table will say so.
    if (e.status !== 3) throw e
    out = e.stdout
  }
  const {report, timings} = JSON.parse(out)
  writeFileSync(join(root, 'docs', 'redteam', `${name}.json`), JSON.stringify(report, null, 2) + '\n')
  writeFileSync(join(root, 'docs', 'redteam', `${name}.timings.json`), JSON.stringify(timings, null, 2) + '\n')
}

const path = join(root, 'SECURITY.md')
const before = readFileSync(path, 'utf8')
const after = before.replace(/<!-- redteam-table (\w+) -->\n[\s\S]*?<!-- end redteam-table -->/g, (_, name) => {
  if (!(name in RUNS)) throw new Error(`SECURITY.md: unknown redteam-table ${name}`)
  let report
  try {
    report = JSON.parse(readFileSync(join(root, 'docs', 'redteam', `${name}.json`), 'utf8'))
  } catch (e) {
    if (e.code !== 'ENOENT') throw e
    return `<!-- redteam-table ${name} -->\nNot run yet: \`node scripts/security-table.mjs --run ${name}\` (\`tcp ${RUNS[name].join(' ')}\`).\n<!-- end redteam-table -->`
  }
  let timing = ''
  try {
    const t = JSON.parse(readFileSync(join(root, 'docs', 'redteam', `${name}.timings.json`), 'utf8'))
    timing = `\n\nRun time of that run on this 2-core machine (shared with other jobs): ${(t.totalMs / 1000).toFixed(1)} s (${Object.entries(t.vectorsMs).map(([v, ms]) => `${v} ${(ms / 1000).toFixed(1)} s`).join(', ')}).`
    if (t.paths) {
      timing += '\n\n| vector | undefended path (ms, all trials) | defended path (ms, all trials) | overhead (x) |\n|---|---|---|---|\n'
      timing += Object.entries(t.paths).map(([v, p]) => `| ${v} | ${p.undefendedMs} | ${p.defendedMs} | ${p.ratio} |`).join('\n')
    }
  } catch {}
  return `<!-- redteam-table ${name} -->\n${renderResistanceTable(report, `tcp ${RUNS[name].join(' ')}`)}${timing}\n<!-- end redteam-table -->`
})
if (args.includes('--check')) {
  if (after !== before) {
    console.error('SECURITY.md is out of date: run node scripts/security-table.mjs')
    process.exit(1)
  }
} else writeFileSync(path, after)
