/**
 * The event queue of the simulator: a binary min-heap of event slots ordered by (time, insertion sequence), with
 * every field of an event in a typed array so that a million agents cost a few bytes each and no object per
 * message. Ties in time are broken by the order of scheduling, which makes a run a pure function of its seed.
 */

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
  seq: Float64Array
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
  private heap: Int32Array
  private free: Int32Array
  private nFree = 0
  private nSlots = 0
  size = 0
  private counter = 0
  peak = 0

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity)
    this.seq = new Float64Array(capacity)
    this.kind = new Uint8Array(capacity)
    this.src = new Int32Array(capacity)
    this.to = new Int32Array(capacity)
    this.view = new Int32Array(capacity)
    this.value = new Int32Array(capacity)
    this.ref = new Int32Array(capacity)
    this.sig = new Int32Array(capacity)
    this.heap = new Int32Array(capacity)
    this.free = new Int32Array(capacity)
  }

  private grow(): void {
    const cap = this.time.length * 2
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap)
      b.set(a)
      return b
    }
    this.time = g(this.time)
    this.seq = g(this.seq)
    this.kind = g(this.kind)
    this.src = g(this.src)
    this.to = g(this.to)
    this.view = g(this.view)
    this.value = g(this.value)
    this.ref = g(this.ref)
    this.sig = g(this.sig)
    this.heap = g(this.heap)
    this.free = g(this.free)
  }

  private less(a: number, b: number): boolean {
    const ta = this.time[a]!
    const tb = this.time[b]!
    return ta < tb || (ta === tb && this.seq[a]! < this.seq[b]!)
  }

  push(time: number, kind: Kind, src: number, to: number, view: number, value: number, ref: number, sig: number): void {
    let slot: number
    if (this.nFree > 0) slot = this.free[--this.nFree]!
    else {
      if (this.nSlots === this.time.length) this.grow()
      slot = this.nSlots++
    }
    this.time[slot] = time
    this.seq[slot] = this.counter++
    this.kind[slot] = kind
    this.src[slot] = src
    this.to[slot] = to
    this.view[slot] = view
    this.value[slot] = value
    this.ref[slot] = ref
    this.sig[slot] = sig
    const h = this.heap
    let i = this.size++
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(slot, h[p]!)) break
      h[i] = h[p]!
      i = p
    }
    h[i] = slot
    if (this.size > this.peak) this.peak = this.size
  }

  /** Removes the earliest event and returns its slot; the slot stays readable until `release(slot)`. */
  pop(): number {
    const h = this.heap
    const top = h[0]!
    const last = h[--this.size]!
    let i = 0
    const n = this.size
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l
      if (!this.less(h[c]!, last)) break
      h[i] = h[c]!
      i = c
    }
    if (n > 0) h[i] = last
    return top
  }

  release(slot: number): void {
    this.free[this.nFree++] = slot
  }

  /** Bytes held by the queue's arrays (for the memory figure). */
  get bytes(): number {
    return this.time.length * (8 + 8 + 1 + 4 * 6 + 4 + 4)
  }
}
