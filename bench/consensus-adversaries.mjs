#!/usr/bin/env node
// What each adversary achieves at the theory's bounds: for q in --thresholds, runs each strategy at f = 2Q - n
// (the least that theory says can break safety), at 2Q - n - 1, and at n - Q + 1 (the least that stops liveness),
// --seeds seeded runs each (100 agents, model tags), and counts safety violations, stalls and decisions for the
// attacker's value. Usage: node bench/consensus-adversaries.mjs [--thresholds 0.51,0.67,0.75] [--seeds 20] [--json]
//        (run `npm run build` first)
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {thresholds: {type: 'string', default: '0.51,0.67,0.75'}, seeds: {type: 'string', default: '20'}, agents: {type: 'string', default: '100'}, json: {type: 'boolean'}}})
const {simulate, quorumSize, STRATEGIES} = await import(join(root, 'dist', 'core', 'consensus', 'simulate.js'))
const n = Number(opt.agents)
const rows = []
for (const q of opt.thresholds.split(',').map(Number)) {
  const Q = quorumSize(n, q)
  const points = [['safety bound 2Q-n', 2 * Q - n], ['one below it', 2 * Q - n - 1], ['liveness bound n-Q+1', n - Q + 1]].filter(([, c]) => c >= 0 && c < n)
  for (const strategy of STRATEGIES)
    for (const [where, count] of points) {
      const row = {threshold: q, strategy, where, byzantine: count, runs: 0, violations: 0, stalls: 0, attackerValue: 0}
      for (let seed = 1; seed <= Number(opt.seeds); seed++) {
        const r = simulate({agents: n, byzantine: count / n, threshold: q, strategy, seed, rounds: 20, crypto: 'model'})
        row.runs++
        if (r.outcome.safetyViolation) row.violations++
        if (r.outcome.stalled) row.stalls++
        if (r.outcome.biased) row.attackerValue++
      }
      rows.push(row)
      if (!opt.json) console.log(`q ${q}  ${strategy.padEnd(10)} f ${String(count).padStart(2)}/${n} (${where.padEnd(20)}): violated ${row.violations}/${row.runs}, stalled ${row.stalls}/${row.runs}, attacker's value decided ${row.attackerValue}/${row.runs}`)
    }
}
if (opt.json) console.log(JSON.stringify({agents: n, seeds: Number(opt.seeds), rows}, null, 2))
