/**
 * Seeded synthetic agent telemetry (JSONL), the bundled sample data of the demo and the tests.
 *
 * Each agent emits one observation a minute with four numeric features. Healthy agents are stationary. A
 * compromised agent behaves normally for the first half of its observations and then drifts subtly: its tool-risk
 * accuracy drops and its risk bias rises by `drift` of one standard deviation per observation, well inside the
 * normal range of any single observation, visible only in the mean of a window (z = drift * sqrt(n)).
 * Same seed, same bytes: nothing depends on the clock.
 */
import {Rng} from '../rng.js'
import {TcpError} from '../errors.js'
import {parseTime} from '../time.js'

export const MAX_LINES = 2_000_000

export interface FeatureModel {
  name: string
  mean: number
  sd: number
  min: number
  max: number
  /** Direction of a compromised agent's drift: +1, -1 or 0 (unaffected). */
  drift: -1 | 0 | 1
  decimals: number
}

export const FEATURES: readonly FeatureModel[] = [
  {name: 'tool_risk_accuracy', mean: 0.94, sd: 0.02, min: 0, max: 1, drift: -1, decimals: 4},
  {name: 'risk_bias', mean: 0.0, sd: 0.03, min: -1, max: 1, drift: 1, decimals: 4},
  {name: 'call_rate', mean: 12, sd: 2.5, min: 0, max: 1000, drift: 0, decimals: 2},
  {name: 'latency_ms', mean: 240, sd: 35, min: 1, max: 60000, drift: 0, decimals: 1},
]

export interface SampleOptions {
  agents: number
  observations: number
  compromised: number
  seed: number
  /** Drift of a compromised agent in standard deviations (default 0.6). */
  drift?: number
  /** ISO time of the first observation (default 2026-01-01T00:00:00Z). */
  start?: string
}

export interface SampleResult {
  text: string
  lines: number
  agents: string[]
  compromisedAgents: string[]
  /** Index of the first drifted observation of each compromised agent. */
  driftStartsAt: number
  seed: number
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new TcpError('usage', `--${name}: expected an integer from ${min} to ${max}, got ${v}`)
}

export function agentName(i: number, total: number): string {
  return `agent-${String(i + 1).padStart(Math.max(2, String(total).length), '0')}`
}

export function generateSample(opts: SampleOptions): SampleResult {
  checkInt('agents', opts.agents, 1, 100_000)
  checkInt('observations', opts.observations, 1, 1_000_000)
  checkInt('compromised', opts.compromised, 0, opts.agents)
  // The file is built as one string: V8 caps strings at about 2^29 characters (some 3.8 million lines).
  if (opts.agents * opts.observations > MAX_LINES)
    throw new TcpError('usage', `--agents x --observations: at most ${MAX_LINES.toLocaleString('en-US')} lines, got ${opts.agents * opts.observations}`)
  const drift = opts.drift ?? 0.6
  const t0 = parseTime(opts.start ?? '2026-01-01T00:00:00Z', '--start')
  if (!Number.isFinite(drift) || drift < 0 || drift > 10) throw new TcpError('usage', `--drift: expected a number of standard deviations from 0 to 10, got ${opts.drift}`)
  const rng = new Rng(opts.seed)
  const agents = Array.from({length: opts.agents}, (_, i) => agentName(i, opts.agents))
  // Choose the compromised agents with a seeded partial Fisher-Yates shuffle.
  const idx = agents.map((_, i) => i)
  for (let i = 0; i < opts.compromised; i++) {
    const j = i + rng.int(idx.length - i)
    ;[idx[i], idx[j]] = [idx[j]!, idx[i]!]
  }
  const compromised = new Set(idx.slice(0, opts.compromised))
  const driftStartsAt = Math.floor(opts.observations / 2)
  const out: string[] = []
  for (let t = 0; t < opts.observations; t++) {
    const time = new Date(t0 + t * 60_000).toISOString()
    for (let a = 0; a < opts.agents; a++) {
      const drifting = compromised.has(a) && t >= driftStartsAt
      let line = `{"agent":"${agents[a]}","time":"${time}"`
      for (const f of FEATURES) {
        let v = rng.normal(f.mean, f.sd)
        if (drifting) v += f.drift * drift * f.sd
        v = Math.min(f.max, Math.max(f.min, v))
        line += `,"${f.name}":${Number(v.toFixed(f.decimals))}`
      }
      out.push(line + '}')
    }
  }
  return {
    text: out.join('\n') + '\n',
    lines: out.length,
    agents,
    compromisedAgents: [...compromised].sort((x, y) => x - y).map((i) => agents[i]!),
    driftStartsAt,
    seed: opts.seed,
  }
}
