/** Moves shared by several adversaries: equivocating as leader, certifying honest votes with accomplices' keys. */
import {Kind} from '../queue.js'
import {PHASE_PREPARE} from '../crypto.js'
import {alt, HONEST_VALUE, type Plan, type World} from '../adversary.js'

/** All Byzantine agents sign (v, phase, value) with their own keys. */
export function allByzSign(w: World, v: number, phase: number, value: number): {signers: number[]; sigs: number[]} {
  const signers: number[] = []
  const sigs: number[] = []
  for (const b of w.byzList) {
    signers.push(b)
    sigs.push(w.crypto.sign(b, v, phase, value))
  }
  return {signers, sigs}
}

/**
 * As leader: propose one value to one half of the honest agents and the other value to the other half, each with
 * the best justify known. When the accomplices hold an honest prepare certificate (a half may be locked, or have
 * decided, on its value), the half most of whose honest signers signed it gets that value and the other half the
 * other one; otherwise half 0 gets 1 and half 1 gets 0.
 */
export function equivocateLead(w: World, a: number, v: number, t: number): void {
  let firstHalfValue = HONEST_VALUE
  let newest = -1
  for (const id of w.byzBest) if (id >= 0 && (newest < 0 || w.qcs[id]!.view > w.qcs[newest]!.view)) newest = id
  if (newest >= 0) {
    const c = w.qcs[newest]!
    let inHalf0 = 0
    let honest = 0
    for (const s of c.signers)
      if (!w.byz[s]) {
        honest++
        if (w.half[s] === 0) inHalf0++
      }
    firstHalfValue = 2 * inHalf0 >= honest ? c.value : alt(c.value)
  }
  for (let i = 0; i < w.n; i++) {
    if (w.byz[i]) continue
    const x = w.half[i] === 0 ? firstHalfValue : alt(firstHalfValue)
    w.propose(t, a, i, v, x, w.byzBest[x]!)
  }
}

/**
 * As leader: count an honest vote, and once honest votes plus every accomplice reach a quorum, certify and send the
 * certificate only to the honest agents who signed it (so that the other half never learns of it).
 */
export function certifyWithAccomplices(w: World, a: number, signer: number, v: number, phase: number, x: number, sig: number, t: number): void {
  const tl = w.tally(v, phase, x)
  if (tl.formed || tl.seen[signer] || tl.count >= w.Q) return
  tl.seen[signer] = 1
  tl.signers[tl.count] = signer
  tl.sigs[tl.count++] = sig
  if (tl.count + w.fCount < w.Q) return
  tl.formed = true
  const own = allByzSign(w, v, phase, x)
  const honestSigners = Array.from(tl.signers.subarray(0, tl.count))
  const id = w.newQc(phase, v, x, [...honestSigners, ...own.signers], [...Array.from(tl.sigs.subarray(0, tl.count)), ...own.sigs])
  const best = w.byzBest[x]!
  if (phase === PHASE_PREPARE && (best < 0 || v > w.qcs[best]!.view)) w.byzBest[x] = id
  w.trace(t, 'certificate', `,"phase":"${phase === PHASE_PREPARE ? 'prepare' : 'commit'}","view":${v},"value":${x},"leader":${a},"byzantine":true`)
  const k = phase === PHASE_PREPARE ? Kind.PrepareQc : Kind.CommitQc
  for (const i of honestSigners) w.send(t, k, a, i, v, x, id, 0)
}

/**
 * The first view from `from` on whose timeout leaves room for an equivocation to complete: proposal, votes, prepare
 * certificate, commit votes and commit certificate are five message delays; 8 x Delta leaves room for the honest
 * agents entering the view up to 3 x Delta apart.
 */
export function attackView(p: Plan, from: number): number {
  let v = from
  while (v < p.rounds - 1 && p.timeoutOf(v) < 8 * p.maxDelayMs) v++
  return v
}

/** The honest agents stay split until the attack view is over (its end as an agent that only times out sees it). */
export function partitionThrough(p: Plan, v: number): {startMs: number; endMs: number} {
  return {startMs: 0, endMs: p.viewStart(v + 1)}
}
