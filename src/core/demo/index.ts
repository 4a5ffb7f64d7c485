/**
 * `tcp demo`: the main job on bundled sample data, step by step, in a temporary folder. Each topic contributes its
 * steps in its own module (foundation.ts, prove.ts, attest.ts, consensus.ts, bench.ts) and registers them in
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
  /** One readable line for the summary. */
  summary: string
  details?: Record<string, unknown>
}

export interface DemoStep {
  name: string
  run(ctx: DemoContext): Promise<DemoStepResult>
}

/** Step modules, in order. Each exports `steps: DemoStep[]`. Imported lazily so start-up stays light. */
export const STEP_MODULES: Array<() => Promise<{steps: DemoStep[]}>> = [() => import('./foundation.js'), () => import('./prove.js'), () => import('./seal.js'), () => import('./attest.js'), () => import('./consensus.js'), () => import('./aggregate.js'), () => import('./bench.js')]

export async function runDemo(ctx: DemoContext): Promise<DemoStepResult[]> {
  const results: DemoStepResult[] = []
  for (const load of STEP_MODULES) {
    const {steps} = await load()
    for (const step of steps) {
      ctx.log(`- ${step.name} ...`)
      let r: DemoStepResult
      try {
        r = await step.run(ctx)
      } catch (e) {
        r = {step: step.name, ok: false, summary: `failed: ${(e as Error).message}`}
      }
      results.push(r)
      // Later steps build on earlier ones: stop at the first failure rather than cascade.
      if (!r.ok) return results
    }
  }
  return results
}
