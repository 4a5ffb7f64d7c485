import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {EXIT} from '../../core/errors.js'
import {parseSeed, randomSeed} from '../../core/rng.js'

export default class RedteamRun extends TcpCommand {
  static override summary = 'Run the four attack vectors against a seeded fleet, without and with tcp\'s defences, and judge each against its bound'
  static override description = `Vectors: tree-poisoning (crafted aggregator statistics), sub-threshold (many small shifts, a sleeper group,
a 32% group against the 75% quorum), temporal (attacks timed to refreshes, partitions and recovery),
clock-forgery (forged, regressed and back-dated clocks, reordered and replayed entries, stale heads).
Each attack runs on seeded trials twice: with the undefended path and with tcp's real defence, and the report
gives attack success, detection rate at the stated false-positive rate, time to detection and distortion of
the global baseline in standard deviations. Same seed, same report bytes (timings are kept apart).
Exit 0 when every defence meets its bound and at least 98% of attacks are resisted, 3 when one misses, 2 on bad input.`

  static override examples = [
    '<%= config.bin %> redteam run --quick --vector all --seed 1 --report out/redteam',
    '<%= config.bin %> redteam run --vector tree-poisoning,clock-forgery --agents 10000 --seed 7 --json',
  ]

  static override flags = {
    vector: Flags.string({description: 'comma-separated vectors, or all (tree-poisoning, sub-threshold, temporal, clock-forgery)', default: 'all'}),
    agents: Flags.integer({char: 'n', description: 'agents in each synthetic fleet (default 10000, quick 1000)'}),
    seed: Flags.string({description: 'seed (0 to 4294967295); random when omitted, and printed'}),
    quick: Flags.boolean({description: 'fewer trials and 1,000 agents: the CI and demo size'}),
    report: Flags.string({description: 'write redteam.json, redteam.svg and timings.json into this directory'}),
    force: Flags.boolean({description: 'overwrite existing report files', dependsOn: ['report']}),
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(RedteamRun)
    const {assertReportAbsent, parseVectors, runRedteam, renderRedteamText, writeRedteamReport} = await import('../../core/redteam/index.js')
    const seed = flags.seed === undefined ? randomSeed() : parseSeed(flags.seed)
    const vectors = parseVectors(flags.vector)
    const agents = flags.agents ?? (flags.quick ? 1000 : 10_000)
    if (flags.report !== undefined && !flags.force) await assertReportAbsent(flags.report)
    const p = await this.progress('red team')
    const r = await runRedteam({vectors, agents, seed, quick: flags.quick, onProgress: (l) => p.update(l)})
    p.stop()
    const paths = flags.report === undefined ? undefined : await writeRedteamReport(flags.report, r, flags.force)
    this.log(`seed ${seed} (--seed ${seed} reproduces this run); ${agents} agents${flags.quick ? ', quick' : ''}; ${r.timings.totalMs} ms`)
    for (const line of renderRedteamText(r.report)) this.log(line)
    if (paths) this.log(`report: ${paths.json}, chart: ${paths.svg}`)
    if (r.report.verdict !== 'holds') this.status = EXIT.findings
    // The report exactly as --report writes it to redteam.json (it names itself: tcp.redteam.report/v1), timings apart.
    return {report: r.report, timings: r.timings, ...(paths ? {written: {report: paths.json, chart: paths.svg, timings: paths.timings}} : {})}
  }
}
