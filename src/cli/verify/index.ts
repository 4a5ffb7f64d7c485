/**
 * The registry of `tcp verify` kinds. The table's type is keyed by the closed `ArtifactKind` union, so a kind
 * added to `src/core/verify/detect.ts` without a verifier here is a compile error. To add a kind: a detector case
 * in detect.ts, a file in this folder, one line below.
 */
import type {ArtifactKind} from '../../core/verify/detect.js'
import type {FlagInput} from '@oclif/core/interfaces'
import type {VerifyKind} from './kind.js'
import dsse from './dsse-envelope.js'
import zk from './zk-proof-bundle.js'
import tpm from './tpm-quote-bundle.js'
import log from './log.js'
import aggregateRoot from './aggregate-root.js'
import aggregateInclusion from './aggregate-inclusion.js'

export const VERIFY_KINDS: {[K in ArtifactKind]: VerifyKind<any>} = {
  'dsse-envelope': dsse,
  'zk-proof-bundle': zk,
  'tpm-quote-bundle': tpm,
  'tcp-log': log,
  'aggregate-root': aggregateRoot,
  'aggregate-inclusion': aggregateInclusion,
}

/** Every kind's flags in one object (the same flag object may appear in several kinds). */
export const VERIFY_FLAGS: FlagInput = Object.assign({}, ...Object.values(VERIFY_KINDS).map((k) => k.flags))
