/** `tcp verify ROOT.dsse.json --pub AGG.pub [--audit TREE_DIR [--sample K --seed S]]`: a signed aggregation node. */
import {Flags} from '@oclif/core'
import {parseAt, trustFlags} from '../trust.js'
import {atFlag} from './dsse-envelope.js'
import {defineKind} from './kind.js'

export default defineKind({
  flags: {
    ...trustFlags,
    at: atFlag,
    audit: Flags.string({description: 'aggregate root: recompute the nodes of this tree directory from their children (trust must include the leaves\' signers)'}),
    sample: Flags.integer({description: 'aggregate root, with --audit: recompute only K random root-to-leaf paths', min: 1, dependsOn: ['audit']}),
    seed: Flags.string({description: 'aggregate root, with --sample: the seed of the sampled paths', dependsOn: ['sample']}),
    leaves: Flags.string({description: "aggregate root, with --audit: the leaves (default: the tree manifest's source)", dependsOn: ['audit']}),
  },
  async verify({doc, flags, trust}) {
    const {parseSeed} = await import('../../core/rng.js')
    const store = await trust()
    const now = parseAt(flags.at)
    if (flags.audit) {
      const {auditTree} = await import('../../core/aggregate/audit.js')
      return auditTree(doc, flags.audit, {trust: store, now, sample: flags.sample, seed: flags.seed === undefined ? undefined : parseSeed(flags.seed, '--seed'), leaves: flags.leaves})
    }
    const {verifyAggregateRoot} = await import('../../core/aggregate/verify-root.js')
    return verifyAggregateRoot(doc, store, now)
  },
})
