/**
 * sleeper: honest first, then strongest. Its agents vote honestly (and may help one half decide) until they turn;
 * the leader of the first attack-length view after the turn is corrupted on purpose and equivocates, and the honest
 * agents stay split until that view is over, so the half that has not decided is led to the other value.
 */
import type {Adversary, Plan} from '../adversary.js'
import {attackView, certifyWithAccomplices, equivocateLead, partitionThrough} from './common.js'

const turn = (p: Plan): number => p.turnAtMs ?? p.timeoutOf(0)
/** The first view an agent that only times out enters at or after the turn. */
function viewAfterTurn(p: Plan): number {
  let v = 0
  while (v < p.rounds - 1 && p.viewStart(v) < turn(p)) v++
  return v
}
const target = (p: Plan): number => attackView(p, viewAfterTurn(p))

export const sleeper: Adversary = {
  help: 'Byzantine agents are honest until --turn-at-ms (default: the end of view 0), then act as in strongest: the leader of the first attack-length view after the turn equivocates, and the honest agents stay partitioned until that view ends',
  achieves:
    'breaks safety in every run where f >= 2Q - n, like strongest, even when one half already decided with the sleepers\' honest votes (the other half, cut off, is led to the other value); never where f < 2Q - n. A --turn-at-ms after every honest agent decided achieves nothing',
  targetView: target,
  partition: (p) => partitionThrough(p, target(p)),
  crossesPartition: true,
  turnAt: turn,
  start: (w) => ({
    lead: (a, v, t) => equivocateLead(w, a, v, t),
    vote: (a, signer, v, phase, x, sig, t) => certifyWithAccomplices(w, a, signer, v, phase, x, sig, t),
  }),
}
