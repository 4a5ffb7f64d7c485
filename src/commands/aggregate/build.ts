import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {passphraseSource} from '../../cli/passphrase.js'
import {loadTrust, trustFlags} from '../../cli/trust.js'
import {EXIT} from '../../core/errors.js'
import {readPrivateKeyFile} from '../../core/keys/files.js'

export default class AggregateBuild extends TcpCommand {
  static override summary = 'Build a signed aggregation tree over per-agent baselines (exact merge, robust statistics, outlier test)'
  static override description = `Reads one signed baseline per agent (a directory of AGENT.dsse.json, or a JSON Lines file of envelopes sorted
by agent), verifies every signature on worker threads, and writes a tree of signed nodes: leaf-size agents per
level-1 node, branching nodes per node above, one root. Prints the root digest. Exit 3 when the outlier test flags
a child against its siblings (named with the statistic); --exclude-outliers quarantines them and says so in the
node. With --shard K/N (K from 0) it builds one shard and writes shard.json for tcp aggregate merge.`

  static override examples = [
    '<%= config.bin %> aggregate build --from leaves/ --pub recorder.pub --key agg.key --out tree/',
    '<%= config.bin %> aggregate build --from leaves.jsonl --trust ./trust --key agg.key --shard 0/4 --out shard-0/',
  ]

  static override flags = {
    from: Flags.string({description: 'leaves: a directory of AGENT.dsse.json or a JSON Lines file of signed baselines', required: true}),
    ...trustFlags,
    key: Flags.string({char: 'k', description: "the aggregator's signing key (.key)", required: true}),
    'passphrase-file': passphraseFileFlag,
    out: Flags.string({char: 'o', description: 'tree directory to write', required: true}),
    'leaf-size': Flags.integer({description: 'agents per level-1 node', default: 50, min: 2}),
    branching: Flags.integer({description: 'nodes per node above level 1', default: 10, min: 2}),
    decimals: Flags.integer({description: 'the fixed-point grid of the baselines\' moments', default: 3, min: 0, max: 9}),
    shard: Flags.string({description: 'build shard K of N only (K from 0), e.g. 2/8'}),
    'exclude-outliers': Flags.boolean({description: 'quarantine flagged children (left out of the statistics, named in the node)'}),
    'outlier-z': Flags.string({description: 'robust z-score above which a child is an outlier (8: false-positive rate 0.0025 per child measured on honest fleets)', default: '8'}),
    'test-agents': Flags.boolean({description: 'also test agents against their siblings at level 1'}),
    workers: Flags.integer({description: 'signature-verifying worker threads (default: cores, at most 8; 0: none)', min: 0, max: 64}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(AggregateBuild)
    const {buildTreeFiles} = await import('../../core/aggregate/build.js')
    const {parseShard} = await import('../../core/aggregate/tree.js')
    const trust = await loadTrust(flags, () => this.tcpConfig())
    const signer = await readPrivateKeyFile(flags.key, passphraseSource({passphraseFile: flags['passphrase-file']}))
    const threshold = Number(flags['outlier-z'])
    const p = await this.progress('verifying leaves and building the tree')
    const r = await buildTreeFiles({
      from: flags.from, trust, signer, out: flags.out, leafSize: flags['leaf-size'], branching: flags.branching, decimals: flags.decimals,
      test: {threshold, excludeOutliers: flags['exclude-outliers'], testAgents: flags['test-agents']},
      shard: flags.shard ? parseShard(flags.shard) : undefined, force: flags.force, workers: flags.workers,
    }).finally(() => p.stop())
    this.log(r.root ? `root ${r.root} over ${r.leaves} agents (${r.shape.counts.length} levels) -> ${r.rootFile}` : `shard ${r.plan.shard}/${r.plan.of}: L${r.plan.level} nodes ${r.plan.first}..${r.plan.end - 1} over ${r.leaves} agents -> ${r.shardFile}`)
    for (const f of r.findings.slice(0, 20)) this.log(`  outlier: ${f.node} child ${f.child} (${f.id}): ${f.statistic}${f.feature ? ` of ${f.feature}` : ''} z = ${f.z} (|z| > ${f.threshold})${flags['exclude-outliers'] ? ', quarantined' : ''}`)
    if (r.findings.length > 20) this.log(`  ... ${r.findings.length - 20} more (--json lists them all)`)
    if (r.findings.length > 0) this.status = EXIT.findings
    const {out, rootFile, shardFile, ...result} = r
    return {...result, seconds: Number(r.seconds.toFixed(3)), keyId: signer.keyId, trust: trust.source, written: {tree: out, ...(rootFile ? {root: rootFile} : {}), ...(shardFile ? {shard: shardFile} : {})}}
  }
}
