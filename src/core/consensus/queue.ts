/**
 * The event queue of the simulator: a 4-ary min-heap of event slots ordered by (time, insertion sequence), with
 * every field of an event in a typed array so that a million agents cost a few bytes each and no object per
 * message. Ties in time are broken by the order of scheduling, which makes a run a pure function of its seed.
 */
import {grown} from '../bytes.js'

export const Kind = {
  Propose: 0,
  VotePrepare: 1,
  PrepareQc: 2,
  VoteCommit: 3,
  CommitQc: 4,
  NewView: 5,
  Timeout: 6,
  LeaderGo: 7,
} as const
export type Kind = (typeof Kind)[keyof typeof Kind]

export const KIND_NAMES = ['propose', 'vote-prepare', 'prepare-qc', 'vote-commit', 'commit-qc', 'new-view', 'timeout', 'leader-go']

export class EventQueue {
  time: Float64Array
  kind: Uint8Array
  /** Network sender (the agent whose link carries the message); for timers, the agent itself. */
  src: Int32Array
  to: Int32Array
  view: Int32Array
  value: Int32Array
  /** Claimed signer of a vote, or a certificate id for proposals, certificates and new-views (-1: none). */
  ref: Int32Array
  /** Signature handle of a vote: a 32-bit tag (model) or an index into the signature store (ed25519). */
  sig: Int32Array
  // A 4-ary heap (half the depth of a binary one, siblings in one cache line) keeps its keys inline (time,
  // sequence) next to the slot, so that a sift touches only heap arrays; the sequence is read only on ties.
  private hTime: Float64Array
  private hSeq: Float64Array
  private hSlot: Int32Array
  // Events pushed with non-decreasing times (timers of one fixed duration) skip the heap: a FIFO ring.
  private fTime: Float64Array
  private fSeq: Float64Array
  private fSlot: Int32Array
  private fHead = 0
  private fCount = 0
  private free: Int32Array
  private nFree = 0
  private nSlots = 0
  private hSize = 0
  private counter = 0
  peak = 0

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity)
    this.kind = new Uint8Array(capacity)
    this.src = new Int32Array(capacity)
    this.to = new Int32Array(capacity)
    this.view = new Int32Array(capacity)
    this.value = new Int32Array(capacity)
    this.ref = new Int32Array(capacity)
    this.sig = new Int32Array(capacity)
    this.free = new Int32Array(capacity)
    this.hTime = new Float64Array(capacity)
    this.hSeq = new Float64Array(capacity)
    this.hSlot = new Int32Array(capacity)
    this.fTime = new Float64Array(capacity)
    this.fSeq = new Float64Array(capacity)
    this.fSlot = new Int32Array(capacity)
  }

  get size(): number {
    return this.hSize + this.fCount
  }

  private growSlots(): void {
    const cap = this.time.length * 2
    this.time = grown(this.time, cap)
    this.kind = grown(this.kind, cap)
    this.src = grown(this.src, cap)
    this.to = grown(this.to, cap)
    this.view = grown(this.view, cap)
    this.value = grown(this.value, cap)
    this.ref = grown(this.ref, cap)
    this.sig = grown(this.sig, cap)
    this.free = grown(this.free, cap)
    this.hTime = grown(this.hTime, cap)
    this.hSeq = grown(this.hSeq, cap)
    this.hSlot = grown(this.hSlot, cap)
    // Unwrap the ring into the larger arrays.
    const old = [this.fTime, this.fSeq, this.fSlot] as const
    const n = old[0].length
    this.fTime = new Float64Array(cap)
    this.fSeq = new Float64Array(cap)
    this.fSlot = new Int32Array(cap)
    for (let i = 0; i < this.fCount; i++) {
      const j = (this.fHead + i) % n
      this.fTime[i] = old[0][j]!
      this.fSeq[i] = old[1][j]!
      this.fSlot[i] = old[2][j]!
    }
    this.fHead = 0
  }

  private alloc(time: number, kind: Kind, src: number, to: number, view: number, value: number, ref: number, sig: number): number {
    let slot: number
    if (this.nFree > 0) slot = this.free[--this.nFree]!
    else {
      if (this.nSlots === this.time.length) this.growSlots()
      slot = this.nSlots++
    }
    this.time[slot] = time
    this.kind[slot] = kind
    this.src[slot] = src
    this.to[slot] = to
    this.view[slot] = view
    this.value[slot] = value
    this.ref[slot] = ref
    this.sig[slot] = sig
    return slot
  }

  push(time: number, kind: Kind, src: number, to: number, view: number, value: number, ref: number, sig: number): void {
    const slot = this.alloc(time, kind, src, to, view, value, ref, sig)
    const seq = this.counter++
    const hT = this.hTime
    const hS = this.hSeq
    const hI = this.hSlot
    let i = this.hSize++
    while (i > 0) {
      const p = (i - 1) >> 2
      const tp = hT[p]!
      if (tp < time || (tp === time && hS[p]! < seq)) break
      hT[i] = tp
      hS[i] = hS[p]!
      hI[i] = hI[p]!
      i = p
    }
    hT[i] = time
    hS[i] = seq
    hI[i] = slot
    if (this.size > this.peak) this.peak = this.size
  }

  /** Like push, for an event no earlier than every event pushed this way before (checked). */
  /** True when pushLater(time) keeps the ring in order (time not before the last timer in it). */
  fitsLater(time: number): boolean {
    return this.fCount === 0 || time >= this.fTime[(this.fHead + this.fCount - 1) % this.fTime.length]!
  }

  pushLater(time: number, kind: Kind, src: number, to: number, view: number, value: number, ref: number, sig: number): void {
    const cap = this.fTime.length
    if (this.fCount > 0 && time < this.fTime[(this.fHead + this.fCount - 1) % cap]!) throw new RangeError('EventQueue.pushLater: time went backwards')
    const slot = this.alloc(time, kind, src, to, view, value, ref, sig)
    const c = this.fTime.length // alloc may have grown the ring
    const j = (this.fHead + this.fCount++) % c
    this.fTime[j] = time
    this.fSeq[j] = this.counter++
    this.fSlot[j] = slot
    if (this.size > this.peak) this.peak = this.size
  }

  /** Removes the earliest event and returns its slot; the slot stays readable until `release(slot)`. */
  pop(): number {
    if (this.fCount > 0) {
      const h = this.fHead
      const ft = this.fTime[h]!
      if (this.hSize === 0 || ft < this.hTime[0]! || (ft === this.hTime[0]! && this.fSeq[h]! < this.hSeq[0]!)) {
        this.fHead = (h + 1) % this.fTime.length
        this.fCount--
        return this.fSlot[h]!
      }
    }
    const hT = this.hTime
    const hS = this.hSeq
    const hI = this.hSlot
    const top = hI[0]!
    const n = --this.hSize
    const lt = hT[n]!
    const ls = hS[n]!
    const li = hI[n]!
    let i = 0
    for (;;) {
      const first = 4 * i + 1
      if (first >= n) break
      const last = first + 4 < n ? first + 4 : n
      let c = first
      let tm = hT[first]!
      for (let k = first + 1; k < last; k++) {
        const tk = hT[k]!
        if (tk < tm || (tk === tm && hS[k]! < hS[c]!)) {
          c = k
          tm = tk
        }
      }
      if (tm > lt || (tm === lt && hS[c]! > ls)) break
      hT[i] = tm
      hS[i] = hS[c]!
      hI[i] = hI[c]!
      i = c
    }
    if (n > 0) {
      hT[i] = lt
      hS[i] = ls
      hI[i] = li
    }
    return top
  }

  release(slot: number): void {
    this.free[this.nFree++] = slot
  }

  /** Bytes held by the queue's arrays (for the memory figure). */
  get bytes(): number {
    return this.time.length * (8 + 1 + 4 * 6 + 4 + (8 + 8 + 4) * 2)
  }
}
