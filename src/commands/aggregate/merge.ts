import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {passphraseSource} from '../../cli/passphrase.js'
import {loadTrust, trustFlags} from '../../cli/trust.js'
import {EXIT} from '../../core/errors.js'
import {readPrivateKeyFile} from '../../core/keys/files.js'

export default class AggregateMerge extends TcpCommand {
  static override summary = 'Merge the signed roots of N shards into the root one process would have built'
  static override description = `Each SHARD_ROOT is a shard.json written by tcp aggregate build --shard K/N. Every node in it must be signed by
a trusted key (--pub/--trust) that is the node's own aggregator, and the shards must be 0..N-1 once each. Writes
the root envelope; with --tree, also joins the shards' level files into one tree directory (identical to a
one-process build), which tcp aggregate prove and tcp verify --audit read.`

  static override examples = ['<%= config.bin %> aggregate merge shard-*/shard.json --pub agg.pub --key agg.key --out root.dsse.json --tree tree/']
  static override strict = false
  static override args = {shards: Args.string({description: 'shard roots (shard.json), one per shard', required: true})}
  static override flags = {
    ...trustFlags,
    key: Flags.string({char: 'k', description: "the aggregator's signing key (.key)", required: true}),
    'passphrase-file': passphraseFileFlag,
    out: Flags.string({char: 'o', description: 'the root envelope to write', required: true}),
    tree: Flags.string({description: 'also write the joined tree directory here'}),
    force: forceFlag,
  }

  async run() {
    const {argv, flags} = await this.parse(AggregateMerge)
    const {mergeShards} = await import('../../core/aggregate/merge.js')
    const trust = await loadTrust(flags, () => this.tcpConfig())
    const signer = await readPrivateKeyFile(flags.key, passphraseSource({passphraseFile: flags['passphrase-file']}))
    const r = await mergeShards({shards: argv as string[], trust, signer, out: flags.out, tree: flags.tree, force: flags.force})
    this.log(`root ${r.root} over ${r.leaves} agents from ${r.shards} shards -> ${r.out}${r.tree ? ` (tree ${r.tree})` : ''}`)
    for (const f of r.findings.slice(0, 20)) this.log(`  outlier: ${f.node} child ${f.child} (${f.id}): ${f.statistic}${f.feature ? ` of ${f.feature}` : ''} z = ${f.z}`)
    if (r.findings.length > 0) this.status = EXIT.findings
    const {out, tree, ...result} = r
    return {...result, keyId: signer.keyId, trust: trust.source, written: {root: out, ...(tree ? {tree} : {})}}
  }
}
