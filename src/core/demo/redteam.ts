/**
 * Red-team step of `tcp demo`: `tcp redteam run --quick --vector all` on a fixed seed. Each of the four attack
 * vectors runs without and with tcp's defence; the step is ok when every defence meets its bound and at least 98%
 * of the attacks are resisted. The report (JSON, SVG chart, timings) lands in the demo folder.
 */
import {join} from 'node:path'
import {KNOWN_MISSES, missedAttacks, parseVectors, runRedteam, writeRedteamReport} from '../redteam/index.js'
import type {DemoStep, DemoStepResult} from './index.js'

export const REDTEAM_DEMO_SEED = 20261127

export const steps: DemoStep[] = [
  {
    name: 'redteam: four attack vectors, without and with the defences (--quick)',
    async run(ctx): Promise<DemoStepResult> {
      const r = await runRedteam({vectors: parseVectors('all'), agents: 1000, seed: REDTEAM_DEMO_SEED, quick: true})
      const paths = await writeRedteamReport(join(ctx.dir, 'redteam'), r, true)
      ctx.artifacts.redteamReport = paths.json
      ctx.artifacts.redteamSvg = paths.svg
      const per = r.report.vectors.map((v) => `${v.name} ${v.verdict}`).join(', ')
      // The step behaves as expected when everything holds, or when what got through is exactly the documented
      // known misses (named in the summary); any other miss, or a known miss that no longer happens, fails it.
      const missed = missedAttacks(r.report)
      const known = KNOWN_MISSES.map((k) => `${k.vector}/${k.attack}`)
      const asKnown = missed.length === known.length && missed.every((m) => known.includes(m))
      return {
        step: 'redteam: four attack vectors, without and with the defences (--quick)',
        ok: r.report.verdict === 'holds' || asKnown,
        summary: `${r.report.resisted.resisted}/${r.report.resisted.attacks} attacks resisted (${(r.report.resisted.fraction * 100).toFixed(1)}%, goal 98%); ${per}${missed.length ? `; got through: ${missed.join(', ')}${asKnown ? ' (known misses, SECURITY.md "What does not hold")' : ''}` : ''}; seed ${REDTEAM_DEMO_SEED}, ${r.timings.totalMs} ms; ${paths.svg}`,
        details: {resisted: r.report.resisted, unclaimed: r.report.unclaimed},
      }
    },
  },
]
