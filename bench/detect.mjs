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
//  3. SimHash with d = 64, microseconds per vector: dense Gaussian hyperplanes against the sparse +-1 ones the clone
//     detector uses (nearVectors in src/core/lsh/near.ts), the median of 5 rounds of 100,000 vectors each (after a
//     warm-up round), the two alternating, and their ratio.
// With --clones-1e6, only 3 and the clone detector's hashing plus bucket search (and cosine confirmation) of
// --clones-n agents' 64-dimensional vectors (default 1e6), through the detector's own function nearVectors, on the
// two seeded data sets of src/core/lsh/data.ts ('uniform': isotropic vectors, as honest agents' centred block means
// are; 'fleet': 500-agent roles that crowd the same buckets), each in its own process: wall and CPU time per round
// (median of --clones-rounds), peak RSS with and without the vectors, and the share of the planted near-copies found.
// Usage: node bench/detect.mjs [--sizes 10000,100000,1000000] [--file-n 100000] [--seed 7] [--json]
//        node bench/detect.mjs --clones-1e6 [--clones-n 1000000] [--clones-rounds 3] [--clones-threads N] [--seed 7] [--json]
// (--clones-threads: nearVectors' worker threads, 0 for this thread only; default: its own choice, one per core at 1e6)
// (run `npm run build` first)
import {spawnSync} from 'node:child_process'
import {createWriteStream, mkdtempSync, rmSync, statSync} from 'node:fs'
import {availableParallelism, tmpdir, loadavg} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const core = (p) => import(join(root, 'dist', 'core', p))
const {values: opt} = parseArgs({options: {
  sizes: {type: 'string', default: '10000,100000,1000000'}, 'file-n': {type: 'string', default: '100000'},
  seed: {type: 'string', default: '7'}, json: {type: 'boolean'}, child: {type: 'string'}, n: {type: 'string'}, path: {type: 'string'},
  'clones-1e6': {type: 'boolean'}, 'clones-n': {type: 'string', default: '1000000'}, 'clones-rounds': {type: 'string', default: '3'}, 'clones-threads': {type: 'string'}, kind: {type: 'string'},
}})
const seed = Number(opt.seed)
const T = 60

const loadText = () => loadavg().map((x) => x.toFixed(2)).join(' ')
const cpuMs = (c) => (c.user + c.system) / 1000

// Child: the clone detector's hashing + search + confirmation of n seeded vectors, --clones-rounds times.
async function nearChild() {
  const {FleetData, nearVectors} = await core('lsh/index.js')
  const {median} = await core('bench/harness.js')
  const n = Number(opt.n)
  const d = 64
  const minCosine = 0.9 // the detector's threshold at 1e6 agents and d = 64 (docs/detect.md)
  const g0 = performance.now()
  const data = new FleetData(opt.kind, n, d, seed)
  const vectors = new Float32Array(new SharedArrayBuffer(4 * n * d)) // as the detector's engine holds them (no copy for the workers)
  const row = new Float64Array(d)
  for (let i = 0; i < n; i++) (data.vector(i, row), vectors.set(row, i * d))
  const genMs = performance.now() - g0
  const rssBeforeMB = process.memoryUsage().rss / 2 ** 20
  const rounds = []
  let last
  for (let r = 0; r < Number(opt['clones-rounds']); r++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    last = nearVectors(vectors, d, {seed, radius: 6, minCosine, threads: opt['clones-threads'] === undefined ? undefined : Number(opt['clones-threads'])})
    rounds.push({wallMs: performance.now() - t0, cpuMs: cpuMs(process.cpuUsage(c0)), ...last.timingsMs})
  }
  // Planted near-copies (noise 0.1, cosine about 0.995): how many of the pairs (copy, original) were confirmed.
  const found = new Set()
  for (let k = 0; k < last.pairs.length; k += 2) found.add(last.pairs[k] * n + last.pairs[k + 1])
  let planted = 0
  let hit = 0
  for (let i = 0; i < n; i++) {
    const j = data.source(i)
    if (j < 0) continue
    planted++
    if (found.has(j * n + i)) hit++
  }
  const m = (key) => median(rounds.map((r) => r[key]))
  process.stdout.write(JSON.stringify({kind: opt.kind, n, d, projection: last.projection, nnz: last.nnz, params: last.params, genMs, rounds,
    wallMs: m('wallMs'), cpuMs: m('cpuMs'), hashMs: m('hash'), searchMs: m('search'), confirmMs: m('confirm'),
    candidates: last.candidates, withinRadius: last.withinRadius, confirmed: last.pairs.length / 2, planted, plantedFound: hit,
    rssBeforeMB, maxRssMB: process.resourceUsage().maxRSS / 1024, vectorsMB: vectors.byteLength / 2 ** 20, loadavg: loadavg()}) + '\n')
}

/** SimHash d = 64, us per vector: dense and sparse alternating, rounds of 100,000 vectors, medians and ratio. */
async function simhashPerVector() {
  const {SimHasher} = await core('lsh/simhash.js')
  const {vectorHasher} = await core('lsh/near.js')
  const {median} = await core('bench/harness.js')
  const {Rng} = await core('rng.js')
  const rng = new Rng(seed)
  const N = 100_000
  const d = 64
  const vecs = new Float64Array(N * d)
  for (let i = 0; i < vecs.length; i++) vecs[i] = rng.normal()
  const sig = new Uint32Array(2 * N)
  const hashers = {dense: new SimHasher({dim: d, seed: 1, projection: 'gaussian'}), sparse: vectorHasher(d, 1)}
  const us = {dense: [], sparse: []}
  const ROUNDS = 5
  for (let r = 0; r <= ROUNDS; r++) {
    for (const [name, h] of Object.entries(hashers)) {
      const t = performance.now()
      for (let i = 0; i < N; i++) h.hashInto(vecs, i * d, sig, i)
      if (r > 0) us[name].push(((performance.now() - t) * 1000) / N) // round 0 warms the JIT up
    }
  }
  const stat = (xs) => ({median: median(xs), min: Math.min(...xs), max: Math.max(...xs)})
  return {rounds: ROUNDS, vectorsPerRound: N, nnz: hashers.sparse.nnz, projection: hashers.sparse.projection, dense: stat(us.dense), sparse: stat(us.sparse),
    ratio: median(us.dense) / median(us.sparse), loadavg: loadavg()}
}

const simhashLine = (s) => `SimHash d = 64, us per vector (medians of ${s.rounds} rounds of ${s.vectorsPerRound.toLocaleString('en-US')} vectors): dense Gaussian ${s.dense.median.toFixed(2)} (${s.dense.min.toFixed(2)}-${s.dense.max.toFixed(2)}), ${s.projection} (${s.nnz} nonzeros per hyperplane, the clone detector's) ${s.sparse.median.toFixed(2)} (${s.sparse.min.toFixed(2)}-${s.sparse.max.toFixed(2)}): ${s.ratio.toFixed(1)}x; load average ${s.loadavg.map((x) => x.toFixed(2)).join(' ')}`

async function clones() {
  const log = (s) => console.error(s)
  log(`seed ${seed}; load average ${loadText()}`)
  log('SimHash per vector')
  const simhash = await simhashPerVector()
  const near = []
  for (const kind of ['uniform', 'fleet']) {
    log(`hashing + search of ${Number(opt['clones-n']).toLocaleString('en-US')} ${kind} vectors`)
    near.push(runChild(['--child', 'near', '--kind', kind, '--n', opt['clones-n'], '--clones-rounds', opt['clones-rounds'], ...(opt['clones-threads'] === undefined ? [] : ['--clones-threads', opt['clones-threads']])]))
  }
  const result = {seed, simhash, near, loadavg: loadavg()}
  if (opt.json) return console.log(JSON.stringify(result, null, 2))
  const {PARALLEL_MIN} = await core('lsh/near.js')
  console.log(`clone detector's hashing path (seed ${seed}; worker threads: ${opt['clones-threads'] ?? `default, one per core (${availableParallelism()}) from ${PARALLEL_MIN.toLocaleString('en-US')} rows`})`)
  console.log(`  ${simhashLine(simhash)}`)
  for (const r of near) {
    const range = (key) => `${Math.min(...r.rounds.map((x) => x[key])).toFixed(0)}-${Math.max(...r.rounds.map((x) => x[key])).toFixed(0)}`
    console.log(`  ${r.kind}, n = ${r.n.toLocaleString('en-US')}, d = ${r.d}, SimHash ${r.projection} + LSH k = ${r.params.k}, L = ${r.params.L}, radius ${r.params.radius}, cosine >= 0.9:`
      + ` ${(r.wallMs / 1000).toFixed(2)} s wall (rounds ${range('wallMs')} ms), ${(r.cpuMs / 1000).toFixed(2)} s CPU; hash ${r.hashMs.toFixed(0)} ms, search ${r.searchMs.toFixed(0)} ms, confirm ${r.confirmMs.toFixed(0)} ms (medians of ${r.rounds.length})`)
    console.log(`    ${r.candidates.toLocaleString('en-US')} candidate pairs, ${r.withinRadius.toLocaleString('en-US')} within the radius, ${r.confirmed.toLocaleString('en-US')} confirmed; planted near-copies found ${r.plantedFound}/${r.planted}`
      + `; peak RSS ${r.maxRssMB.toFixed(0)} MB (${r.rssBeforeMB.toFixed(0)} MB before the search, of which the vectors ${r.vectorsMB.toFixed(0)} MB); generation ${(r.genMs / 1000).toFixed(1)} s, not timed; load average ${r.loadavg.map((x) => x.toFixed(2)).join(' ')}`)
  }
  console.log(`  load average at the end: ${loadText()}`)
}

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
  const log = (s) => console.error(s)
  log(`seed ${seed}; load average ${loadText()}`)
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
  const simhash = await simhashPerVector()
  const result = {seed, observations: T, memory, exponent, file, simhash, loadavg: loadavg()}
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
  console.log(`  ${simhashLine(simhash)}`)
  console.log(`  load average at the end: ${loadText()}`)
}

if (opt.child === 'near') await nearChild()
else if (opt.child) await child()
else if (opt['clones-1e6']) await clones()
else await main()
