/** Plain-text tables of a bench report (what `tcp bench` prints without --json). */
import type {BenchReport} from './report.js'

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n')
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US')
const n1 = (x: number) => (x >= 100 ? n0(x) : x.toFixed(1))
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`)

export function renderBench(r: BenchReport): string {
  const out: string[] = [`tcp bench (seed ${r.seed}${r.quick ? ', quick' : ''}, node ${r.node})`]
  if (r.paths) {
    out.push('', 'Critical paths (ns per operation; median and p99 over batches)')
    out.push(table(['operation', 'median', 'p99', 'budget', 'within'], r.paths.paths.map((p) => [
      p.name, n1(p.nsMedian), n1(p.nsP99), p.budgetNs ? n0(p.budgetNs) : '-', p.budgetNs ? (p.withinBudget ? 'yes' : 'NO') : '-',
    ])))
    out.push(`dense SimHash d=64: ${r.paths.nsPerMultiplyAdd.toFixed(2)} ns per multiply-add`)
  }
  if (r.allPairs) {
    const a = r.allPairs
    out.push('', `All-pairs near-duplicates (Hamming <= ${a.radius} of 64-bit SimHash, d=${a.dim}); LSH vs brute force`)
    out.push(table(['data', 'n', 'k x L', 'hash', 'LSH', 'brute force', 'speedup', 'true pairs', 'recall'], a.rows.map((x) => [
      x.kind, n0(x.n), `${x.k} x ${x.L}`, ms(x.hashMs), ms(x.lshMs), `${ms(x.bruteMs)}${x.bruteEstimated ? ' (est.)' : ''}`,
      `${n1(x.speedup)}x`, n0(x.truePairs), `${x.recall.toFixed(4)}${x.recallEstimated ? ' (sampled)' : ''}`,
    ])))
    for (const g of a.growth)
      out.push(`${g.kind}: LSH growth exponent ${g.exponentAll.toFixed(2)} over all sizes${g.exponent1e4to1e5 === null ? '' : `, ${g.exponent1e4to1e5.toFixed(2)} from 1e4 to 1e5`}; brute force ${g.bruteExponentAll.toFixed(2)}`)
  }
  if (r.crypto) {
    out.push('', `Crypto throughput (median of ${r.crypto.reps}; core = src/core/crypto and src/core/seal)`)
    out.push(table(['operation', 'implementation', 'rate', 'core / this'], r.crypto.rows.map((x) => [
      x.operation, x.implementation, `${n1(x.value)} ${x.unit}`, x.coreRatio === undefined ? '-' : x.coreRatio.toFixed(2),
    ])))
    if (r.crypto.sealSkipped) out.push(r.crypto.sealSkipped)
  }
  if (r.ct) {
    const c = r.ct
    out.push('', `Timing leaks (dudect-style Welch t, ${n0(c.measurements)} batches x ${c.reps} repetitions; leak = |t| > ${c.threshold} in every repetition)`)
    out.push(table(['target', 'max |t| per repetition', 'verdict'], c.results.map((x) => [
      x.name, x.reps.map((y) => y.maxAbsT.toFixed(1)).join(' '), x.role === 'target' ? (x.leak ? 'LEAK' : 'no leak found') : x.leak ? 'leak (expected: control)' : 'clear',
    ])))
    out.push(`detector: ${c.detector}${c.detectorReason ? ` (${c.detectorReason})` : ''}; verdict: ${c.verdict}${c.leaking.length ? ` (${c.leaking.join('; ')})` : ''}`)
  }
  out.push('', "The seed's claims on this machine")
  out.push(table(['claim', 'status'], r.claims.map((c) => [c.claim, c.status])))
  for (const c of r.claims) out.push(`- ${c.claim}: ${c.measured}`)
  return out.join('\n')
}
