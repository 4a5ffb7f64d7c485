/**
 * pull: a view-synchronisation attack. When an honest leader proposes in view v, the Byzantine agent that leads the
 * nearest later view w proposes the attacker's value for w at once, without a timeout certificate (it cannot have
 * one: nobody has left v), to drag the honest agents away from v's leader and into its own view.
 */
import {ATTACK_VALUE, type Adversary} from '../adversary.js'
import {certifyWithAccomplices} from './common.js'

export const pull: Adversary = {
  help: "when an honest leader proposes, the Byzantine agent leading the nearest later view proposes the attacker's value for its view at once, without a timeout certificate, to pull the honest agents ahead",
  achieves:
    "nothing: a replica enters a later view only on a timeout certificate or a prepare certificate of the view before it, so the early proposals are ignored (rejected as noViewProof); without that check (viewSync: false) it pulls replicas out of the honest leader's view and can get its value decided",
  start(w) {
    const pulled = new Set<number>()
    return {
      vote: (a, signer, v, phase, x, sig, t) => certifyWithAccomplices(w, a, signer, v, phase, x, sig, t),
      propose(a, _lb, v, _x, t) {
        let d = 1
        while (d < w.n && !w.byz[(v + d) % w.n]) d++
        if ((v + d) % w.n !== a || pulled.has(v)) return
        pulled.add(v)
        w.broadcastProposal(t, a, v + d, ATTACK_VALUE, -1)
      },
    }
  },
}
