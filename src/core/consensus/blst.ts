/**
 * Native BLS12-381 for the consensus simulator (@chainsafe/blst, a prebuilt binding of supranational/blst).
 *
 * Signing and key generation are the expensive parts (a G2 hash and scalar multiplication per signature, a G1
 * scalar multiplication per key), so they run on a pool of worker threads, one per core (2 on the reference
 * machine). The simulator is synchronous: it hands a batch of jobs to the workers and blocks on an Atomics wait
 * until they answer, so from its point of view `signBatch` is an ordinary function call.
 *
 * Keys come from the seed: agent i's secret key is blst KeyGen (IETF draft-irtf-cfrg-bls-signature, HKDF) of
 * SHA-256("tcp.consensus.blst.key/v1" || master || i as u32 big-endian), master being 32 bytes of the run's
 * seeded generator. Simulation keys, reproducible, never secret. Workers derive a key when they need it (HKDF is
 * microseconds; the scalar multiplications dominate), so no worker stores a million secret keys.
 *
 * Signatures use blst's ciphersuite BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (minimal-pubkey-size: 48-byte G1
 * keys, 96-byte G2 signatures), the one the binding fixes; the vote's own domain prefix separates tcp's messages.
 * Points travel between threads uncompressed (96-byte keys, 192-byte signatures): decompressing costs a square root
 * per point, which at a million points is minutes.
 */
import {createRequire} from 'node:module'
import {availableParallelism} from 'node:os'
import {SyncPool} from '../sync-pool.js'

export type Blst = typeof import('@chainsafe/blst')
const require_ = createRequire(import.meta.url)
let cached: Blst | null | undefined

/** The native binding, or null when it cannot load here (no prebuilt binary for this platform). */
export function loadBlst(): Blst | null {
  if (cached === undefined) {
    try {
      cached = require_('@chainsafe/blst') as Blst
    } catch {
      cached = null
    }
  }
  return cached
}

export const BLST_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'
export const PK_BYTES = 96
export const SIG_BYTES = 192

/** The worker's program (CommonJS, blst loaded by absolute path so it runs the same under tsx and from dist/). */
const WORKER = `
const {workerData} = require('node:worker_threads')
const {createHash} = require('node:crypto')
const blst = require(workerData.blstPath)
const master = Buffer.from(workerData.master)
const DOMAIN = Buffer.from('tcp.consensus.blst.key/v1')
const idx = Buffer.alloc(4)
function secret(i) {
  idx.writeUInt32BE(i >>> 0)
  return blst.SecretKey.fromKeygen(createHash('sha256').update(DOMAIN).update(master).update(idx).digest())
}
function run(m) {
  if (m.op === 'keys') {
    const out = new Uint8Array((m.to - m.from) * ${PK_BYTES})
    for (let i = m.from; i < m.to; i++) out.set(secret(i).toPublicKey().toBytes(false), (i - m.from) * ${PK_BYTES})
    return out
  }
  if (m.op === 'sign') {
    const k = m.agents.length
    const out = new Uint8Array(k * ${SIG_BYTES})
    for (let j = 0; j < k; j++) out.set(secret(m.agents[j]).sign(m.msgs[m.msg[j]]).toBytes(false), j * ${SIG_BYTES})
    return out
  }
  if (m.op === 'secret') {
    const out = new Uint8Array(m.agents.length * 32)
    m.agents.forEach((a, j) => out.set(secret(a).toBytes(), j * 32))
    return out
  }
  throw new Error('unknown op ' + m.op)
}
`

/** Worker threads that derive keys and sign; every call blocks until all workers answered (sync-pool.ts). */
export class BlstPool {
  readonly size: number
  private readonly pool: SyncPool

  constructor(master: Uint8Array, size = Math.max(1, Math.min(2, availableParallelism()))) {
    if (!loadBlst()) throw new Error('@chainsafe/blst is not available on this platform')
    this.size = size
    this.pool = new SyncPool('blst', WORKER, size, {blstPath: require_.resolve('@chainsafe/blst'), master})
  }

  /** Uncompressed public keys (96 bytes each) of agents 0..n-1, computed in parallel. */
  publicKeys(n: number): Uint8Array {
    const out = new Uint8Array(n * PK_BYTES)
    const step = Math.ceil(n / this.size)
    const parts = this.pool.call(Array.from({length: this.size}, (_, w) => (w * step < n ? {op: 'keys', from: w * step, to: Math.min(n, (w + 1) * step)} : null)))
    parts.forEach((p, w) => out.set(p, w * step * PK_BYTES))
    return out
  }

  /** Signatures (uncompressed, 192 bytes each) of agents[j] on msgs[msg[j]], split evenly over the workers. */
  sign(agents: Int32Array, msg: Int32Array, msgs: Uint8Array[]): Uint8Array {
    const k = agents.length
    const out = new Uint8Array(k * SIG_BYTES)
    if (k === 0) return out
    const step = Math.ceil(k / this.size)
    const parts = this.pool.call(
      Array.from({length: this.size}, (_, w) =>
        w * step < k ? {op: 'sign', agents: agents.slice(w * step, (w + 1) * step), msg: msg.slice(w * step, (w + 1) * step), msgs} : null,
      ),
    )
    parts.forEach((p, w) => out.set(p, w * step * SIG_BYTES))
    return out
  }

  /** The 32-byte secret keys of `agents` (for cross-checks against another implementation; simulation keys only). */
  secretKeys(agents: number[]): Uint8Array[] {
    const [r] = this.pool.call([{op: 'secret', agents}, ...Array(this.size - 1).fill(null)])
    return agents.map((_, j) => r!.slice(j * 32, j * 32 + 32))
  }

  close(): void {
    this.pool.close()
  }
}
