import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {EXIT} from '../../core/errors.js'
import {writeFileAtomic} from '../../core/io.js'
import {parseSeed, randomSeed} from '../../core/rng.js'
import {networkOptions} from '../../core/consensus/options.js'
import {renderSimulation} from '../../core/consensus/render.js'
import {parseNumberFlag, simulate, STRATEGIES, STRATEGY_HELP, type SimResult} from '../../core/consensus/simulate.js'

/** Network, timing and signature flags, shared with `tcp consensus sweep`. */
export const networkFlags = {
  latency: Flags.string({description: 'one-way delay: const:MS, uniform:MIN:MAX, normal:MEAN:SD or exp:MEAN', default: 'exp:20'}),
  'max-delay-ms': Flags.string({description: 'bound on any delay (Delta of partial synchrony); also the leader\'s wait after a quorum of new-views', default: '200'}),
  loss: Flags.string({description: 'probability that a message is lost', default: '0'}),
  partition: Flags.string({description: 'split the honest agents in two halves from START to END ms (strongest, sleeper: until their attack view ends, unless given)'}),
  'timeout-ms': Flags.string({description: 'timeout of view 0; view v waits timeout x backoff^v', default: '1000'}),
  backoff: Flags.string({description: 'timeout growth per failed view (1 to 4; 1 keeps it fixed, which stalls when a view needs longer)', default: '2'}),
  'turn-at-ms': Flags.string({description: 'sleeper: when the sleepers turn (default: the end of view 0)'}),
  'delay-ms': Flags.string({description: 'delay: lateness of every Byzantine message (default 0.9 x timeout)'}),
  crypto: Flags.string({description: 'vote signatures: ed25519 (real), bls (real BLS12-381 aggregated certificates in JavaScript, up to 256 agents), blst (the same with native blst, signing on both cores, up to 2,000,000 agents), model (tags + measured BLS cost), auto (ed25519 up to 1,000 agents, model above)', default: 'auto', options: ['auto', 'ed25519', 'bls', 'blst', 'model']}),
}

export default class ConsensusSimulate extends TcpCommand {
  static override summary = 'Simulate one Byzantine agreement of N agents with a quorum threshold, seeded and reproducible'
  static override description = `Two-phase HotStuff with signed votes collected by a rotating leader into quorum certificates.
Exit 0 when every honest agent decided the same value, 3 when a safety violation (two honest agents decided
differently) or a stall (no decision within --rounds views) was observed, 2 on bad input.

The pacemaker doubles the view timeout per failed view (--backoff), so the fleet decides once the network heals
whatever --timeout-ms is, wherever theory says live.

Strategies (what each does; what it can achieve is in docs/consensus.md):
${STRATEGIES.map((s) => `  ${s.padEnd(11)} ${STRATEGY_HELP[s]}`).join('\n')}`

  static override examples = [
    '<%= config.bin %> consensus simulate --agents 100 --byzantine 0.2 --threshold 0.75 --strategy equivocate --seed 7',
    '<%= config.bin %> consensus simulate --agents 100 --byzantine 0.2 --threshold 0.51 --strategy strongest --seed 1',
    '<%= config.bin %> consensus simulate --agents 100 --byzantine 0.3 --strategy withhold --seed 1 --trace trace.jsonl',
    '<%= config.bin %> consensus simulate --agents 1000000 --byzantine 0 --crypto model --seed 1 --json',
    '<%= config.bin %> consensus simulate --agents 100000 --byzantine 0.2 --strategy withhold --crypto blst --seed 1',
  ]

  static override flags = {
    agents: Flags.integer({char: 'n', description: 'number of agents (4 to 2,000,000)', default: 100}),
    byzantine: Flags.string({char: 'f', description: 'fraction of Byzantine agents', default: '0.2'}),
    threshold: Flags.string({char: 'q', description: 'quorum threshold q (a quorum is ceil(q x agents) signers)', default: '0.75'}),
    strategy: Flags.string({char: 's', description: 'what the Byzantine agents do', default: 'equivocate', options: [...STRATEGIES]}),
    rounds: Flags.integer({char: 'r', description: 'views an agent tries after the network heals before giving up (a stall); views during a partition do not count', default: 20}),
    seed: Flags.string({description: 'seed (0 to 4294967295); random when omitted, and printed'}),
    trace: Flags.string({description: 'write every event as JSONL to this file (same seed, same bytes)'}),
    force: Flags.boolean({description: 'overwrite an existing trace file'}),
    ...networkFlags,
  }

  async run(): Promise<Omit<SimResult, 'trace'> & {maxRssMB: number; written?: {trace: string}}> {
    const {flags} = await this.parse(ConsensusSimulate)
    const seed = flags.seed === undefined ? randomSeed() : parseSeed(flags.seed)
    const r = simulate({
      ...networkOptions(flags),
      agents: flags.agents,
      byzantine: parseNumberFlag('byzantine', flags.byzantine),
      threshold: parseNumberFlag('threshold', flags.threshold),
      strategy: flags.strategy as SimResult['config']['strategy'],
      rounds: flags.rounds,
      seed,
      trace: flags.trace !== undefined,
    })
    const {trace, ...result} = r
    if (flags.trace !== undefined) await writeFileAtomic(flags.trace, trace ?? '', {force: flags.force, what: 'trace file'})
    if (r.outcome.safetyViolation || r.outcome.stalled) this.status = EXIT.findings
    this.log(renderSimulation(r).join('\n'))
    if (flags.trace !== undefined) this.log(`trace: ${flags.trace}`)
    return {...result, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...(flags.trace !== undefined ? {written: {trace: flags.trace}} : {})}
  }
}
