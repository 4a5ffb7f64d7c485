import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {SIZES, parseSize} from '../../core/zk/statement.js'

export default class ZkCompile extends TcpCommand {
  static override summary = 'Compile the proof circuits with circom2 --O2 into the cache (tcp zk setup does it on demand)'
  static override description = `Compiles circuits/window_<size>.circom once per circuit hash into the cache (TCP_CACHE_DIR, else the oclif
cache folder) and prints the constraint counts. Already compiled circuits are checked against their recorded
SHA3-256 and reused. npm run circuits compiles every size.`

  static override examples = ['<%= config.bin %> zk compile --size 8', '<%= config.bin %> zk compile --all --json']

  static override flags = {
    size: Flags.integer({description: `circuit size (${SIZES.join(', ')}); repeatable`, multiple: true, exclusive: ['all']}),
    all: Flags.boolean({description: 'every size'}),
  }

  async run() {
    const {flags} = await this.parse(ZkCompile)
    const {ensureCompiled, resolveCacheDir} = await import('../../core/zk/artifacts.js')
    const sizes = flags.all ? [...SIZES] : (flags.size ?? [8]).map(parseSize)
    const out = []
    const written: Record<string, string> = {}
    for (const size of sizes) {
      const c = await ensureCompiled(resolveCacheDir(this.config.cacheDir), size)
      this.log(`tcp-window-${size}: ${c.constraints} constraints (${(c.constraints / size).toFixed(1)} per observation), circuit ${c.circuitHash.slice(0, 16)}..., ${c.dir}`)
      out.push({size, constraints: c.constraints, perObservation: c.constraints / size, circuitHash: c.circuitHash, dir: c.dir, compileSeconds: c.compileSeconds, reused: !c.created})
      if (c.created) written[`circuit${size}`] = c.dir
    }
    return {circuits: out, ...(Object.keys(written).length ? {written} : {})}
  }
}
