/**
 * Window commitments: the hook that binds a proof to recorded observations. A checkpoint may carry, for each fixed
 * window of entries [k*W, (k+1)*W - 1] completed since the previous checkpoint, a commitment of that window, signed
 * with the checkpoint. A proof about "the observations of window k" can then be required to carry a public
 * commitment equal to the signed one, so the prover cannot choose which observations it proves.
 *
 * Schemes are a closed union; each is a function of the window's entry hashes (in order). `sha3-window/v1` is the
 * one implemented here: SHA3-256(domain || h_from || ... || h_to), hex. Proofs bind to these windows through
 * src/core/zk/bind.ts (the commitment's salt is derived from the window's entry hashes; the verifier recomputes the
 * circuit's Poseidon commitment from the log). A recorder-signed Poseidon scheme would be one more member of
 * COMMITMENT_SCHEMES; the verifier hands a scheme a window it keeps itself, never values from the checkpoint.
 */
import {createHash} from 'node:crypto'
import {utf8} from '../bytes.js'
import type {WindowCommitment} from './format.js'

export type CommitmentScheme = 'sha3-window/v1'

const WINDOW_DOMAIN = utf8('tcp.log/v1 window\0')
/** Largest window a verifier keeps (entries); a commitment of a larger or older window is rejected. */
export const MAX_WINDOW = 4096

export const COMMITMENT_SCHEMES: {[S in CommitmentScheme]: (hashes: Buffer[]) => string} = {
  'sha3-window/v1': (hashes) => {
    const h = createHash('sha3-256').update(WINDOW_DOMAIN)
    for (const x of hashes) h.update(x)
    return h.digest('hex')
  },
}

export const isScheme = (s: string): s is CommitmentScheme => Object.prototype.hasOwnProperty.call(COMMITMENT_SCHEMES, s)

/** The last MAX_WINDOW entry hashes, in a ring. */
export class WindowHashes {
  private ring = Buffer.alloc(64 * 32)
  private last = -1
  used = false
  push(seq: number, hash: Buffer): void {
    // Grows to MAX_WINDOW entries only for logs that long: a short log costs a short ring.
    if (seq >= this.ring.length / 32 && this.ring.length < MAX_WINDOW * 32) {
      const r = Buffer.alloc(MAX_WINDOW * 32)
      this.ring.copy(r)
      this.ring = r
    }
    const cap = this.ring.length / 32
    hash.copy(this.ring, (seq % cap) * 32)
    this.last = seq
  }
  /** Hashes of entries from..to, or null when they are not all in the ring. */
  range(from: number, to: number): Buffer[] | null {
    const cap = this.ring.length / 32
    if (to > this.last || from < 0 || from <= this.last - cap || to - from + 1 > cap) return null
    const out: Buffer[] = []
    for (let s = from; s <= to; s++) out.push(this.ring.subarray((s % cap) * 32, (s % cap) * 32 + 32))
    return out
  }
}

/** Aligned windows of size `size` that end in (afterSeq, throughSeq]. */
export function windowsEndingIn(size: number, afterSeq: number, throughSeq: number): Array<{from: number; to: number}> {
  const out: Array<{from: number; to: number}> = []
  for (let k = Math.floor((afterSeq + 1) / size); (k + 1) * size - 1 <= throughSeq; k++) {
    const to = (k + 1) * size - 1
    if (to > afterSeq) out.push({from: k * size, to})
  }
  return out
}

/** Why a commitment does not hold, or null. Windows must be aligned to their size and end at or before `throughSeq`. */
export function checkCommitment(c: WindowCommitment, windows: WindowHashes, throughSeq: number): string | null {
  windows.used = true
  if (!isScheme(c.scheme)) return `unknown commitment scheme "${c.scheme}" (known: ${Object.keys(COMMITMENT_SCHEMES).join(', ')})`
  const size = c.to - c.from + 1
  if (c.from % size !== 0) return `window ${c.from}..${c.to} is not aligned to its size ${size}`
  if (c.to > throughSeq) return `window ${c.from}..${c.to} ends after the checkpoint's seq ${throughSeq}`
  const hashes = windows.range(c.from, c.to)
  if (!hashes) return `window ${c.from}..${c.to} is larger or older than the ${MAX_WINDOW} entries a verifier keeps`
  const v = COMMITMENT_SCHEMES[c.scheme](hashes)
  return v === c.value ? null : `${c.scheme} of entries ${c.from}..${c.to} is ${v.slice(0, 16)}..., the checkpoint signed ${c.value.slice(0, 16)}...`
}
