import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {EXIT, TcpError} from '../../core/errors.js'
import {parseSeed, randomSeed} from '../../core/rng.js'
import type {BenchReport, Section} from '../../core/bench/report.js'

export default class Bench extends TcpCommand {
  static override summary = 'Measure the critical paths, the LSH all-pairs search, crypto throughput and timing leaks'
  static override description = `Prints ns per operation (median, p99) of the per-call paths, LSH against brute force at growing n, the core's
crypto beside node:crypto and noble, a dudect-style leak report, and the seed's claims (<100 ns, 374.4x,
O(n log n)) each marked holds or does not hold. --quick runs small sizes (under about 30 s). Exit 3 when the leak
detector finds a leak in a target or cannot validate itself. Every figure is measured in this run.`

  static override examples = [
    '<%= config.bin %> bench --quick',
    '<%= config.bin %> bench --only paths --only lsh --seed 7',
    '<%= config.bin %> bench lsh --sizes 1000,10000,100000 --json',
  ]

  /** The sections this command runs when --only is absent (the topic commands narrow it). */
  static sections: Section[] = ['paths', 'lsh', 'crypto', 'ct']

  static override flags = {
    quick: Flags.boolean({description: 'small sizes and few repetitions (CI, demo)'}),
    seed: Flags.string({description: 'seed (0 to 4294967295); random when omitted, and printed'}),
    only: Flags.string({description: 'run only this section (repeatable)', multiple: true, options: ['paths', 'lsh', 'crypto', 'ct']}),
    sizes: Flags.string({description: 'all-pairs sizes, comma-separated (default 1000,10000 quick; up to 1000000 full)'}),
  }

  async run(): Promise<BenchReport> {
    const {flags} = await this.parse(this.constructor as typeof Bench)
    const seed = flags.seed === undefined ? randomSeed() : parseSeed(flags.seed)
    const sizes = flags.sizes?.split(',').map((s) => {
      const n = Number(s.trim())
      if (!Number.isInteger(n) || n < 2 || n > 10_000_000) throw new TcpError('usage', `sizes: expected integers from 2 to 10000000, got ${JSON.stringify(s)}`)
      return n
    })
    const sections = (flags.only as Section[] | undefined) ?? (this.constructor as typeof Bench).sections
    const {runBench} = await import('../../core/bench/report.js')
    const {renderBench} = await import('../../core/bench/render.js')
    this.note(`seed ${seed}`)
    const p = await this.progress('measuring')
    let report: BenchReport
    try {
      report = await runBench({seed, quick: flags.quick, sections, sizes, onProgress: (s) => p.update(s)})
    } finally {
      p.stop()
    }
    this.log(renderBench(report))
    if (report.ct && report.ct.verdict !== 'no-leak-found') this.status = EXIT.findings
    return report
  }
}
