#!/usr/bin/env node
// The whole test suite: system packages when missing, build, then every test/**/*.test.ts under node:test
// (through tsx). Ends with one plain line "N passed, N failed" that CI reads.
//   node scripts/test.mjs [filter...]   only test files whose path contains one of the filters
import {execFileSync, spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const filters = process.argv.slice(2)

function summary(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`)
}

try {
  if (!process.env.TCP_SKIP_SYSTEM_DEPS) execFileSync('bash', [join(root, 'scripts/ensure-system-deps.sh')], {stdio: 'inherit'})
  if (!process.env.TCP_SKIP_BUILD) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], {stdio: 'inherit'})
} catch {
  console.error('test: build failed')
  summary(0, 1)
  process.exit(1)
}

/** Command ids (from the oclif manifest) none of whose --json documents a test validated. */
function jsonCoverage(dir) {
  const seen = new Set(readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter(Boolean))
  const ids = Object.keys(JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')).commands)
  return ids.filter((id) => ![...seen].some((t) => t.startsWith(`tcp.${id.replace(/[ :]/g, '.')}/`))).sort()
}

function walk(dir) {
  const out = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(p))
    else if (e.name.endsWith('.test.ts')) out.push(p)
  }
  return out
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

const tmp = mkdtempSync(join(tmpdir(), 'tcp-test-'))
const tap = join(tmp, 'report.tap')
// Every --json document the tests see is validated against its schema (test/helpers/json.ts), which notes its type
// here; a full run then checks that every command's output was validated at least once (docs/json.md).
const seenDir = join(tmp, 'json-seen')
mkdirSync(seenDir)
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  {cwd: root, stdio: 'inherit', env: {...process.env, TCP_NO_CONFIG: '1', FORCE_COLOR: '0', TCP_JSON_SEEN: seenDir}},
)
let passed = 0
let failed = 0
try {
  const report = readFileSync(tap, 'utf8')
  passed = Number(/^# pass (\d+)/m.exec(report)?.[1] ?? 0)
  failed = Number(/^# fail (\d+)/m.exec(report)?.[1] ?? 0)
  const cancelled = Number(/^# cancelled (\d+)/m.exec(report)?.[1] ?? 0)
  failed += cancelled
} catch {
  failed = 1
}
if (filters.length === 0) {
  const unseen = jsonCoverage(seenDir)
  if (unseen.length === 0) {
    passed += 1
    console.log('ok: every command\'s --json output was validated against its schema')
  } else {
    failed += 1
    console.log(`not ok: --json output never validated for: ${unseen.join(', ')} (add a test that runs them with --json)`)
  }
}
rmSync(tmp, {recursive: true, force: true})
if (res.status !== 0 && failed === 0) failed = 1
summary(passed, failed)
process.exit(failed === 0 ? 0 : 1)
