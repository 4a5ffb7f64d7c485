import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag} from '../../cli/flags.js'
import {writeFileAtomic} from '../../core/io.js'

export default class AggregateProve extends TcpCommand {
  static override summary = "Write an inclusion proof of one agent's baseline in a tree's signed root"
  static override description = `The proof (tcp.aggregate.inclusion/v2) carries, per level, the node's index, children count and body digest and
the RFC 9162 audit path: O(log n) hashes from the agent's baseline digest to the root, every one recomputed by
the verifier. Check it with tcp verify INCL.json --root ROOT.dsse.json --pub AGG.pub.`

  static override examples = ['<%= config.bin %> aggregate prove --tree tree/ --agent agent-0000042 --out incl.json']
  static override flags = {
    tree: Flags.string({description: 'the tree directory (tcp aggregate build, or merge --tree)', required: true}),
    agent: Flags.string({description: 'the agent id', required: true}),
    out: Flags.string({char: 'o', description: 'the proof to write', required: true}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(AggregateProve)
    const {proveInclusion} = await import('../../core/aggregate/prove.js')
    const {proof, root} = await proveInclusion(flags.tree, flags.agent)
    const text = JSON.stringify(proof) + '\n'
    await writeFileAtomic(flags.out, text, {force: flags.force, what: 'inclusion proof'})
    this.log(`inclusion proof of ${flags.agent}: ${proof.levels.length} levels, ${proof.levels.reduce((a, l) => a + l.path.length, 0)} path hashes, ${text.length} bytes -> ${flags.out}`)
    return {agent: flags.agent, levels: proof.levels.length, bytes: text.length, root, written: {proof: flags.out}}
  }
}
