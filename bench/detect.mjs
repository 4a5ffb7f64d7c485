#!/usr/bin/env node
// Figures of `tcp detect` (issue 12). Each measurement runs in its own child process, so its peak memory (maxRSS)
// is its own:
//  1. in-process detection of a seeded sleeper fleet (5% turning 1 sd at the middle) of n agents x 60 observations,
//     read agent by agent from the generator (generation is included: it is what reading costs here), for each n
//     in --sizes; the growth exponent of the time from the smallest to the largest n (log-log slope);
//     the honest-fleet calibration (simulations that depend on T and F only) is run first and timed apart;
//  2. the real path at --file-n agents: a JSONL file written by `tcp sample`'s generator, then `tcp detect --json`
//     as a whole process (wall time, and maxRSS from /usr/bin/time), and the same read + detect in process with the
//     split between reading and detecting;
//  3. SimHash with d = 64 and dense Gaussian hyperplanes (the clone detector's hashing), microseconds per vector.
// Usage: node bench/detect.mjs [--sizes 10000,100000,1000000] [--file-n 100000] [--seed 7] [--json]
// (run `npm run build` first)
import {spawnSync} from 'node:child_process'
import {createWriteStream, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir, loadavg} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const core = (p) => import(join(root, 'dist', 'core', p))
const {values: opt} = parseArgs({options: {
  sizes: {type: 'string', default: '10000,100000,1000000'}, 'file-n': {type: 'string', default: '100000'},
  seed: {type: 'string', default: '7'}, json: {type: 'boolean'}, child: {type: 'string'}, n: {type: 'string'}, path: {type: 'string'},
}})
const seed = Number(opt.seed)
const T = 60

async function child() {
  const {detectFleet, readFleet, agentNull, fleetNull} = await core('detect/index.js')
  const {ScenarioFleet} = await core('sample/scenarios.js')
  // The honest-fleet simulations depend only on (T, F, reference mode): done once per process (and cacheable), so
  // they are timed apart from the detection whose growth is measured.
  const c0 = performance.now()
  agentNull(T, 4, 'fleet', 30)
  fleetNull(T, 4)
  const calibrationMs = performance.now() - c0
  const t0 = performance.now()
  let readMs = 0
  let src
  if (opt.child === 'memory') src = new ScenarioFleet({scenario: 'sleeper', agents: Number(opt.n), observations: T, seed})
  else {
    src = (await readFleet(opt.path)).fleet
    readMs = performance.now() - t0
  }
  const t1 = performance.now()
  const r = detectFleet(src)
  const detectMs = performance.now() - t1
  const groups = r.findings.filter((f) => f.detector === 'coordinated-onset')
  process.stdout.write(JSON.stringify({n: r.agents, calibrationMs, readMs, detectMs, totalMs: performance.now() - t0, maxRssMB: process.resourceUsage().maxRSS / 1024,
    timingsMs: r.timingsMs, findings: r.findings.map((f) => f.detector), groupSize: groups[0]?.members.length ?? 0}) + '\n')
}

function runChild(args) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--seed', String(seed), ...args], {encoding: 'utf8', maxBuffer: 1 << 26})
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

async function writeFile(path, n) {
  const {ScenarioFleet} = await core('sample/scenarios.js')
  const src = new ScenarioFleet({scenario: 'sleeper', agents: n, observations: T, seed})
  const F = src.features.length
  const w = T * F
  const values = new Float64Array(n * w)
  const buf = new Float64Array(w)
  for (let i = 0; i < n; i++) (src.fill(i, buf), values.set(buf, i * w))
  const out = createWriteStream(path)
  for (let t = 0; t < T; t++) {
    const time = new Date(src.time(t)).toISOString()
    const lines = []
    for (let a = 0; a < n; a++) {
      let line = `{"agent":"${src.name(a)}","time":"${time}"`
      for (let f = 0; f < F; f++) line += `,"${src.features[f]}":${values[a * w + t * F + f]}`
      lines.push(line + '}\n')
    }
    if (!out.write(lines.join(''))) await new Promise((res) => out.once('drain', res))
  }
  await new Promise((res) => out.end(res))
  return src.truth
}

async function main() {
  const {growthExponent} = await core('bench/harness.js')
  const {SimHasher} = await core('lsh/simhash.js')
  const {Rng} = await core('rng.js')
  const log = (s) => console.error(s)
  log(`seed ${seed}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  const sizes = opt.sizes.split(',').map(Number)
  const memory = []
  for (const n of sizes) {
    log(`in process: ${n.toLocaleString('en-US')} agents x ${T}`)
    memory.push(runChild(['--child', 'memory', '--n', String(n)]))
  }
  const exponent = growthExponent(memory.map((m) => m.n), memory.map((m) => m.totalMs))
  const fileN = Number(opt['file-n'])
  const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-detect-'))
  let file = null
  try {
    const path = join(dir, 'fleet.jsonl')
    log(`writing ${fileN.toLocaleString('en-US')} x ${T} JSONL`)
    await writeFile(path, fileN)
    const bytes = statSync(path).size
    log('tcp detect --json (whole process)')
    const t0 = performance.now()
    const cli = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'bin', 'run.js'), 'detect', '--from', path, '--json'], {encoding: 'utf8', maxBuffer: 1 << 28})
    const wallMs = performance.now() - t0
    const report = JSON.parse(cli.stdout)
    const cliRssMB = Number(cli.stderr.trim().split('\n').pop()) / 1024
    log('read + detect in process')
    const inproc = runChild(['--child', 'file', '--path', path])
    file = {n: fileN, bytes, exitCode: cli.status, wallMs, maxRssMB: cliRssMB, findings: report.findings.map((f) => f.detector), inProcess: inproc}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
  const h = new SimHasher({dim: 64, seed: 1, projection: 'gaussian'})
  const rng = new Rng(seed)
  const N = 100_000
  const vecs = new Float64Array(N * 64)
  for (let i = 0; i < vecs.length; i++) vecs[i] = rng.normal()
  const sig = new Uint32Array(2 * N)
  const reps = []
  for (let r = 0; r < 5; r++) {
    const t = performance.now()
    for (let i = 0; i < N; i++) h.hashInto(vecs, i * 64, sig, i)
    reps.push(((performance.now() - t) * 1000) / N)
  }
  reps.sort((a, b) => a - b)
  const result = {seed, observations: T, memory, exponent, file, simhashUs: {median: reps[2], min: reps[0], max: reps[4]}, loadavg: loadavg()}
  if (opt.json) {
    console.log(JSON.stringify(result, null, 2))
    return
  }
  console.log(`tcp detect, sleeper fleets x ${T} observations (seed ${seed})`)
  for (const m of memory) console.log(`  n = ${m.n.toLocaleString('en-US').padStart(9)}: ${(m.totalMs / 1000).toFixed(2)} s (+ calibration ${(m.calibrationMs / 1000).toFixed(2)} s), peak ${m.maxRssMB.toFixed(0)} MB; ${JSON.stringify(m.timingsMs)}; found ${m.findings.join(', ')} (group of ${m.groupSize})`)
  console.log(`  growth exponent ${sizes[0]} -> ${sizes[sizes.length - 1]}: ${exponent.toFixed(3)}`)
  if (file) {
    console.log(`  file path: ${file.n.toLocaleString('en-US')} agents, ${(file.bytes / 1e6).toFixed(0)} MB JSONL: tcp detect ${(file.wallMs / 1000).toFixed(2)} s wall, peak ${file.maxRssMB.toFixed(0)} MB, exit ${file.exitCode} (${file.findings.join(', ')})`)
    console.log(`    in process: read ${(file.inProcess.readMs / 1000).toFixed(2)} s + detect ${(file.inProcess.detectMs / 1000).toFixed(2)} s, peak ${file.inProcess.maxRssMB.toFixed(0)} MB`)
  }
  console.log(`  SimHash d = 64, dense Gaussian: ${result.simhashUs.median.toFixed(2)} us per vector (range ${result.simhashUs.min.toFixed(2)}-${result.simhashUs.max.toFixed(2)})`)
  console.log(`  load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
}

if (opt.child) await child()
else await main()
