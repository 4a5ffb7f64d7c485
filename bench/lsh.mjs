#!/usr/bin/env node
// Figures of the LSH all-pairs search of issue 5, repeated --runs times (each round a full runAllPairs with its own
// median of 5 LSH timings): per data set and n, the median over rounds of the LSH time, the brute-force time
// (estimated from sampled rows above --brute-max), the speedup and the recall, and the growth exponents. Then the
// bucket grouping itself, typed arrays (counting sort, as LshIndex does) against a Map of arrays, on the same keys.
// Usage: node bench/lsh.mjs [--runs 3] [--sizes 1000,10000,100000,1000000] [--brute-max 100000] [--seed 1] [--json]
// (run `npm run build` first; a full run takes several minutes on 2 cores)
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {loadavg} from 'node:os'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {
  runs: {type: 'string', default: '3'}, sizes: {type: 'string', default: '1000,10000,100000,1000000'},
  'brute-max': {type: 'string', default: '100000'}, seed: {type: 'string', default: '1'}, json: {type: 'boolean'},
}})
const core = (p) => import(join(root, 'dist', 'core', p))
const {runAllPairs} = await core('bench/allpairs.js')
const {median, growthExponent, timeMs} = await core('bench/harness.js')
const {Rng} = await core('rng.js')

const seed = Number(opt.seed)
const sizes = opt.sizes.split(',').map(Number)
const runs = Number(opt.runs)
const rounds = []
for (let r = 0; r < runs; r++) {
  console.error(`round ${r + 1}/${runs}`)
  rounds.push(runAllPairs({seed, sizes, kinds: ['uniform', 'fleet'], lshReps: 5, bruteMaxN: Number(opt['brute-max']), onProgress: (s) => console.error(`  ${s}`)}))
}
const rows = rounds[0].rows.map((row, i) => {
  const all = rounds.map((x) => x.rows[i])
  const m = (k) => median(all.map((x) => x[k]))
  return {kind: row.kind, n: row.n, k: row.k, L: row.L, lshMs: m('lshMs'), lshMsRange: [Math.min(...all.map((x) => x.lshMs)), Math.max(...all.map((x) => x.lshMs))],
    bruteMs: m('bruteMs'), bruteEstimated: row.bruteEstimated, speedup: m('speedup'), recall: row.recall, recallEstimated: row.recallEstimated,
    truePairs: row.truePairs, lshCandidates: row.lshCandidates, hashMs: m('hashMs')}
})
const growth = ['uniform', 'fleet'].map((kind) => {
  const rs = rows.filter((x) => x.kind === kind)
  const a = rs.find((x) => x.n === 10000)
  const b = rs.find((x) => x.n === 100000)
  return {kind, exponentAll: growthExponent(rs.map((x) => x.n), rs.map((x) => x.lshMs)),
    exponent1e4to1e5: a && b ? growthExponent([a.n, b.n], [a.lshMs, b.lshMs]) : null,
    bruteExponentAll: growthExponent(rs.map((x) => x.n), rs.map((x) => x.bruteMs))}
})

// Bucket grouping of n keys of k bits: counting sort into typed arrays vs a Map from key to an array of indices.
function grouping(n, k) {
  const rng = new Rng(seed)
  const keys = new Uint32Array(n).map(() => rng.u32() >>> (32 - k))
  const typed = () => {
    const count = new Int32Array((1 << k) + 1)
    for (let i = 0; i < n; i++) count[keys[i] + 1]++
    for (let v = 0; v < 1 << k; v++) count[v + 1] += count[v]
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[count[keys[i]]++] = i
    return order[n - 1]
  }
  const map = () => {
    const m = new Map()
    for (let i = 0; i < n; i++) {
      const b = m.get(keys[i])
      if (b) b.push(i)
      else m.set(keys[i], [i])
    }
    return m.size
  }
  for (let w = 0; w < 3; w++) typed(), map()
  const t = [], mp = []
  for (let r = 0; r < 9; r++) {
    t.push(timeMs(typed).ms)
    mp.push(timeMs(map).ms)
  }
  return {n, k, typedMs: median(t), mapMs: median(mp), ratio: median(mp) / median(t)}
}
const buckets = [grouping(100000, 17), grouping(1000000, 20)]

const result = {seed, runs, node: process.version, loadavg1: loadavg()[0], rows, growth, buckets}
if (opt.json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`bench/lsh (seed ${seed}, ${runs} rounds, load average ${result.loadavg1.toFixed(1)}): medians over rounds`)
  for (const x of rows)
    console.log(`${x.kind.padEnd(8)} n=${String(x.n).padStart(8)} k=${x.k} L=${x.L}  LSH ${x.lshMs.toFixed(1)} ms [${x.lshMsRange.map((v) => v.toFixed(1)).join('-')}]  brute ${x.bruteMs.toFixed(0)} ms${x.bruteEstimated ? ' (est.)' : ''}  speedup ${x.speedup.toFixed(0)}x  recall ${x.recall.toFixed(4)}${x.recallEstimated ? ' (sampled rows)' : ''}  true pairs ${x.truePairs}  hash ${x.hashMs.toFixed(0)} ms`)
  for (const g of growth) console.log(`${g.kind}: LSH exponent ${g.exponentAll.toFixed(2)} over all sizes, ${g.exponent1e4to1e5 === null ? '-' : g.exponent1e4to1e5.toFixed(2)} from 1e4 to 1e5; brute force ${g.bruteExponentAll.toFixed(2)}`)
  for (const b of buckets) console.log(`bucket grouping n=${b.n} k=${b.k}: typed arrays ${b.typedMs.toFixed(1)} ms, Map ${b.mapMs.toFixed(1)} ms (${b.ratio.toFixed(1)}x)`)
}
