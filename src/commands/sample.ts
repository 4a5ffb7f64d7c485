import {existsSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {output} from '../cli/output.js'
import {noDash, noDashWithJson} from '../cli/stdio.js'
import {writeFileAtomic} from '../core/io.js'
import {TcpError} from '../core/errors.js'
import {parseSeed, randomSeed} from '../core/rng.js'
import {generateSample, MAX_LINES} from '../core/sample/telemetry.js'
import {SCENARIOS, type Scenario} from '../core/sample/scenarios.js'

export default class Sample extends TcpCommand {
  static override summary = 'Write seeded synthetic agent telemetry (JSONL) in which some agents drift subtly'
  static override description = `Each line is one observation: agent, ISO time, tool_risk_accuracy, risk_bias, call_rate, latency_ms.
Compromised agents behave normally for the first half of the run, then drift by --drift standard deviations:
invisible in any single line, visible in the mean of a window. Same seed, same bytes.`

  static override examples = [
    '<%= config.bin %> sample --agents 8 --observations 200 --compromised 2 --seed 7 --out telemetry.jsonl',
    '<%= config.bin %> sample --agents 3 --observations 10 --seed 1 --out - | head -3',
    '<%= config.bin %> sample --scenario sleeper --agents 1000 --observations 120 --seed 7 --out fleet.jsonl --truth truth.json',
  ]

  static override flags = {
    agents: Flags.integer({description: 'number of agents', default: 8}),
    observations: Flags.integer({description: 'observations per agent (one a minute)', default: 200}),
    compromised: Flags.integer({description: "how many agents drift in the second half (default 1; with --scenario, the scenario's share)"}),
    drift: Flags.string({description: 'drift of a compromised agent, in standard deviations (default 0.6; with --scenario, its own)'}),
    scenario: Flags.string({description: 'a fleet attack for tcp detect (docs/detect.md)', options: [...SCENARIOS]}),
    onset: Flags.integer({description: 'with --scenario: first attacked observation (default: the middle)', dependsOn: ['scenario']}),
    truth: Flags.string({description: 'with --scenario: write the ground truth (attackers, onsets, groups) to this JSON file', dependsOn: ['scenario']}),
    seed: Flags.string({description: 'seed (0 to 4294967295); random when omitted, and printed'}),
    out: Flags.string({char: 'o', description: 'output file (JSONL), or - for stdout', required: true}),
    force: Flags.boolean({description: 'overwrite an existing output file'}),
  }

  async run() {
    const {flags} = await this.parse(Sample)
    const seed = flags.seed === undefined ? randomSeed() : parseSeed(flags.seed)
    noDashWithJson(flags.out, this.jsonEnabled())
    const drift = flags.drift === undefined ? undefined : /^\d+(\.\d+)?$/.test(flags.drift) ? Number(flags.drift) : NaN
    if (flags.scenario) return this.scenario(flags.scenario as Scenario, {...flags, drift, seed})
    const r = generateSample({...flags, compromised: flags.compromised ?? 1, drift: drift ?? 0.6, seed})
    if (flags.out === '-') output.out(r.text)
    else await writeFileAtomic(flags.out, r.text, {force: flags.force, what: 'sample file'})
    const result = {seed, lines: r.lines, agents: r.agents.length, compromisedAgents: r.compromisedAgents, driftStartsAt: r.driftStartsAt, written: {telemetry: flags.out}}
    if (flags.out !== '-') this.log(`wrote ${r.lines} observations of ${r.agents.length} agents to ${flags.out} (seed ${seed}; compromised: ${r.compromisedAgents.join(', ') || 'none'}, drifting from observation ${r.driftStartsAt})`)
    else this.note(`seed ${seed}; compromised: ${r.compromisedAgents.join(', ') || 'none'}`)
    return result
  }

  private async scenario(scenario: Scenario, o: {agents: number; observations: number; compromised?: number; drift?: number; onset?: number; seed: number; out: string; truth?: string; force: boolean}) {
    const {ScenarioFleet, scenarioJsonl} = await import('../core/sample/scenarios.js')
    const src = new ScenarioFleet({...o, scenario})
    const text = scenarioJsonl(src, MAX_LINES)
    // Refuse before writing anything, so that a refused --truth never leaves a data file without its truth.
    noDash(o.truth, '--truth')
    for (const p of [o.out, o.truth]) if (p && p !== '-' && !o.force && existsSync(p)) throw new TcpError('exists', `${p}: already exists (use --force to overwrite)`)
    if (o.out === '-') output.out(text)
    else await writeFileAtomic(o.out, text, {force: o.force, what: 'sample file'})
    if (o.truth) await writeFileAtomic(o.truth, JSON.stringify(src.truth, null, 2) + '\n', {force: o.force, what: 'ground truth'})
    const t = src.truth
    const line = `scenario ${scenario} (seed ${o.seed}): ${t.attackers.length} attacker(s)${t.onset === null ? '' : ` from observation ${t.onset}, ${t.drift} sd on ${Object.keys(t.features).join(', ')}`}`
    if (o.out === '-') this.note(line)
    else this.log(`wrote ${o.agents * o.observations} observations of ${o.agents} agents to ${o.out}; ${line}${o.truth ? `; ground truth in ${o.truth}` : ''}`)
    return {seed: o.seed, lines: o.agents * o.observations, agents: o.agents, scenario, compromisedAgents: t.attackers, onset: t.onset, written: {telemetry: o.out, ...(o.truth ? {truth: o.truth} : {})}}
  }
}
