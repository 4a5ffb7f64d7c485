import {Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {output} from '../cli/output.js'
import {writeFileAtomic} from '../core/io.js'
import {TcpError} from '../core/errors.js'
import {parseSeed, randomSeed} from '../core/rng.js'
import {generateSample} from '../core/sample/telemetry.js'

export default class Sample extends TcpCommand {
  static override summary = 'Write seeded synthetic agent telemetry (JSONL) in which some agents drift subtly'
  static override description = `Each line is one observation: agent, ISO time, tool_risk_accuracy, risk_bias, call_rate, latency_ms.
Compromised agents behave normally for the first half of the run, then drift by --drift standard deviations:
invisible in any single line, visible in the mean of a window. Same seed, same bytes.`

  static override examples = [
    '<%= config.bin %> sample --agents 8 --observations 200 --compromised 2 --seed 7 --out telemetry.jsonl',
    '<%= config.bin %> sample --agents 3 --observations 10 --seed 1 --out - | head -3',
  ]

  static override flags = {
    agents: Flags.integer({description: 'number of agents', default: 8}),
    observations: Flags.integer({description: 'observations per agent (one a minute)', default: 200}),
    compromised: Flags.integer({description: 'how many agents drift in the second half', default: 1}),
    drift: Flags.string({description: 'drift of a compromised agent, in standard deviations', default: '0.6'}),
    seed: Flags.string({description: 'seed (0 to 4294967295); random when omitted, and printed'}),
    out: Flags.string({char: 'o', description: 'output file (JSONL), or - for stdout', required: true}),
    force: Flags.boolean({description: 'overwrite an existing output file'}),
  }

  async run() {
    const {flags} = await this.parse(Sample)
    const seed = flags.seed === undefined ? randomSeed() : parseSeed(flags.seed)
    if (flags.out === '-' && this.jsonEnabled()) throw new TcpError('usage', '--out - writes the data to stdout, where --json would write the report: use one of them')
    const drift = /^\d+(\.\d+)?$/.test(flags.drift) ? Number(flags.drift) : NaN
    const r = generateSample({...flags, drift, seed})
    if (flags.out === '-') output.out(r.text)
    else await writeFileAtomic(flags.out, r.text, {force: flags.force, what: 'sample file'})
    const result = {out: flags.out, seed, lines: r.lines, agents: r.agents.length, compromisedAgents: r.compromisedAgents, driftStartsAt: r.driftStartsAt}
    if (flags.out !== '-') this.log(`wrote ${r.lines} observations of ${r.agents.length} agents to ${flags.out} (seed ${seed}; compromised: ${r.compromisedAgents.join(', ') || 'none'}, drifting from observation ${r.driftStartsAt})`)
    else this.note(`seed ${seed}; compromised: ${r.compromisedAgents.join(', ') || 'none'}`)
    return result
  }
}
