#!/usr/bin/env node
// Where the start-up of `tcp verify` goes, one fresh process per sample (run after `npm run build`):
//   node      node's own start until the first line of a script runs;
//   oclif     importing @oclif/core: the installed package (158 CommonJS modules) and the vendored single file
//             that bin/run.js uses (dist/vendor/oclif-core.cjs);
//   config    oclif's Config.load: package.json, oclif.manifest.json, plugin-help's manifest;
//   command   importing dist/commands/verify.js and what it imports at top level (the kind registry, trust, core);
//   run       parsing flags, reading the artifact and the key, verifying, printing.
// Medians of --runs samples (default 21). Usage: node bench/startup.mjs [--runs 21] [--json]
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {runs: {type: 'string', default: '21'}, json: {type: 'boolean'}}})
const runs = Number(opt.runs)
const dir = mkdtempSync(join(tmpdir(), 'tcp-startup-'))
const core = (p) => import(pathToFileURL(join(root, 'dist', 'core', p)).href)
const {generateKeyPair, encodePublicKeyPem} = await core('keys/index.js')
const {signFile} = await core('envelope/sign.js')
const kp = generateKeyPair('ed25519')
writeFileSync(join(dir, 'k.pub'), encodePublicKeyPem('ed25519', kp.publicKey))
writeFileSync(join(dir, 'a.dsse.json'), JSON.stringify(signFile('a.txt', new TextEncoder().encode('a'), {...kp, type: 'ed25519'}).envelope))

// One process: each phase timed with performance.now(); the vendored copy primed as bin/run.js does.
const probe = (vendored) => `
const t0 = performance.now()
const {createRequire} = await import('node:module')
const require = createRequire(${JSON.stringify(join(root, 'bin', 'run.js'))})
if (${vendored}) {
  const Module = require('node:module'); const main = require.resolve('@oclif/core')
  const m = new Module(main); m.filename = main; m.paths = Module._nodeModulePaths(main)
  m.exports = require('../dist/vendor/oclif-core.cjs'); m.loaded = true; require.cache[main] = m
}
const oc = require('@oclif/core')
const t1 = performance.now()
const config = await oc.Config.load(${JSON.stringify(join(root, 'bin', 'run.js'))})
const t2 = performance.now()
const {default: Verify} = await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'commands', 'verify.js')).href)})
const t3 = performance.now()
process.stdout.write = () => true
await Verify.run([${JSON.stringify(join(dir, 'a.dsse.json'))}, '--pub', ${JSON.stringify(join(dir, 'k.pub'))}], config)
const t4 = performance.now()
console.error(JSON.stringify({node: t0, oclif: t1 - t0, config: t2 - t1, command: t3 - t2, run: t4 - t3}))`

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const result = {}
for (const vendored of [false, true]) {
  const samples = []
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe(vendored)], {cwd: dir, encoding: 'utf8', env: {...process.env, TCP_NO_CONFIG: '1'}})
    if (r.status !== 0) throw new Error(`probe exited ${r.status}: ${r.stderr}`)
    samples.push(JSON.parse(r.stderr.trim().split('\n').at(-1)))
  }
  const m = Object.fromEntries(Object.keys(samples[0]).map((k) => [k, median(samples.map((s) => s[k]))]))
  m.total = Object.values(m).reduce((a, b) => a + b, 0)
  result[vendored ? 'vendored' : 'installed'] = m
}
rmSync(dir, {recursive: true, force: true})
const os = await import('node:os')
result.machine = `${process.version}, ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)} at the end`
if (opt.json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`start-up of tcp verify, medians of ${runs} processes (ms):`)
  console.log('@oclif/core  node  oclif  config  command  run  total')
  for (const k of ['installed', 'vendored']) {
    const m = result[k]
    console.log(`${k.padEnd(12)} ${[m.node, m.oclif, m.config, m.command, m.run, m.total].map((x) => x.toFixed(1).padStart(5)).join('  ')}`)
  }
  console.log(result.machine)
}
