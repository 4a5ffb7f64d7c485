/**
 * Adapters between the red-team's synthetic fleets and tcp's real defences (src/core/detect, src/core/aggregate,
 * src/core/log). Each adapter turns a world into the defence's own input, calls its in-process core function, and
 * turns its findings back into a PathOutcome. No adapter decides anything itself.
 */
import {detectFleet} from '../detect/engine.js'
import type {FleetSource} from '../detect/fleet.js'
import type {Fleet} from './fleet.js'
import {historyStats} from './fleet.js'

/**
 * How far the fleet's baseline moves if the monitored observations from `onset` on are folded into it: the mean over
 * agents of (mean after onset - history mean) / history sd. About 0 for an honest fleet (noise of order
 * 1/sqrt(agents * steps)); a fraction p of agents shifted by d sd gives about p * d.
 */
export function fleetDistortion(f: Fleet, onset: number): number {
  const t = f.history + f.steps
  let sum = 0
  for (let a = 0; a < f.agents; a++) {
    const b = historyStats(f, a)
    const row = a * t + f.history
    let s = 0
    for (let i = onset; i < f.steps; i++) s += f.x[row + i]!
    sum += (s / (f.steps - onset) - b.mean) / b.sd
  }
  return sum / f.agents
}

/** What tcp detect found in a fleet, in the fleet's own coordinates (agent index, step of the monitored period). */
export interface DetectFindings {
  /** Agents named by any per-agent or group detector, with the monitored step at which each was first flagged. */
  flagged: Map<number, number>
  /** Monitored step at which the fleet-shift detector fired, or null. */
  fleetShiftAt: number | null
}

/** A red-team fleet as tcp detect reads it: its first `T` observations per agent (history, then monitored). */
class PrefixSource implements FleetSource {
  readonly agents: number
  readonly features = ['x'] as const
  constructor(private readonly f: Fleet, readonly observations: number) {
    this.agents = f.agents
  }
  name(i: number): string {
    return `agent-${i}`
  }
  fill(i: number, out: Float64Array): void {
    const row = i * (this.f.history + this.f.steps)
    out.set(this.f.x.subarray(row, row + this.observations))
  }
  time(): number | null {
    return null
  }
}

/** The detection window tcp detect runs with here (its default), and how often a periodic run happens. */
export const DETECT_WINDOW = 60

/**
 * tcp detect run periodically, as a deployment would: after every DETECT_WINDOW monitored observations, over
 * everything recorded so far, each agent judged against its own first window (reference 'self'). An agent's step
 * is the end of the first run that named it; the fleet shift's, the end of the first run that reported it. The
 * false-positive rate `fpr` is for the whole monitored period, split equally over the runs.
 */
export function runDetect(f: Fleet, fpr: number): DetectFindings {
  const flagged = new Map<number, number>()
  let fleetShiftAt: number | null = null
  // Every run may raise a false alarm: the monitoring's stated rate is split over the runs (Bonferroni).
  const looks = Math.floor(f.steps / DETECT_WINDOW)
  for (let s = DETECT_WINDOW; s <= f.steps; s += DETECT_WINDOW) {
    const r = detectFleet(new PrefixSource(f, f.history + s), {fpr: fpr / looks, reference: 'self', window: DETECT_WINDOW})
    for (const name of r.flaggedAgents) {
      const a = Number(name.slice('agent-'.length))
      if (!flagged.has(a)) flagged.set(a, s)
    }
    if (fleetShiftAt === null && r.findings.some((x) => x.detector === 'fleet-shift')) fleetShiftAt = s
  }
  return {flagged, fleetShiftAt}
}
