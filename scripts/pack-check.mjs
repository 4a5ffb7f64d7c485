#!/usr/bin/env node
// Installs tcp as a user would and runs it from another folder. Steps, each timed:
//   1. copy the checkout's files (git ls-files: tracked and untracked, not ignored; no dist/, no manifest) to a
//      temporary folder, as a fresh clone, and `npm pack` there: prepack must build dist/ and the manifest;
//   2. `npm install -g --prefix P ./tcp-toolkit-*.tgz` (the registry for dependencies, --prefer-offline);
//   3. from an unrelated folder, with an empty configuration and cache: `tcp --version`, `tcp keys generate`,
//      `tcp sign`, `tcp verify` (and a tampered copy rejected), `tcp zk compile --size 8` (circom2 at run time),
//      `tcp descriptor` round trip, `import 'tcp-toolkit'` (the library by name) signing and verifying, and the
//      --json documents of a CI flow validated against the JSON Schemas the package ships (tcp-toolkit/schemas/*);
//   4. with --demo, the whole `tcp demo` (about 90 s here: a Groth16 setup is in it).
// Exit 0 when every step behaves, 1 otherwise (the failed step named). Usage: node scripts/pack-check.mjs [--demo] [--keep]
import {execFileSync, spawnSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const demo = process.argv.includes('--demo')
const keep = process.argv.includes('--keep')
const tmp = mkdtempSync(join(tmpdir(), 'tcp-pack-'))
const clone = join(tmp, 'clone')
const prefix = join(tmp, 'prefix')
const work = join(tmp, 'elsewhere')
const project = join(tmp, 'project') // a folder whose node_modules holds the installed package
// No configuration, no cache, no npm state of the developer leaks in (npm's own cache is kept: offline-friendly).
const env = {
  ...process.env,
  XDG_CONFIG_HOME: join(tmp, 'config'),
  XDG_DATA_HOME: join(tmp, 'data'),
  TCP_CACHE_DIR: join(tmp, 'cache'),
  TCP_NO_CONFIG: '',
  TCP_PASSPHRASE: 'pack-check passphrase',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
}
delete env.TCP_NO_CONFIG
delete env.NODE_OPTIONS

let failed = null
const t0 = performance.now()
function step(name, fn) {
  if (failed) return
  const t = performance.now()
  try {
    const detail = fn()
    console.log(`ok   ${name} (${((performance.now() - t) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`)
  } catch (e) {
    failed = name
    console.log(`FAIL ${name}: ${String(e.message ?? e).trim().split('\n').slice(0, 12).join('\n     ')}`)
  }
}
/** Runs a command; throws unless it exits with `code`. Returns stdout. */
function run(cmd, args, {cwd = work, code = 0, input} = {}) {
  // A command that does its work and then never exits (worker threads left running) is a failure, not a hang.
  const r = spawnSync(cmd, args, {cwd, env, encoding: 'utf8', input, maxBuffer: 64 << 20, timeout: 240_000})
  if (r.error?.code === 'ETIMEDOUT') throw new Error(`${[cmd, ...args].join(' ')} did not exit within 240 s`)
  if (r.status !== code) throw new Error(`${[cmd, ...args].join(' ')} exited ${r.status}, expected ${code}\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}
const tcp = join(prefix, 'bin', 'tcp')

step('fresh copy of the checkout (no dist/, no manifest)', () => {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {cwd: root, encoding: 'utf8'}).split('\0').filter((f) => f && f !== 'node_modules')
  for (const f of files) {
    mkdirSync(dirname(join(clone, f)), {recursive: true})
    try {
      cpSync(join(root, f), join(clone, f))
    } catch (e) {
      if (e.code !== 'ENOENT') throw e // deleted in the work tree, not yet in git
    }
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'))
  if (readdirSync(clone).includes('dist')) throw new Error('the copy has a dist/ folder')
  return `${files.length} files`
})

let tarball
step('npm pack (prepack builds dist/ and the manifest)', () => {
  run('npm', ['pack', '--pack-destination', tmp, '--json'], {cwd: clone})
  tarball = readdirSync(tmp).find((f) => /^tcp-toolkit-.*\.tgz$/.test(f))
  if (!tarball) throw new Error('no tarball written')
  const list = run('tar', ['tzf', join(tmp, tarball)], {cwd: tmp})
  for (const need of ['package/docs/json.md', 'package/docs/schemas/tcp.verify.v1.schema.json', 'package/docs/schemas/tcp.error.v1.schema.json', 'package/oclif.manifest.json', 'package/dist/core/index.js', 'package/dist/core/index.d.ts', 'package/dist/commands/verify.js', 'package/dist/vendor/oclif-core.cjs', 'package/circuits/window_8.circom', 'package/bin/run.js'])
    if (!list.includes(need + '\n')) throw new Error(`the tarball lacks ${need}`)
  return `${tarball}, ${list.trim().split('\n').length} files`
})

step('npm install -g --prefix P ./tcp-toolkit-*.tgz', () => {
  run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, tarball)], {cwd: tmp})
})

mkdirSync(work, {recursive: true})
step('tcp --version from another folder', () => {
  const v = run(tcp, ['--version']).trim()
  const want = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
  if (!v.startsWith(`tcp-toolkit/${want} `)) throw new Error(`unexpected version line: ${v}`)
  return v
})

step('tcp keys generate, sign, verify; a tampered copy rejected', () => {
  run(tcp, ['keys', 'generate', '-o', 'alice'])
  writeFileSync(join(work, 'report.txt'), 'quarterly numbers\n')
  run(tcp, ['sign', 'report.txt', '--key', 'alice.key', '-o', 'report.dsse.json'])
  const ok = JSON.parse(run(tcp, ['verify', 'report.dsse.json', '--pub', 'alice.pub', '--file', 'report.txt', '--json']))
  if (ok.report.ok !== true) throw new Error('verify did not pass')
  writeFileSync(join(work, 'report.txt'), 'quarterly numbers, edited\n')
  run(tcp, ['verify', 'report.dsse.json', '--pub', 'alice.pub', '--file', 'report.txt'], {code: 1})
  return `${ok.report.checks.length} checks, then exit 1 on the edited file`
})

step('tcp descriptor encode/decode', () => {
  const help = run(tcp, ['descriptor', '--help'])
  if (!/encode/.test(help)) throw new Error('no descriptor commands')
})

step('tcp zk compile --size 8 (circom2 and circomlib at run time)', () => {
  const r = JSON.parse(run(tcp, ['zk', 'compile', '--size', '8', '--json']))
  const c = JSON.stringify(r)
  if (!/constraints/.test(c)) throw new Error(`unexpected output ${c.slice(0, 200)}`)
  return c.match(/"constraints":\s*(\d+)/)?.[0]
})

step("import 'tcp-toolkit' by name: sign and verify through the library", () => {
  // A project folder that depends on the installed package (what `npm install tcp-toolkit` would link).
  mkdirSync(join(project, 'node_modules'), {recursive: true})
  symlinkSync(join(prefix, 'lib', 'node_modules', 'tcp-toolkit'), join(project, 'node_modules', 'tcp-toolkit'))
  const script = `
    const t = await import('tcp-toolkit')
    const kp = t.generateKeyPair('ed25519')
    const {envelope} = t.signFile('a.txt', t.utf8('hello'), {...kp, type: 'ed25519'})
    const trust = t.trustFromPublicKeys([kp.publicKey])
    const good = await t.verifyArtifact(envelope, {trust, file: {name: 'a.txt', bytes: t.utf8('hello')}})
    const bad = await t.verifyArtifact(envelope, {trust, file: {name: 'a.txt', bytes: t.utf8('hullo')}})
    console.log(JSON.stringify({good: good.ok, bad: bad.ok}))`
  const out = run(process.execPath, ['--input-type=module', '-e', script], {cwd: project})
  const r = JSON.parse(out)
  if (r.good !== true || r.bad !== false) throw new Error(`library verdicts ${out}`)
  return 'accepted the file, rejected the edited one'
})

step('tcp --json in a CI flow: each document valid under the schema the package ships for its type', () => {
  // What a user's CI does: resolve the schemas through the package's exports, load them all, validate by `type`.
  const some = run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('tcp-toolkit/schemas/tcp.error.v1.schema.json'))"], {cwd: project})
  const dir = dirname(fileURLToPath(some.trim()))
  const shipped = readdirSync(dir).filter((f) => f.endsWith('.schema.json'))
  const inRepo = readdirSync(join(root, 'docs', 'schemas')).filter((f) => f.endsWith('.schema.json'))
  if (shipped.length !== inRepo.length) throw new Error(`the package ships ${shipped.length} schemas, docs/schemas has ${inRepo.length}`)
  const {Ajv2020} = createRequire(import.meta.url)('ajv/dist/2020.js')
  const ajv = new Ajv2020({strict: true, allErrors: true, allowUnionTypes: true})
  for (const f of shipped) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), 'utf8')), f)
  writeFileSync(join(work, 'ci.txt'), 'build 42\n')
  const docs = [
    run(tcp, ['keys', 'generate', '-o', 'ci', '--json']),
    run(tcp, ['sign', 'ci.txt', '--key', 'ci.key', '-o', 'ci.dsse.json', '--json']),
    run(tcp, ['verify', 'ci.dsse.json', '--pub', 'ci.pub', '--file', 'ci.txt', '--json']),
    run(tcp, ['verify', 'ci.dsse.json', '--pub', 'alice.pub', '--file', 'ci.txt', '--json'], {code: 1}),
    run(tcp, ['verify', 'missing.dsse.json', '--pub', 'ci.pub', '--json'], {code: 2}),
  ].map((text) => JSON.parse(text))
  for (const doc of docs) {
    const validate = ajv.getSchema(`${doc.type.replace('/', '.')}.schema.json`)
    if (!validate) throw new Error(`no shipped schema for ${doc.type}`)
    if (!validate(doc)) throw new Error(`${doc.type}: ${ajv.errorsText(validate.errors)}`)
  }
  return `${shipped.length} schemas; ${docs.map((d) => d.type).join(', ')} valid`
})

if (demo) step('tcp demo from another folder', () => run(tcp, ['demo']).trim().split('\n').at(-1))

console.log(`${failed ? `pack check FAILED at: ${failed}` : 'pack check passed'} in ${((performance.now() - t0) / 1000).toFixed(1)} s${keep ? ` (kept ${tmp})` : ''}`)
if (!keep) rmSync(tmp, {recursive: true, force: true})
process.exit(failed ? 1 : 0)
