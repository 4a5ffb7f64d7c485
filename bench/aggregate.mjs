#!/usr/bin/env node
// Figures of the aggregation issue (run after `node scripts/build.mjs`):
//   1. build time and peak memory of `tcp aggregate build` at each --agents size, every leaf signature verified
//      (a whole process, peak RSS from /usr/bin/time -v, which counts the worker threads)
//   2. inclusion proof size, and its verification time in process (median of 1,000, root signature included)
//   3. full audit time (`tcp verify ROOT --audit`, every leaf and node recomputed) and a 32-path sampled audit
//   --calibrate: the outlier test's false-positive rate per child on honest seeded fleets, and detection rates of
//   the poisoned children (5% and 10% of local aggregators), per threshold.
// Leaves are generated once per size (seeded; signing with one recorder key) into --dir as a JSON Lines file.
// Usage: node bench/aggregate.mjs [--agents 10000,100000,1000000] [--seed 1] [--dir /tmp/tcp-agg-bench] [--calibrate] [--no-audit]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, rmSync, statSync, createWriteStream, readFileSync} from 'node:fs'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {cpus, loadavg} from 'node:os'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {agents: {type: 'string', default: '10000,100000'}, seed: {type: 'string', default: '1'}, dir: {type: 'string', default: '/tmp/tcp-agg-bench'}, calibrate: {type: 'boolean'}, 'no-audit': {type: 'boolean'}, 'keep-trees': {type: 'boolean'}, 'generate-only': {type: 'boolean'}}})
const core = (p) => import(join(root, 'dist', 'core', p))
const agg = await core('aggregate/index.js')
const {Rng} = await core('rng.js')
const BIN = join(root, 'bin', 'run.js')
const seed = Number(opt.seed)
console.log(`bench/aggregate: seed ${seed}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`)

if (opt.calibrate) {
  // Honest local aggregators of 50 agents (20 observations each), 10 per parent; 5% and 10% of them poisoned.
  const seeds = 20
  const locals = (s) => agg.buildLevel(agg.honestAgents(s, {agents: 100 * 50, observations: 20}), 0, 50, 0, {decimals: 3}).nodes.map(agg.nodeAsChild)
  const fleets = Array.from({length: seeds}, (_, i) => locals(seed * 1000 + i))
  for (const threshold of [4, 5, 6, 8, 10, 12]) {
    let honest = 0, fp = 0
    for (const ls of fleets)
      for (let g = 0; g < ls.length; g += 10) {
        const flagged = new Set(agg.outlierTest(ls.slice(g, g + 10).map((c) => agg.summaryOf(c, 3)), {threshold}).map((f) => f.child))
        for (let i = 0; i < Math.min(10, ls.length - g); i++) (honest++, flagged.has(i) && fp++)
      }
    const det = []
    for (const rate of [0.05, 0.1])
      for (const kind of ['low-variance', 'shift', 'inflate-count']) {
        let bad = 0, caught = 0
        fleets.forEach((ls, fi) => {
          const rng = new Rng(fi + 1)
          const set = new Set()
          while (set.size < Math.round(rate * ls.length)) set.add(rng.int(ls.length))
          const kids = ls.map((c, i) => (set.has(i) ? agg.poisonChild(c, kind, 3) : c))
          for (let g = 0; g < kids.length; g += 10) {
            const flagged = new Set(agg.outlierTest(kids.slice(g, g + 10).map((c) => agg.summaryOf(c, 3)), {threshold}).map((f) => f.child + g))
            for (let i = g; i < g + 10; i++) if (set.has(i)) (bad++, flagged.has(i) && caught++)
          }
        })
        det.push(`${kind}@${rate * 100}% ${(caught / bad).toFixed(3)}`)
      }
    console.log(`threshold ${threshold}: false positives ${fp}/${honest} = ${(fp / honest).toFixed(4)} per honest child; detection ${det.join(', ')}`)
  }
  process.exit(0)
}

const run = (args, what) => {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...args, '--json'], {encoding: 'utf8', maxBuffer: 1 << 28, env: {...process.env, TCP_NO_CONFIG: '1'}})
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(r.stderr)?.[1]
  const secs = wall ? wall.split(':').reduce((a, x) => a * 60 + Number(x), 0) : NaN
  const cpu = ['User', 'System'].reduce((a, k) => a + Number(new RegExp(`${k} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? NaN), 0)
  if (r.status !== 0 && r.status !== 3) throw new Error(`${what}: exit ${r.status}\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(-2000)}`)
  return {json: JSON.parse(r.stdout), rssMiB: rss, seconds: secs, cpu, status: r.status}
}

mkdirSync(opt.dir, {recursive: true})
const rec = join(opt.dir, 'rec')
const aggKey = join(opt.dir, 'agg')
for (const k of [rec, aggKey]) if (!existsSync(k + '.key')) spawnSync(process.execPath, [BIN, 'keys', 'generate', '-o', k, '--unencrypted'], {stdio: 'ignore'})
const {readPrivateKeyFile} = await core('keys/files.js')
const recorder = await readPrivateKeyFile(rec + '.key', async () => new Uint8Array(0))

async function leaves(n) {
  const file = join(opt.dir, `leaves-${n}-seed${seed}.jsonl`)
  if (existsSync(file)) return file
  const t0 = performance.now()
  const rng = new Rng(seed)
  const out = createWriteStream(file + '.tmp')
  const {createBaseline} = await core('baseline/baseline.js')
  const t = Date.UTC(2026, 0, 1)
  let buf = ''
  for (let i = 0; i < n; i++) {
    const obs = agg.agentObservations(rng, {agents: 1, observations: 20})
    const rows = obs.latency.map((_, j) => ({agent: agg.agentId(i), time: t + j * 60000, values: {latency: obs.latency[j], calls: obs.calls[j]}}))
    const b = createBaseline({features: ['latency', 'calls'], rows}, {subject: `fleet/${agg.agentId(i)}`, agent: agg.agentId(i), created: '2026-01-02T00:00:00.000Z', momentsDecimals: 3})
    buf += JSON.stringify(agg.signBaseline(b, recorder)) + '\n'
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r))
      buf = ''
    }
  }
  out.end(buf)
  await new Promise((r) => out.on('finish', r))
  spawnSync('mv', [file + '.tmp', file])
  console.log(`  generated ${n} signed per-agent baselines in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB): ${file}`)
  return file
}

const sizes = opt.agents.split(',').map(Number)
for (const n of sizes) {
  console.log(`agents ${n}:`)
  const from = await leaves(n)
  if (opt['generate-only']) continue
  const tree = join(opt.dir, `tree-${n}`)
  rmSync(tree, {recursive: true, force: true})
  const b = run(['aggregate', 'build', '--from', from, '--pub', rec + '.pub', '--key', aggKey + '.key', '--out', tree], 'build')
  console.log(`  build: ${b.seconds.toFixed(1)} s wall, ${b.cpu.toFixed(1)} s CPU (user + system), peak RSS ${b.rssMiB.toFixed(0)} MiB, ${b.json.shape.counts.length} levels, root ${b.json.root.slice(0, 16)}... (exit ${b.status}, ${b.json.findings.length} findings)`)
  const agent = agg.agentId(new Rng(seed + n).int(n))
  const {proof} = await agg.proveInclusion(tree, agent)
  const text = JSON.stringify(proof)
  const rootDoc = JSON.parse(readFileSync(join(tree, 'root.dsse.json'), 'utf8'))
  const {trustFromFiles} = await core('envelope/trust.js')
  const trust = await trustFromFiles([aggKey + '.pub'])
  const times = []
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now()
    const r = agg.verifyInclusionProof(JSON.parse(text), rootDoc, trust)
    times.push(performance.now() - t0)
    if (!r.ok) throw new Error('proof did not verify')
  }
  times.sort((a, c) => a - c)
  console.log(`  inclusion proof of ${agent}: ${text.length + 1} bytes, ${proof.levels.reduce((a, l) => a + l.path.length, 0)} path hashes, verify median ${times[500].toFixed(3)} ms (p90 ${times[900].toFixed(3)} ms) in process`)
  if (!opt['no-audit']) {
    const s = run(['verify', join(tree, 'root.dsse.json'), '--pub', aggKey + '.pub', '--pub', rec + '.pub', '--audit', tree, '--sample', '32', '--seed', String(seed)], 'sampled audit')
    console.log(`  sampled audit (32 paths): ${s.seconds.toFixed(1)} s wall, ${s.json.report.recomputed} nodes recomputed, escape probability at 5% poisoned ${s.json.report.sample.escape[1].escapeProbability}`)
    const a = run(['verify', join(tree, 'root.dsse.json'), '--pub', aggKey + '.pub', '--pub', rec + '.pub', '--audit', tree], 'audit')
    console.log(`  full audit: ${a.seconds.toFixed(1)} s wall, ${a.cpu.toFixed(1)} s CPU, peak RSS ${a.rssMiB.toFixed(0)} MiB, ${a.json.report.recomputed} nodes recomputed, ok ${a.json.report.ok}`)
  }
  if (!opt['keep-trees']) rmSync(tree, {recursive: true, force: true})
}
