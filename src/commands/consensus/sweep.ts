import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {writeFileAtomic} from '../../core/io.js'
import {parseSeed, randomSeed} from '../../core/rng.js'
import {networkOptions} from '../../core/consensus/options.js'
import {parseNumberFlag} from '../../core/consensus/simulate.js'
import {parseList, parseRange, parseStrategies, renderTable, sweep, type SweepResult} from '../../core/consensus/sweep.js'
import {renderSvg} from '../../core/consensus/svg.js'
import {networkFlags} from './simulate.js'

export default class ConsensusSweep extends TcpCommand {
  static override summary = 'Map the empirically safe and live regions over quorum thresholds and Byzantine fractions, against the theory'
  static override description = `Runs --runs seeded simulations per cell and strategy, and prints how many runs each verdict rests on (and how
many violated or stalled). A cell is unsafe when any run had two honest agents decide differently, not live when any run stalled. The theory: safe iff f < 2q - 1, live iff f <= 1 - q.
The claim "a 75% quorum stops a 32% attacker" is always run as its own cell and judged. Signatures default to the
model (--crypto model): a sweep runs hundreds of simulations. Exit 0; the map is the finding, not a failure.`

  static override examples = [
    '<%= config.bin %> consensus sweep --agents 100 --threshold 0.51,0.67,0.75,0.9 --byzantine 0:0.6:0.05 --runs 5 --seed 7 --svg sweep.svg',
    '<%= config.bin %> consensus sweep --agents 40 --threshold 0.75 --byzantine 0.2,0.3 --runs 2 --seed 1 --json',
  ]

  static override flags = {
    agents: Flags.integer({char: 'n', description: 'agents per simulation', default: 100}),
    threshold: Flags.string({char: 'q', description: 'comma-separated quorum thresholds', default: '0.51,0.67,0.75,0.9'}),
    byzantine: Flags.string({char: 'f', description: 'Byzantine fractions: START:STOP:STEP or a comma list', default: '0:0.6:0.05'}),
    runs: Flags.integer({char: 'k', description: 'seeded runs per cell and strategy', default: 5}),
    strategies: Flags.string({description: 'strategies run in every cell (safety is judged under all of them, liveness too)', default: 'strongest,withhold'}),
    rounds: Flags.integer({char: 'r', description: 'views an agent tries after the network heals before giving up', default: 20}),
    seed: Flags.string({description: 'seed (0 to 4294967295); random when omitted, and printed'}),
    svg: Flags.string({description: 'write the picture (SVG) to this file'}),
    force: Flags.boolean({description: 'overwrite an existing SVG file'}),
    'claim-threshold': Flags.string({description: 'the claim under test: quorum threshold', default: '0.75'}),
    'claim-byzantine': Flags.string({description: 'the claim under test: Byzantine fraction', default: '0.32'}),
    ...networkFlags,
    crypto: Flags.string({description: 'vote signatures (see simulate)', default: 'model', options: ['auto', 'ed25519', 'bls', 'blst', 'model']}),
  }

  async run(): Promise<SweepResult & {written?: {svg: string}}> {
    const {flags} = await this.parse(ConsensusSweep)
    const seed = flags.seed === undefined ? randomSeed() : parseSeed(flags.seed)
    const p = await this.progress('sweeping')
    const r = sweep(
      {
        ...networkOptions(flags),
        agents: flags.agents,
        thresholds: parseList('threshold', flags.threshold),
        fractions: parseRange('byzantine', flags.byzantine),
        runs: flags.runs,
        strategies: parseStrategies(flags.strategies),
        rounds: flags.rounds,
        seed,
        claim: {threshold: parseNumberFlag('claim-threshold', flags['claim-threshold']), byzantine: parseNumberFlag('claim-byzantine', flags['claim-byzantine'])},
      },
      (done, total) => p.update(`sweeping: cell ${done}/${total}`),
    )
    p.stop()
    if (flags.svg !== undefined) await writeFileAtomic(flags.svg, renderSvg(r), {force: flags.force, what: 'SVG file'})
    this.log(`seed ${seed} (--seed ${seed} reproduces this sweep); ${r.agents} agents, ${r.runs} run(s) per cell and strategy (${r.strategies.join(', ')}), ${r.wallMs} ms`)
    this.log(renderTable(r))
    this.log(`agreement with theory: safety ${r.agreement.safe}/${r.agreement.cells} cells, liveness ${r.agreement.live}/${r.agreement.cells} cells`)
    this.log(`claim "${r.claim.statement}": ${r.claim.verdict}`)
    if (flags.svg !== undefined) this.log(`picture: ${flags.svg}`)
    return {...r, ...(flags.svg !== undefined ? {written: {svg: flags.svg}} : {})}
  }
}
