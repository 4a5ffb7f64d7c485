/**
 * Vote signatures of the simulator. Three modes, and every result says which one ran:
 *
 * - `ed25519`: every vote is a real Ed25519 signature (RFC 8032, src/core/crypto/ed25519.ts) over
 *   "tcp.consensus.vote/v1" || run id || view || phase || value, so a vote is bound to its run, view and phase:
 *   a vote replayed into another view or phase, or signed by anyone but the claimed signer, fails verification.
 *   A certificate is the list of its signers' signatures (no aggregation).
 * - `bls`: every vote is a real BLS12-381 signature (@noble/curves, long signatures: 48-byte G1 keys, 96-byte G2
 *   signatures, RFC 9380 hash-to-curve) on the same bytes; a certificate is checked as ONE aggregate signature
 *   against the aggregate of its distinct signers' keys (two pairings), as a large fleet would carry it. Slow in
 *   JavaScript (milliseconds per signature), so for small fleets only.
 * - `model`: for large fleets. A signature is a 32-bit tag: the low 32 bits of SipHash-2-4 (a keyed PRF,
 *   src/core/consensus/siphash.ts) under the signer's own 128-bit key of the message run id || view || phase ||
 *   value. Its real strength: a forger who lacks the key and has seen any number of other tags (every vote of the
 *   run) guesses a tag right with probability 2^-32 per attempt (the output is truncated to 32 bits, so a vote can
 *   be forged by 2^32 online tries, which the simulator never allows: a forgery is one guess); recovering the key
 *   costs about 2^128 (the SipHash designers' claim). Unlike a signature it is not publicly verifiable: the
 *   simulator holds every key, as a MAC verifier would. The checks are the same (signer, view, phase, value), so
 *   forged and replayed votes are rejected for the same reasons; the CPU cost of real BLS12-381 is not paid but
 *   estimated from per-operation timings measured on this machine (MEASURED below).
 *   (Before 2026-11-27 the tag was an invertible mix of secret ^ run id with the fields: one observed vote gave
 *   away secret ^ run id and with it every vote of that signer. test/core/consensus/properties.test.ts replays
 *   that attack against the current tag.)
 *
 * Verification of one (signature, signer, view, phase, value) is memoised: a certificate broadcast to a thousand
 * agents is checked once for real and counted a thousand times (`checkedLogical` vs `verifyCalls`). The result of
 * a check depends only on those bytes, so sharing it changes no outcome, only the wall time.
 */
import {ed25519} from '../crypto/ed25519.js'
import {bls12_381 as bls} from '@noble/curves/bls12-381.js'
import {concatBytes, utf8} from '../bytes.js'
import type {Rng} from '../rng.js'
import {siphash24Words} from './siphash.js'
import {BlstPool, loadBlst, PK_BYTES, SIG_BYTES, type Blst} from './blst.js'

export type CryptoMode = 'ed25519' | 'bls' | 'blst' | 'model'
export const PHASE_PREPARE = 0
export const PHASE_COMMIT = 1
/** A signed timeout (NEW-VIEW) for view v: Q of them form a timeout certificate, the proof that lets replicas enter v. */
export const PHASE_TIMEOUT = 2

/**
 * Per-operation timings in microseconds, measured with `node bench/consensus-crypto.mjs --runs 5` (medians) on the
 * shared 2-core machine on 2026-11-25 while other jobs ran (load average about 13): upper-side figures; an idle
 * machine measured Ed25519 sign/verify at 37/110 us and 8.6 us per BLS key addition (../shared/TOOLCHAIN.md).
 * Used only to estimate the CPU cost in `model` mode, never added to the simulated clock.
 */
export const MEASURED_US = {
  ed25519Sign: 82,
  ed25519Verify: 219,
  blsHashToG2: 22_627,
  blsSign: 23_092,
  blsVerifyAggregate: 47_984,
  blsAddPublicKey: 21,
  blsAddSignature: 65,
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

type BlsPoint = ReturnType<typeof bls.longSignatures.hash>
type BlsKey = ReturnType<typeof bls.longSignatures.getPublicKey>
const BLS = bls.longSignatures
const BLS_DST = 'TCP-CONSENSUS-VOTE-V01-BLS12381G2_XMD:SHA-256_SSWU_RO_'

export class VoteCrypto {
  readonly mode: CryptoMode
  /** Bytes of one signature on the wire: 64 (Ed25519) or 96 (compressed BLS12-381 G2). */
  readonly sigBytes: number
  made = 0
  forged = 0
  checkedLogical = 0
  verifyCalls = 0
  private readonly runId: number
  private secrets: Uint32Array = new Uint32Array(0)
  private edSecret: Uint8Array[] = []
  /** Ed25519 (32 bytes) or BLS12-381 G1 (48 bytes, compressed) public keys by agent. */
  readonly publicKeys: Uint8Array[] = []
  /** Ed25519 signatures (64 bytes) or BLS12-381 G2 signatures (96 bytes, compressed) by handle. */
  readonly sigs: Uint8Array[] = []
  private blsSecret: Uint8Array[] = []
  private blsPub: BlsKey[] = []
  private blsSigs: BlsPoint[] = []
  private hashed = new Map<string, BlsPoint>()
  private memo = new Map<string, boolean>()
  // blst mode: signing is deferred to a batch on the worker pool, run before anything reads a signature.
  private pool: BlstPool | null = null
  private blst: Blst | null = null
  private pkBytes: Uint8Array = new Uint8Array(0)
  private handles = 0
  private signedUpTo = 0
  private pendAgents: number[] = []
  private pendMsg: number[] = []
  private msgIndex = new Map<string, number>()
  private msgList: Uint8Array[] = []
  private batchStart: number[] = []
  private batchBytes: Uint8Array[] = []
  /** Wall milliseconds spent in cryptography (blst mode: key generation, signing batches, verification). */
  cryptoMs = 0
  /** blst mode: the worker threads that sign (one per core, at most 2). */
  workers = 0
  /** blst mode: pairing checks run (aggregates, and their halves when a batch fails). */
  pairings = 0

  constructor(mode: CryptoMode, n: number, rng: Rng, runId: number) {
    this.mode = mode
    this.runId = runId
    this.sigBytes = mode === 'ed25519' ? 64 : 96
    if (mode === 'model') {
      this.secrets = new Uint32Array(4 * n) // a 128-bit SipHash key per agent
      for (let i = 0; i < 4 * n; i++) this.secrets[i] = rng.u32()
    } else if (mode === 'blst') {
      this.blst = loadBlst()
      if (!this.blst) throw new RangeError('--crypto blst: @chainsafe/blst has no binary for this platform')
      const t0 = performance.now()
      this.pool = new BlstPool(rng.bytes(32)) // simulation keys from the seed: reproducible, never secret
      this.workers = this.pool.size
      this.pkBytes = this.pool.publicKeys(n)
      this.cryptoMs += performance.now() - t0
    } else if (mode === 'bls') {
      for (let i = 0; i < n; i++) {
        const k = BLS.keygen(rng.bytes(48)) // simulation keys from the seed: reproducible, never secret
        this.blsSecret.push(k.secretKey)
        this.blsPub.push(k.publicKey)
        this.publicKeys.push(k.publicKey.toBytes())
      }
    } else {
      for (let i = 0; i < n; i++) {
        const sk = rng.bytes(32)
        this.edSecret.push(sk)
        this.publicKeys.push(ed25519.getPublicKey(sk))
      }
    }
  }

  get agents(): number {
    if (this.mode === 'blst') return this.pkBytes.length / PK_BYTES
    return this.mode === 'model' ? this.secrets.length / 4 : this.publicKeys.length
  }

  /** Stops the signing workers (blst); the result stays readable. */
  close(): void {
    this.pool?.close()
  }

  private blstMsg(view: number, phase: number, value: number): number {
    const k = `${view}:${phase}:${value}`
    let i = this.msgIndex.get(k)
    if (i === undefined) {
      i = this.msgList.length
      this.msgList.push(this.message(view, phase, value))
      this.msgIndex.set(k, i)
    }
    return i
  }

  /** Signs every deferred vote now, on the workers (a signature's bytes do not depend on when it is computed). */
  flush(): void {
    if (this.pendAgents.length === 0) return
    const t0 = performance.now()
    const bytes = this.pool!.sign(Int32Array.from(this.pendAgents), Int32Array.from(this.pendMsg), this.msgList)
    this.batchStart.push(this.signedUpTo)
    this.batchBytes.push(bytes)
    this.signedUpTo += this.pendAgents.length
    this.pendAgents = []
    this.pendMsg = []
    this.cryptoMs += performance.now() - t0
  }

  /** blst mode: the uncompressed signature (192 bytes) behind `handle`, or undefined. */
  blstSignature(handle: number): Uint8Array | undefined {
    if (!Number.isInteger(handle) || handle < 0 || handle >= this.handles) return undefined
    if (handle >= this.signedUpTo) this.flush()
    let lo = 0
    let hi = this.batchStart.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.batchStart[mid]! <= handle) lo = mid
      else hi = mid - 1
    }
    const off = (handle - this.batchStart[lo]!) * SIG_BYTES
    return this.batchBytes[lo]!.subarray(off, off + SIG_BYTES)
  }

  /** blst mode: the uncompressed public key (96 bytes) of `agent`. */
  blstPublicKey(agent: number): Uint8Array {
    return this.pkBytes.subarray(agent * PK_BYTES, (agent + 1) * PK_BYTES)
  }

  /** blst mode: the seed-derived secret keys of `agents` (for cross-checks against @noble/curves only). */
  blstSecretKeys(agents: number[]): Uint8Array[] {
    return this.pool!.secretKeys(agents)
  }

  /**
   * blst mode: ONE pairing check of the sum of the signatures against the sum of the signers' keys on one message
   * (signers may repeat; the caller decides what distinct means). False if any handle is unknown.
   */
  private blstCheck(signers: ArrayLike<number>, handles: ArrayLike<number>, view: number, phase: number, value: number): boolean {
    if (signers.length !== handles.length) return false // every signer with exactly one signature
    const pks: Uint8Array[] = []
    const sigs: Uint8Array[] = []
    for (let i = 0; i < signers.length; i++) {
      const s = signers[i]!
      if (!Number.isInteger(s) || s < 0 || s >= this.agents) return false
      const sig = this.blstSignature(handles[i]!) // signs deferred votes first (time counted by flush)
      if (sig === undefined) return false
      pks.push(this.blstPublicKey(s))
      sigs.push(sig)
    }
    if (pks.length === 0) return false
    const t0 = performance.now()
    const b = this.blst!
    this.pairings++
    try {
      return b.verify(this.msgList[this.blstMsg(view, phase, value)]!, b.aggregateSerializedPublicKeys(pks, false), b.aggregateSerializedSignatures(sigs, false))
    } catch {
      return false
    } finally {
      this.cryptoMs += performance.now() - t0
    }
  }

  /**
   * blst mode: which of these votes on one message are valid. One aggregate pairing check for the batch; if it
   * fails, each half is checked again (bisection), so k bad votes among m cost about 2 k log2(m) pairings.
   */
  checkBatch(signers: ArrayLike<number>, handles: ArrayLike<number>, view: number, phase: number, value: number): Uint8Array {
    const ok = new Uint8Array(signers.length)
    const go = (lo: number, hi: number): void => {
      if (hi <= lo) return
      const s = Array.from({length: hi - lo}, (_, i) => signers[lo + i]!)
      const h = Array.from({length: hi - lo}, (_, i) => handles[lo + i]!)
      if (this.blstCheck(s, h, view, phase, value)) ok.fill(1, lo, hi)
      else if (hi - lo > 1) {
        const mid = (lo + hi) >> 1
        go(lo, mid)
        go(mid, hi)
      }
    }
    go(0, signers.length)
    this.verifyCalls++
    return ok
  }

  message(view: number, phase: number, value: number): Uint8Array {
    return voteMessage(this.runId, view, phase, value)
  }

  private tag(agent: number, view: number, phase: number, value: number): number {
    return siphash24Words(this.secrets, 4 * agent, this.runId, view, phase, value)
  }

  /** The vote message hashed to G2 (RFC 9380 hash_to_curve, cached: a view has few distinct messages). */
  private h2c(view: number, phase: number, value: number): BlsPoint {
    const k = `${view}:${phase}:${value}`
    let h = this.hashed.get(k)
    if (!h) {
      h = BLS.hash(this.message(view, phase, value), BLS_DST)
      this.hashed.set(k, h)
    }
    return h
  }

  private store(sig: Uint8Array | BlsPoint): number {
    if (sig instanceof Uint8Array) this.sigs.push(sig)
    else {
      this.blsSigs.push(sig)
      this.sigs.push(sig.toBytes())
    }
    return this.sigs.length - 1
  }

  private signAs(key: number, view: number, phase: number, value: number): number {
    if (this.mode === 'blst') {
      this.pendAgents.push(key)
      this.pendMsg.push(this.blstMsg(view, phase, value))
      return this.handles++
    }
    if (this.mode === 'bls') return this.store(BLS.sign(this.h2c(view, phase, value), this.blsSecret[key]!))
    return this.store(ed25519.sign(this.message(view, phase, value), this.edSecret[key]!))
  }

  /** A valid signature of `agent` on (view, phase, value); returns its handle. */
  sign(agent: number, view: number, phase: number, value: number): number {
    this.made++
    if (this.mode === 'model') return this.tag(agent, view, phase, value)
    return this.signAs(agent, view, phase, value)
  }

  /**
   * A forgery in the name of `claimed`, made by `forger` who lacks the claimed agent's key: signed with the forger's
   * own key (Ed25519, BLS), or a guessed tag (model).
   */
  forge(claimed: number, forger: number, view: number, phase: number, value: number, guess: number): number {
    this.forged++
    if (this.mode === 'model') {
      const t = guess | 0
      return t === this.tag(claimed, view, phase, value) ? t ^ 1 : t // a guess that happens to be right is not a forgery test
    }
    return this.signAs(forger, view, phase, value)
  }

  /** Does `handle` verify as `signer`'s signature on (view, phase, value)? Never throws. */
  verify(signer: number, view: number, phase: number, value: number, handle: number, times = 1): boolean {
    this.checkedLogical += times
    if (!Number.isInteger(signer) || signer < 0 || signer >= this.agents) return false
    if (this.mode === 'model') {
      this.verifyCalls++
      return handle === this.tag(signer, view, phase, value)
    }
    const key = `${handle}:${signer}:${view}:${phase}:${value}`
    let ok = this.memo.get(key)
    if (ok === undefined) {
      this.verifyCalls++
      const sig = this.sigs[handle]
      if (this.mode === 'blst') ok = this.blstCheck([signer], [handle], view, phase, value)
      else if (sig === undefined) ok = false
      else if (this.mode === 'ed25519') ok = ed25519.verify(sig, this.message(view, phase, value), this.publicKeys[signer]!)
      else ok = this.blsVerify(this.blsSigs[handle]!, this.blsPub[signer]!, view, phase, value)
      this.memo.set(key, ok)
    }
    return ok
  }

  private blsVerify(sig: BlsPoint, pub: BlsKey, view: number, phase: number, value: number): boolean {
    try {
      return BLS.verify(sig, this.h2c(view, phase, value), pub)
    } catch {
      return false
    }
  }

  /**
   * BLS only: one pairing check of the aggregate of `handles` against the aggregate of the DISTINCT `signers`' keys
   * on one message. Valid only if every part is (up to a negligible chance); says nothing about which part failed.
   * Same-message aggregation is safe against rogue keys only with proofs of possession: the simulator generates
   * every key itself, so none is rogue here, which a deployment must establish at registration.
   */
  verifyAggregate(signers: ArrayLike<number>, handles: ArrayLike<number>, view: number, phase: number, value: number): boolean {
    if (this.mode === 'blst') {
      this.verifyCalls++
      return this.blstCheck(signers, handles, view, phase, value)
    }
    if (this.mode !== 'bls') throw new RangeError('verifyAggregate: BLS mode only')
    this.verifyCalls++
    if (signers.length !== handles.length) return false
    const pubs: BlsKey[] = []
    const sigs: BlsPoint[] = []
    for (let i = 0; i < signers.length; i++) {
      const s = signers[i]!
      const h = handles[i]!
      if (!Number.isInteger(s) || s < 0 || s >= this.agents || this.blsSigs[h] === undefined) return false
      pubs.push(this.blsPub[s]!)
      sigs.push(this.blsSigs[h]!)
    }
    if (pubs.length === 0) return false
    return this.blsVerify(BLS.aggregateSignatures(sigs), BLS.aggregatePublicKeys(pubs), view, phase, value)
  }
}
