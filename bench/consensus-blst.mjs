#!/usr/bin/env node
// One decision with real BLS12-381 on every vote (--crypto blst: native blst, key generation and signing on one
// worker thread per core, votes and certificates verified as aggregates), at fleet sizes given by --agents.
// Each size runs in its own process so that its peak memory (max RSS, all threads) is its own. Prints wall time,
// the split between simulation and cryptography, peak memory and the load average before and after (the machine
// is shared: a load above the core count means the figures are slower than on a quiet machine).
// Usage: node bench/consensus-blst.mjs [--agents 100000,1000000] [--byzantine 0] [--seed 1] [--json]
// (run `node scripts/build.mjs` first).
import {execFileSync} from 'node:child_process'
import {join, dirname} from 'node:path'
import {loadavg, availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({
  options: {agents: {type: 'string', default: '100000,1000000'}, byzantine: {type: 'string', default: '0'}, seed: {type: 'string', default: '1'}, one: {type: 'string'}, json: {type: 'boolean'}},
})

if (opt.one) {
  const {simulate} = await import(join(root, 'dist', 'core', 'consensus', 'simulate.js'))
  const r = simulate({agents: Number(opt.one), byzantine: Number(opt.byzantine), threshold: 0.75, strategy: 'withhold', rounds: 10, seed: Number(opt.seed), crypto: 'blst'})
  const s = r.signatures
  process.stdout.write(
    JSON.stringify({
      agents: r.config.agents,
      decided: r.outcome.decided,
      honestDecided: r.outcome.honestDecided,
      views: r.outcome.roundsToDecide,
      signaturesMade: s.made,
      votesChecked: s.votesChecked,
      pairings: s.pairings,
      workers: s.workers,
      wallS: Number((r.run.wallMs / 1000).toFixed(1)),
      cryptoS: Number((s.cryptoMs / 1000).toFixed(1)),
      simulationS: Number(((r.run.wallMs - s.cryptoMs) / 1000).toFixed(1)),
      cpuS: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }) + '\n',
  )
  process.exit(0)
}

const rows = []
for (const n of opt.agents.split(',').map(Number)) {
  const before = loadavg()[0]
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(n), '--byzantine', opt.byzantine, '--seed', opt.seed], {encoding: 'utf8', maxBuffer: 1 << 24})
  const row = {...JSON.parse(out), loadBefore: Number(before.toFixed(1)), loadAfter: Number(loadavg()[0].toFixed(1))}
  rows.push(row)
  if (!opt.json)
    console.log(
      `${n} agents: ${row.decided ? `decided in ${row.views} view(s)` : 'NO DECISION'}, ${row.signaturesMade} BLS signatures, ${row.pairings} pairing checks; ` +
        `${row.wallS} s wall = ${row.simulationS} s simulation + ${row.cryptoS} s cryptography (${row.workers} signing threads, ${row.cpuS} s CPU); ` +
        `peak RSS ${row.peakRssMB} MB; load average ${row.loadBefore} -> ${row.loadAfter} on ${availableParallelism()} cores`,
    )
}
if (opt.json) console.log(JSON.stringify({cores: availableParallelism(), rows}, null, 2))
