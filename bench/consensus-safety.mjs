#!/usr/bin/env node
// Random configurations against the safety theorem: --runs seeded simulations with random agents (4-60), Byzantine
// fraction (0-0.6), threshold (0.5-1), strategy, timeout, backoff, loss and partition (model tags); counts safety
// violations where theory says safe (must be 0) and where it says unsafe. Same --seed, same configurations.
// Usage: node bench/consensus-safety.mjs [--runs 20000] [--seed 20261127] [--json]   (run `npm run build` first)
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {runs: {type: 'string', default: '20000'}, seed: {type: 'string', default: '20261127'}, json: {type: 'boolean'}}})
const {simulate, STRATEGIES, theory, quorumSize, byzantineCount} = await import(join(root, 'dist', 'core', 'consensus', 'simulate.js'))
const {Rng} = await import(join(root, 'dist', 'core', 'rng.js'))
const rng = new Rng(Number(opt.seed))
const out = {runs: 0, theorySafe: 0, violationsWhereSafe: 0, theoryUnsafe: 0, violationsWhereUnsafe: 0, seconds: 0}
const t0 = performance.now()
while (out.runs < Number(opt.runs)) {
  const agents = 4 + rng.int(57)
  const byzantine = rng.float() * 0.6
  const threshold = 0.5 + rng.float() * 0.5
  if (byzantineCount(agents, byzantine) >= agents) continue
  const strategy = STRATEGIES[rng.int(STRATEGIES.length)]
  const timeoutMs = [50, 200, 1000, 4000][rng.int(4)]
  const backoff = [1, 1.5, 2][rng.int(3)]
  const partition = rng.float() < 0.5 ? {startMs: 0, endMs: 100 + rng.int(5000)} : undefined
  const r = simulate({agents, byzantine, threshold, strategy, seed: rng.u32(), rounds: 10, crypto: 'model', timeoutMs, backoff, loss: rng.float() * 0.05, ...(partition ? {partition} : {})})
  out.runs++
  const th = theory(agents, r.config.byzantineCount, quorumSize(agents, threshold))
  if (th.safe) {
    out.theorySafe++
    if (r.outcome.safetyViolation) out.violationsWhereSafe++
  } else {
    out.theoryUnsafe++
    if (r.outcome.safetyViolation) out.violationsWhereUnsafe++
  }
}
out.seconds = Math.round((performance.now() - t0) / 1000)
if (opt.json) console.log(JSON.stringify(out, null, 2))
else console.log(`${out.runs} random configurations (seed ${opt.seed}): theory safe ${out.theorySafe}, violations there ${out.violationsWhereSafe}; theory unsafe ${out.theoryUnsafe}, violations there ${out.violationsWhereUnsafe}; ${out.seconds} s`)
if (out.violationsWhereSafe > 0) process.exitCode = 1
