#!/usr/bin/env node
// Time, events per second and peak memory of one decision of `tcp consensus simulate` at 1e3..1e6 agents, each
// run a separate process of the built CLI (so that peak RSS is that run's own), --runs repeats, medians reported.
// Signatures are modelled (--crypto model) at every size, plus one real-Ed25519 row at 1,000 agents.
// Usage: node bench/consensus-scale.mjs [--sizes 1000,10000,100000,1000000] [--runs 3] [--byzantine 0]
//        [--strategy withhold] [--seed 1] [--json]      (run `npm run build` first)
import {spawnSync} from 'node:child_process'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({
  options: {
    sizes: {type: 'string', default: '1000,10000,100000,1000000'},
    runs: {type: 'string', default: '3'},
    byzantine: {type: 'string', default: '0'},
    strategy: {type: 'string', default: 'withhold'},
    seed: {type: 'string', default: '1'},
    json: {type: 'boolean'},
  },
})
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function one(n, crypto) {
  const argv = ['consensus', 'simulate', '--agents', String(n), '--byzantine', opt.byzantine, '--strategy', opt.strategy, '--seed', opt.seed, '--crypto', crypto, '--json']
  const t = performance.now()
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...argv], {encoding: 'utf8', maxBuffer: 64 << 20, env: {...process.env, TCP_NO_CONFIG: '1'}})
  const processS = (performance.now() - t) / 1000
  if (r.status !== 0 && r.status !== 3) throw new Error(`tcp ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`)
  const j = JSON.parse(r.stdout)
  return {processS, simulateS: j.run.wallMs / 1000, events: j.run.events, eventsPerSecond: j.run.eventsPerSecond, maxRssMB: j.maxRssMB, decided: j.outcome.decided, p99: j.latencyMs?.p99 ?? null}
}

const cases = [...opt.sizes.split(',').map((s) => [Number(s), 'model']), [1000, 'ed25519']]
const rows = []
for (const [n, crypto] of cases) {
  const rs = Array.from({length: Number(opt.runs)}, () => one(n, crypto))
  const row = {
    agents: n,
    crypto,
    decided: rs.every((x) => x.decided),
    events: rs[0].events,
    simulateS: Number(median(rs.map((x) => x.simulateS)).toFixed(2)),
    processS: Number(median(rs.map((x) => x.processS)).toFixed(2)),
    eventsPerSecond: median(rs.map((x) => x.eventsPerSecond)),
    maxRssMB: median(rs.map((x) => x.maxRssMB)),
    runsSimulateS: rs.map((x) => Number(x.simulateS.toFixed(2))),
  }
  rows.push(row)
  if (!opt.json)
    console.log(
      `${String(n).padStart(8)} ${crypto.padEnd(8)} decided=${row.decided} events=${row.events} simulate ${row.simulateS} s (runs ${row.runsSimulateS.join(', ')}), process ${row.processS} s, ${row.eventsPerSecond} events/s, peak RSS ${row.maxRssMB} MB`,
    )
}
if (opt.json) console.log(JSON.stringify({runs: Number(opt.runs), byzantine: opt.byzantine, strategy: opt.strategy, seed: opt.seed, rows}, null, 2))
