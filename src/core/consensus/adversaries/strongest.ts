/**
 * strongest: the safety attack at full strength. A static adversary that knows the public leader schedule
 * (v mod n) corrupts the leader of the first view long enough for an equivocation (timeout >= 8 Delta), and splits
 * the honest agents until that view is over; its agents reach both halves.
 */
import type {Adversary} from '../adversary.js'
import {attackView, certifyWithAccomplices, equivocateLead, partitionThrough} from './common.js'

export const strongest: Adversary = {
  help: 'equivocating Byzantine leaders (one of them, the leader of the first view whose timeout is >= 8 x Delta, corrupted on purpose) plus a partition of the honest agents until that view ends (Byzantine agents reach both halves); silent otherwise',
  achieves:
    'breaks safety in every run where f >= 2Q - n (each half plus the attacker is a quorum, and the partition keeps honest leaders from deciding before the corrupted leader equivocates); where f < 2Q - n it cannot, and it stalls the fleet only while the partition lasts (and forever where n - f < Q)',
  targetView: (p) => attackView(p, 0),
  partition: (p) => partitionThrough(p, attackView(p, 0)),
  crossesPartition: true,
  start: (w) => ({
    lead: (a, v, t) => equivocateLead(w, a, v, t),
    vote: (a, signer, v, phase, x, sig, t) => certifyWithAccomplices(w, a, signer, v, phase, x, sig, t),
  }),
}
