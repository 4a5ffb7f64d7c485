/**
 * Vote signatures of the simulator. Two modes, and every result says which one ran:
 *
 * - `ed25519`: every vote is a real Ed25519 signature (RFC 8032, src/core/crypto/ed25519.ts) over
 *   "tcp.consensus.vote/v1" || run id || view || phase || value, so a vote is bound to its run, view and phase:
 *   a vote replayed into another view or phase, or signed by anyone but the claimed signer, fails verification.
 *   A certificate is the list of its signers' signatures (no aggregation).
 * - `model`: for large fleets. A signature is a 32-bit keyed tag of the same fields under a per-agent secret
 *   (a seeded mix, NOT cryptographic: a forger guesses a tag with probability 2^-32). The checks are the same
 *   (signer, view, phase, value), so forged and replayed votes are rejected for the same reasons; the CPU cost is
 *   not paid but estimated from per-operation timings measured on this machine (MEASURED below) for BLS12-381
 *   aggregated certificates, which is how such a fleet would carry them.
 *
 * Verification of one (signature, signer, view, phase, value) is memoised: a certificate broadcast to a thousand
 * agents is checked once for real and counted a thousand times (`checkedLogical` vs `verifyCalls`). The result of
 * a check depends only on those bytes, so sharing it changes no outcome, only the wall time.
 */
import {ed25519} from '../crypto/ed25519.js'
import {concatBytes, utf8} from '../bytes.js'
import type {Rng} from '../rng.js'

export type CryptoMode = 'ed25519' | 'model'
export const PHASE_PREPARE = 0
export const PHASE_COMMIT = 1

/**
 * Per-operation timings in microseconds, measured on this 2-core machine with `npx tsx bench/consensus-crypto.ts`
 * (medians of 3 runs; see docs/readme/consensus.md). Used only to estimate the CPU cost in `model` mode.
 */
export const MEASURED_US = {
  ed25519Sign: 37,
  ed25519Verify: 110,
  blsSign: 4_700,
  blsVerifyAggregate: 6_000,
  blsAddPublicKey: 8.6,
  blsAddSignature: 20,
} as const

const DOMAIN = utf8('tcp.consensus.vote/v1')

/** The signed bytes of a vote: domain || run id || view || phase || value (big-endian). */
export function voteMessage(runId: number, view: number, phase: number, value: number): Uint8Array {
  const b = new Uint8Array(13)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, runId >>> 0)
  dv.setUint32(4, view >>> 0)
  dv.setUint8(8, phase)
  dv.setUint32(9, value >>> 0)
  return concatBytes(DOMAIN, b)
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) | 0
}

export class VoteCrypto {
  readonly mode: CryptoMode
  /** Bytes of one signature on the wire: 64 (Ed25519) or 96 (compressed BLS12-381 G2, model). */
  readonly sigBytes: number
  made = 0
  forged = 0
  checkedLogical = 0
  verifyCalls = 0
  private readonly runId: number
  private secrets: Uint32Array = new Uint32Array(0)
  private edSecret: Uint8Array[] = []
  readonly publicKeys: Uint8Array[] = []
  /** Ed25519 signatures by handle. */
  readonly sigs: Uint8Array[] = []
  private memo = new Map<string, boolean>()

  constructor(mode: CryptoMode, n: number, rng: Rng, runId: number) {
    this.mode = mode
    this.runId = runId
    this.sigBytes = mode === 'ed25519' ? 64 : 96
    if (mode === 'model') {
      this.secrets = new Uint32Array(n)
      for (let i = 0; i < n; i++) this.secrets[i] = rng.u32()
    } else {
      for (let i = 0; i < n; i++) {
        const sk = rng.bytes(32) // simulation keys from the seed: reproducible, never secret
        this.edSecret.push(sk)
        this.publicKeys.push(ed25519.getPublicKey(sk))
      }
    }
  }

  message(view: number, phase: number, value: number): Uint8Array {
    return voteMessage(this.runId, view, phase, value)
  }

  private tag(agent: number, view: number, phase: number, value: number): number {
    return mix32(this.secrets[agent]! ^ mix32(view * 2 + phase) ^ mix32(value + 0x51ed27) ^ this.runId)
  }

  /** A valid signature of `agent` on (view, phase, value); returns its handle. */
  sign(agent: number, view: number, phase: number, value: number): number {
    this.made++
    if (this.mode === 'model') return this.tag(agent, view, phase, value)
    this.sigs.push(ed25519.sign(this.message(view, phase, value), this.edSecret[agent]!))
    return this.sigs.length - 1
  }

  /**
   * A forgery in the name of `claimed`, made by `forger` who lacks the claimed agent's key: Ed25519 signed with the
   * forger's own key, or a guessed tag.
   */
  forge(claimed: number, forger: number, view: number, phase: number, value: number, guess: number): number {
    this.forged++
    if (this.mode === 'model') {
      const t = guess | 0
      return t === this.tag(claimed, view, phase, value) ? t ^ 1 : t // a guess that happens to be right is not a forgery test
    }
    this.sigs.push(ed25519.sign(this.message(view, phase, value), this.edSecret[forger]!))
    return this.sigs.length - 1
  }

  /** Does `handle` verify as `signer`'s signature on (view, phase, value)? Never throws. */
  verify(signer: number, view: number, phase: number, value: number, handle: number, times = 1): boolean {
    this.checkedLogical += times
    if (!Number.isInteger(signer) || signer < 0 || (this.mode === 'model' ? signer >= this.secrets.length : signer >= this.publicKeys.length))
      return false
    if (this.mode === 'model') {
      this.verifyCalls++
      return handle === this.tag(signer, view, phase, value)
    }
    const key = `${handle}:${signer}:${view}:${phase}:${value}`
    let ok = this.memo.get(key)
    if (ok === undefined) {
      this.verifyCalls++
      const sig = this.sigs[handle]
      ok = sig !== undefined && ed25519.verify(sig, this.message(view, phase, value), this.publicKeys[signer]!)
      this.memo.set(key, ok)
    }
    return ok
  }
}
