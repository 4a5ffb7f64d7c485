/**
 * One `tcp verify` artifact kind, as the CLI sees it: the flags that apply to it and how they become a call to the
 * kind's core verifier. Each kind lives in its own file beside this one and is registered once in `index.ts`,
 * whose table is typed by the closed `ArtifactKind` union: adding a kind to the union without a file here (or the
 * reverse) does not compile. A flag that is not in a kind's `flags` is refused for that kind (exit 2), so no CI
 * script can believe a check ran that did not.
 */
import type {FlagInput, InferredFlags} from '@oclif/core/interfaces'
import type {TrustStore} from '../../core/envelope/trust.js'
import type {VerifyReport} from '../../core/verify/report.js'
import type {TcpConfig} from '../config.js'

export interface VerifyContext<F extends FlagInput> {
  /** The path the user gave. */
  artifact: string
  /** The parsed document (JSON artifacts) or undefined for line-oriented ones. */
  doc: unknown
  flags: InferredFlags<F>
  /** The user's configuration (read lazily, data files only). */
  config: () => Promise<TcpConfig>
  /**
   * The trust store from --pub/--trust or the user's config dir (loaded once, on first call). The command writes
   * its source into the report (`trust`) unless the kind states another one (a TPM quote's --ak).
   */
  trust: () => Promise<TrustStore>
  /** oclif's cache directory (Groth16 artifacts). */
  cacheDir: string
}

export interface VerifyKind<F extends FlagInput = FlagInput> {
  /** Every flag this kind reads; any other flag given with such an artifact is a usage error. */
  flags: F
  verify(ctx: VerifyContext<F>): Promise<VerifyReport>
}

/** Keeps the flag types of one kind attached to its verify function. */
export function defineKind<F extends FlagInput>(kind: VerifyKind<F>): VerifyKind<F> {
  return kind
}

export type {TrustStore}
