/** `tcp verify LOG`: a tcp.log/v1 agent log, alone or with its fleet (every clock reference resolved). */
import {Flags} from '@oclif/core'
import {TcpError} from '../../core/errors.js'
import {parseDuration} from '../../core/time.js'
import {parseAt, trustFlags} from '../trust.js'
import {atFlag} from './dsse-envelope.js'
import {defineKind} from './kind.js'

export default defineKind({
  flags: {
    pub: trustFlags.pub,
    trust: trustFlags.trust,
    at: atFlag,
    fleet: Flags.string({description: 'log: a directory of all agents\' logs (*.log): resolve every clock reference, check causal order'}),
    'max-skew': Flags.string({description: 'log: tolerated clock skew between agents and against now', default: '2s'}),
    'fresh-within': Flags.string({description: 'log: reject a head (last committed entry) older than this, e.g. 5m'}),
    'witnessed-within': Flags.string({description: 'log, with --fleet: reject any entry older than this (at --at or now) that no other agent\'s log references by hash (needs a witness agent), e.g. 1m'}),
    witness: Flags.string({description: 'log, with --witnessed-within: the witness agent; only what its log fixes pins another agent\'s entries (default: any agent\'s reference, a colluding one\'s too)', multiple: true}),
  },
  async verify({artifact, flags, trust}) {
    const witnessedWithinMs = flags['witnessed-within'] === undefined ? undefined : parseDuration(flags['witnessed-within'], '--witnessed-within')
    if (witnessedWithinMs !== undefined && !flags.fleet) throw new TcpError('usage', '--witnessed-within needs --fleet DIR: an entry is pinned by references from the other logs of its fleet')
    if (flags.witness && witnessedWithinMs === undefined) throw new TcpError('usage', '--witness needs --witnessed-within D: the witness decides which entries older than D count as pinned')
    const store = await trust()
    const opts = {
      trust: store,
      now: parseAt(flags.at),
      maxSkewMs: parseDuration(flags['max-skew'], '--max-skew'),
      freshWithinMs: flags['fresh-within'] === undefined ? undefined : parseDuration(flags['fresh-within'], '--fresh-within'),
    }
    if (flags.fleet) {
      const {verifyFleet} = await import('../../core/log/fleet.js')
      return verifyFleet(flags.fleet, {...opts, main: artifact, witnessedWithinMs, witnesses: flags.witness})
    }
    const {verifyLogFile} = await import('../../core/log/verify.js')
    return verifyLogFile(artifact, opts)
  },
})
