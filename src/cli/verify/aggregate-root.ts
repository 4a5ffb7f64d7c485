/** `tcp verify ROOT.dsse.json --pub AGG.pub [--audit TREE_DIR [--leaf-pub REC.pub] [--sample K --seed S]]`: a signed aggregation node. */
import {Flags} from '@oclif/core'
import {parseAt, trustFlags, trustFromFlags} from '../trust.js'
import {atFlag} from './dsse-envelope.js'
import {defineKind} from './kind.js'

export default defineKind({
  flags: {
    ...trustFlags,
    at: atFlag,
    audit: Flags.string({description: 'aggregate root: recompute the nodes of this tree directory from their children (the leaves\' signers in --leaf-pub/--leaf-trust, else in the trust)'}),
    sample: Flags.integer({description: 'aggregate root, with --audit: recompute only K random root-to-leaf paths', min: 1, dependsOn: ['audit']}),
    seed: Flags.string({description: 'aggregate root, with --sample: the seed of the sampled paths', dependsOn: ['sample']}),
    'leaf-pub': Flags.string({description: 'aggregate root, with --audit: a key that may sign leaves (an agent or its recorder), and only leaves; --pub/--trust then name node signers only', multiple: true, exclusive: ['leaf-trust'], dependsOn: ['audit']}),
    'leaf-trust': Flags.string({description: 'aggregate root, with --audit: a trust directory of the keys that may sign leaves, and only leaves (as --leaf-pub)', dependsOn: ['audit']}),
    leaves: Flags.string({description: "aggregate root, with --audit: the leaves (default: the tree manifest's source)", dependsOn: ['audit']}),
  },
  async verify({doc, flags, trust}) {
    const {parseSeed} = await import('../../core/rng.js')
    const store = await trust()
    const now = parseAt(flags.at)
    if (flags.audit) {
      const {auditTree} = await import('../../core/aggregate/audit.js')
      const leafTrust = await trustFromFlags(flags['leaf-pub'], flags['leaf-trust'], {pub: 'leaf-pub', trust: 'leaf-trust'})
      return auditTree(doc, flags.audit, {trust: store, leafTrust, now, sample: flags.sample, seed: flags.seed === undefined ? undefined : parseSeed(flags.seed, '--seed'), leaves: flags.leaves})
    }
    const {verifyAggregateRoot} = await import('../../core/aggregate/verify-root.js')
    return verifyAggregateRoot(doc, store, now)
  },
})
