#!/usr/bin/env node
// Liveness of the pacemaker against the ratio Delta/timeout: for each ratio, --seeds seeded runs of 100 agents with
// the most Byzantine (withholding) agents theory allows to stay live (f = n - Q), a partition of the honest agents
// from 0 to --heal-ms, and the timeout growing by --backoff per failed view (1: fixed, as before 2026-11-27).
// Prints per ratio how many runs decided and the median and largest number of views to decide.
// Usage: node bench/consensus-pacemaker.mjs [--threshold 0.75] [--seeds 30] [--heal-ms 3000] [--json]
//        (run `npm run build` first)
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({
  options: {threshold: {type: 'string', default: '0.75'}, seeds: {type: 'string', default: '30'}, 'heal-ms': {type: 'string', default: '3000'}, agents: {type: 'string', default: '100'}, json: {type: 'boolean'}},
})
const {simulate, quorumSize} = await import(join(root, 'dist', 'core', 'consensus', 'simulate.js'))
const n = Number(opt.agents)
const q = Number(opt.threshold)
const f = (n - quorumSize(n, q)) / n
const D = 400
const rows = []
for (const backoff of [1, 2])
  for (const ratio of [0.1, 0.25, 0.4, 0.5, 1, 1.5, 2]) {
    const views = []
    let decided = 0
    let runs = 0
    const t0 = performance.now()
    for (let seed = 1; seed <= Number(opt.seeds); seed++) {
      const r = simulate({agents: n, byzantine: f, threshold: q, strategy: 'withhold', seed, rounds: 30, crypto: 'model', latency: {dist: 'uniform', min: 0, max: D}, maxDelayMs: D, timeoutMs: D / ratio, backoff, partition: {startMs: 0, endMs: Number(opt['heal-ms'])}})
      runs++
      if (r.outcome.decided) {
        decided++
        views.push(r.outcome.roundsToDecide)
      }
    }
    views.sort((a, b) => a - b)
    const row = {backoff, deltaOverTimeout: ratio, timeoutMs: D / ratio, runs, decided, medianViews: views.length ? views[Math.floor(views.length / 2)] : null, maxViews: views.length ? views[views.length - 1] : null, wallMs: Math.round(performance.now() - t0)}
    rows.push(row)
    if (!opt.json)
      console.log(`backoff ${backoff}  Delta/timeout ${String(ratio).padEnd(4)} (timeout ${String(Math.round(row.timeoutMs)).padStart(4)} ms): decided ${decided}/${runs}, views to decide median ${row.medianViews ?? '-'} max ${row.maxViews ?? '-'}`)
  }
if (opt.json) console.log(JSON.stringify({agents: n, threshold: q, byzantine: f, deltaMs: D, healMs: Number(opt['heal-ms']), rows}, null, 2))
else console.log(`${n} agents, q = ${q}, f = ${f} (withhold, the most theory allows live), Delta ${D} ms, latency uniform:0:${D}, partition 0:${opt['heal-ms']}, 30 views after the heal`)
