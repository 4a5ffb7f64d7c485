/**
 * The sweep: runs the simulator over a grid of quorum thresholds q and Byzantine fractions f, K seeded runs per cell
 * and strategy, and compares what it observed with the theory (safe iff f < 2q - 1, live iff f <= 1 - q; on counts,
 * f < 2Q - n and n - f >= Q). A cell is empirically unsafe when any run had two honest agents decide differently,
 * and empirically not live when any run stalled. Seeds of the runs derive from the sweep's seed in grid order.
 *
 * What it does NOT show: that a cell marked safe is safe (K runs are evidence, the theory is the proof). The
 * strongest adversary corrupts a leader on purpose and breaks safety in every run where theory allows it, so an
 * unsafe cell's verdict rests on all its strongest runs; a live verdict rests on every run of the cell, each given
 * --rounds views after its partition heals.
 */
import {TcpError} from '../errors.js'
import {Rng} from '../rng.js'
import {byzantineCount, quorumSize, simulate, theory, STRATEGIES, type SimOptions, type Strategy} from './simulate.js'

export interface SweepOptions extends Omit<SimOptions, 'byzantine' | 'threshold' | 'strategy' | 'seed' | 'trace' | 'evidence'> {
  thresholds: number[]
  fractions: number[]
  runs: number
  seed: number
  strategies: Strategy[]
  /** The claim to test, default "a 75% quorum stops a 32% attacker". */
  claim?: {threshold: number; byzantine: number}
}

export interface SweepCell {
  threshold: number
  byzantine: number
  byzantineCount: number
  quorum: number
  runs: number
  violations: number
  stalls: number
  theorySafe: boolean
  theoryLive: boolean
  safe: boolean
  live: boolean
  /** The runs behind the verdict, per strategy: a safety verdict rests on all of them, as does a liveness one. */
  byStrategy: Array<{strategy: Strategy; runs: number; violations: number; stalls: number}>
}

export interface SweepResult {
  seed: number
  agents: number
  runs: number
  strategies: Strategy[]
  crypto: string
  thresholds: number[]
  fractions: number[]
  cells: SweepCell[]
  agreement: {safe: number; live: number; cells: number}
  claim: SweepCell & {statement: string; verdict: string}
  wallMs: number
}

/** Parses "0.51,0.67,0.75" into numbers in (0, 1]. */
export function parseList(name: string, s: string): number[] {
  const out = s.split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number)
  if (out.length === 0 || out.some((x) => !Number.isFinite(x) || x <= 0 || x > 1))
    throw new TcpError('usage', `--${name}: expected comma-separated numbers in (0, 1], got "${s}"`)
  return out
}

/** Parses "START:STOP:STEP" (inclusive, at most 200 points) or a comma list into fractions in [0, 1). */
export function parseRange(name: string, s: string): number[] {
  const m = /^\s*([\d.]+):([\d.]+):([\d.]+)\s*$/.exec(s)
  let out: number[]
  if (m) {
    const [a, b, st] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (![a, b, st].every(Number.isFinite) || st <= 0 || b < a || (b - a) / st > 200)
      throw new TcpError('usage', `--${name}: expected START:STOP:STEP with STEP > 0 and at most 200 points, got "${s}"`)
    out = []
    for (let i = 0; a + i * st <= b + 1e-9; i++) out.push(Number((a + i * st).toFixed(6)))
  } else out = s.split(',').map((x) => Number(x.trim()))
  if (out.length === 0 || out.some((x) => !Number.isFinite(x) || x < 0 || x >= 1))
    throw new TcpError('usage', `--${name}: expected START:STOP:STEP or a comma list of fractions in [0, 1), got "${s}"`)
  return out
}

export function parseStrategies(s: string): Strategy[] {
  const out = s.split(',').map((x) => x.trim()) as Strategy[]
  for (const x of out)
    if (!(STRATEGIES as readonly string[]).includes(x)) throw new TcpError('usage', `--strategies: expected some of ${STRATEGIES.join(', ')}, got "${x}"`)
  return out
}

function runCell(o: SweepOptions, q: number, f: number, seeds: Rng): SweepCell {
  const n = o.agents
  const Q = quorumSize(n, q)
  const fc = byzantineCount(n, f)
  const th = theory(n, fc, Q)
  const byStrategy: SweepCell['byStrategy'] = []
  for (const strategy of o.strategies) {
    const row = {strategy, runs: 0, violations: 0, stalls: 0}
    for (let k = 0; k < o.runs; k++) {
      const {thresholds: _t, fractions: _f, runs: _r, strategies: _s, claim: _c, ...base} = o
      const r = simulate({...base, threshold: q, byzantine: f, strategy, seed: seeds.u32()})
      row.runs++
      if (r.outcome.safetyViolation) row.violations++
      if (r.outcome.stalled) row.stalls++
    }
    byStrategy.push(row)
  }
  const sum = (k: 'runs' | 'violations' | 'stalls'): number => byStrategy.reduce((a, x) => a + x[k], 0)
  const violations = sum('violations')
  const stalls = sum('stalls')
  return {threshold: q, byzantine: f, byzantineCount: fc, quorum: Q, runs: sum('runs'), violations, stalls, theorySafe: th.safe, theoryLive: th.live, safe: violations === 0, live: stalls === 0, byStrategy}
}

export function sweep(o: SweepOptions, onCell?: (done: number, total: number) => void): SweepResult {
  if (!Number.isSafeInteger(o.runs) || o.runs < 1 || o.runs > 1000) throw new TcpError('usage', `--runs: expected an integer from 1 to 1000, got ${o.runs}`)
  if (o.strategies.length === 0) throw new TcpError('usage', '--strategies: at least one strategy')
  const t0 = performance.now()
  const seeds = new Rng(o.seed)
  const cells: SweepCell[] = []
  const total = o.thresholds.length * o.fractions.length + 1
  for (const q of o.thresholds)
    for (const f of o.fractions) {
      cells.push(runCell(o, q, f, seeds))
      onCell?.(cells.length, total)
    }
  const cq = o.claim?.threshold ?? 0.75
  const cf = o.claim?.byzantine ?? 0.32
  const c = runCell(o, cq, cf, seeds)
  const yes = (b: boolean): string => (b ? 'holds' : 'does not hold')
  return {
    seed: o.seed,
    agents: o.agents,
    runs: o.runs,
    strategies: o.strategies,
    crypto: o.crypto ?? 'auto',
    thresholds: o.thresholds,
    fractions: o.fractions,
    cells,
    agreement: {
      safe: cells.filter((x) => x.safe === x.theorySafe).length,
      live: cells.filter((x) => x.live === x.theoryLive).length,
      cells: cells.length,
    },
    claim: {
      ...c,
      statement: `a ${cq * 100}% quorum stops a ${Math.round(cf * 100)}% attacker`,
      verdict: `safety ${yes(c.safe)} (theory: ${yes(c.theorySafe)}, ${c.violations}/${c.runs} runs violated), liveness ${yes(c.live)} (theory: ${yes(c.theoryLive)}, ${c.stalls}/${c.runs} runs stalled)`,
    },
    wallMs: Number((performance.now() - t0).toFixed(1)),
  }
}

/** One character per cell: '.' safe and live, 's' stalled, 'X' safety violated, '#' both. */
export function cellMark(c: SweepCell): string {
  return c.safe ? (c.live ? '.' : 's') : c.live ? 'X' : '#'
}

export function renderTable(r: SweepResult): string {
  const w = 5
  const head = 'q \\ f  ' + r.fractions.map((f) => f.toFixed(2).padStart(w)).join('')
  const lines = [head]
  for (const q of r.thresholds) {
    const row = r.cells.filter((c) => c.threshold === q)
    lines.push(
      `${q.toFixed(2).padEnd(7)}` +
        row.map((c) => `${cellMark(c)}${c.safe === c.theorySafe && c.live === c.theoryLive ? ' ' : '!'}`.padStart(w)).join(''),
    )
  }
  lines.push(". safe and live   s safe, stalled   X safety violated   # violated and stalled   ! differs from theory (safe iff f < 2q-1, live iff f <= 1-q)")
  const per = r.cells[0]?.runs ?? 0
  lines.push(`each verdict rests on ${per} runs per cell (${r.runs} per strategy: ${r.strategies.join(', ')}); runs that violated safety / stalled:`)
  const cw = Math.max(6, 2 * String(per).length + 2)
  lines.push('q \\ f  ' + r.fractions.map((f) => f.toFixed(2).padStart(cw)).join(''))
  for (const q of r.thresholds)
    lines.push(`${q.toFixed(2).padEnd(7)}` + r.cells.filter((c) => c.threshold === q).map((c) => `${c.violations}/${c.stalls}`.padStart(cw)).join(''))
  return lines.join('\n')
}
