/**
 * `tcp demo`: the main job on bundled sample data, step by step, in a temporary folder. Each topic contributes its
 * steps in its own module (foundation.ts, prove.ts, attest.ts, consensus.ts, bench.ts, detect.ts) and registers them in
 * STEP_MODULES below. Steps share files and facts through `ctx.artifacts`.
 */

export interface DemoContext {
  /** The demo's working folder (created and removed by the command unless --dir was given). */
  dir: string
  /** Bundled sample telemetry (examples/telemetry.jsonl). */
  samplePath: string
  /** Passphrase used for the demo's encrypted keys (random per run). */
  passphrase: string
  /** Progress lines (stderr). */
  log: (line: string) => void
  /** Shared artifacts: paths and values that later steps use (see foundation.ts for the keys it sets). */
  artifacts: Record<string, string>
}

export interface DemoStepResult {
  step: string
  /** True when the step behaved as the demo expects (a tampered copy rejected is ok: true). */
  ok: boolean
  /** Set when the step could not run here (e.g. swtpm not installed), with the reason. */
  skipped?: string
  /** Set when the step was not run because it needs an artifact that a failed step did not produce. */
  blocked?: string
  /** One readable line for the summary. */
  summary: string
  /** What the step established. Files inside the demo folder are not named here: the folder is the command's. */
  details?: Record<string, unknown>
  /** Files or directories the step wrote outside the demo folder, by role (the zk setup in tcp's cache). */
  written?: Record<string, string>
}

export interface DemoStep {
  name: string
  run(ctx: DemoContext): Promise<DemoStepResult>
}

/** Step modules, in order. Each exports `steps: DemoStep[]`. Imported lazily so start-up stays light. */
export const STEP_MODULES: Array<() => Promise<{steps: DemoStep[]}>> = [
  () => import('./foundation.js'),
  () => import('./prove.js'),
  () => import('./seal.js'),
  () => import('./attest.js'),
  () => import('./consensus.js'),
  () => import('./log.js'),
  () => import('./aggregate.js'),
  () => import('./detect.js'),
  () => import('./redteam.js'),
  () => import('./bench.js'),
]

/** Thrown inside a step that reads an artifact a failed step did not produce. */
class Blocked extends Error {}

/**
 * Runs every step. A failed step does not stop the demo: the steps after it run, and a step that reads an artifact
 * which a failed step did not produce (or produced before failing: those are withdrawn) is marked blocked, not run
 * to a confusing error. Dependencies are found by watching which artifacts a step reads, so steps declare nothing.
 */
export async function runDemo(ctx: DemoContext, modules = STEP_MODULES): Promise<DemoStepResult[]> {
  const results: DemoStepResult[] = []
  const failed: string[] = []
  const store = ctx.artifacts
  for (const load of modules) {
    const {steps} = await load()
    for (const step of steps) {
      ctx.log(`- ${step.name} ...`)
      const written: string[] = []
      const watched = new Proxy(store, {
        get(target, key, receiver) {
          if (typeof key === 'string' && !(key in target) && key !== 'toJSON' && key !== 'then' && failed.length > 0)
            throw new Blocked(`needs "${key}", which failed step ${failed.map((f) => `"${f}"`).join(', ')} did not produce`)
          return Reflect.get(target, key, receiver)
        },
        set(target, key, value, receiver) {
          if (typeof key === 'string') written.push(key)
          return Reflect.set(target, key, value, receiver)
        },
      })
      let r: DemoStepResult
      try {
        r = await step.run({...ctx, artifacts: watched})
      } catch (e) {
        r = e instanceof Blocked ? {step: step.name, ok: false, blocked: e.message, summary: `not run: ${e.message}`} : {step: step.name, ok: false, summary: `failed: ${(e as Error).message}`}
      }
      results.push(r)
      if (!r.ok) {
        if (!r.blocked) failed.push(step.name)
        for (const k of written) delete store[k] // a failed step's artifacts are not to be trusted by later steps
      }
    }
  }
  return results
}
