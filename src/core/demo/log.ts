/**
 * Log steps of `tcp demo`: a seeded fleet of 5 agents writes signed, hash-chained logs that reference each other and
 * verifies as a fleet; then an attacker holding agent-02's key forges a clock (claims to have seen an entry of
 * agent-01 that agent-01 never signed), replays an old entry, and back-dates an entry. Each forgery is correctly
 * signed, and each is rejected by the check named for it.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {trustFromDirectory} from '../envelope/trust.js'
import {simulateFleet} from '../log/simulate.js'
import {verifyFleet} from '../log/fleet.js'
import {forgeEntry} from '../log/forge.js'
import type {LogEntry} from '../log/format.js'
import type {DemoContext, DemoStep, DemoStepResult} from './index.js'

const SEED = 20261127

async function fleet(ctx: DemoContext) {
  const dir = join(ctx.dir, 'log-fleet')
  const sim = simulateFleet({dir, agents: 5, entries: 40, seed: SEED, messageRate: 0.3, checkpointEvery: 10})
  const trust = await trustFromDirectory(sim.trustDir)
  const now = sim.lastTimeMs + 1000
  return {dir, sim, trust, now}
}

const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n')

async function run(ctx: DemoContext): Promise<DemoStepResult> {
  const f = await fleet(ctx)
  const honest = verifyFleet(f.dir, {trust: f.trust, now: f.now})
  if (!honest.ok) return {step: 'log', ok: false, summary: `the honest fleet did not verify: ${JSON.stringify(honest.checks.filter((c) => !c.ok))}`}
  const victim = f.sim.agents[1]!
  const original = lines(victim.file)
  const entries = original.map((l) => JSON.parse(l) as LogEntry).filter((e) => e.type === 'tcp.log/v1')
  const last = entries.at(-1)!
  const a1 = lines(f.sim.agents[0]!.file).map((l) => JSON.parse(l) as LogEntry).filter((e) => e.type === 'tcp.log/v1')
  const forgeries: Array<{name: string; expect: string; lines: string[]}> = [
    // agent-01 signed entries 0..39; claim to have seen its entry 45.
    {name: 'forged clock', expect: 'fleet-references', lines: forgeEntry(original, victim.agent, victim, {time: last.time, clock: {[f.sim.agents[0]!.agent]: [a1.length + 5, 'ab'.repeat(32)]}})},
    // The first entry written again at the end, re-chained and re-signed: its sequence number gives it away.
    {name: 'replayed entry', expect: 'sequence', lines: forgeEntry(original, victim.agent, victim, {seq: 0, time: last.time, obs: entries[0]!.obs})},
    // An entry dated ten minutes before the one it follows ("this happened before the approval").
    {name: 'back-dated entry', expect: 'time-order', lines: forgeEntry(original, victim.agent, victim, {time: new Date(Date.parse(last.time) - 600_000).toISOString()})},
  ]
  const results: string[] = []
  let ok = true
  for (const g of forgeries) {
    writeFileSync(victim.file, g.lines.join('\n') + '\n')
    const r = verifyFleet(f.dir, {trust: f.trust, now: f.now})
    const failed = r.checks.filter((c) => !c.ok)
    const named = failed.some((c) => c.check === g.expect)
    ok &&= !r.ok && named
    results.push(`${g.name} rejected by ${failed.map((c) => c.check).join('+') || 'nothing'}`)
  }
  writeFileSync(victim.file, original.join('\n') + '\n')
  return {
    step: 'log: forged clock, replay, back-dating',
    ok,
    summary: `fleet of 5 signed logs (${honest.fleet.entries} entries, ${honest.fleet.references} clock references) verifies; signed by agent-02's own key, ${results.join('; ')} (seed ${SEED})`,
    details: {checks: honest.checks.map((c) => c.check)},
  }
}

export const steps: DemoStep[] = [{name: 'log: signed telemetry rejects a forged clock, a replay and back-dating', run}]
