/** `tcp verify LOG`: a tcp.log/v1 agent log, alone or with its fleet (every clock reference resolved). */
import {Flags} from '@oclif/core'
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
  },
  async verify({artifact, flags, trust}) {
    const store = await trust()
    const opts = {
      trust: store,
      now: parseAt(flags.at),
      maxSkewMs: parseDuration(flags['max-skew'], '--max-skew'),
      freshWithinMs: flags['fresh-within'] === undefined ? undefined : parseDuration(flags['fresh-within'], '--fresh-within'),
    }
    if (flags.fleet) {
      const {verifyFleet} = await import('../../core/log/fleet.js')
      return verifyFleet(flags.fleet, {...opts, main: artifact})
    }
    const {verifyLogFile} = await import('../../core/log/verify.js')
    return verifyLogFile(artifact, opts)
  },
})
