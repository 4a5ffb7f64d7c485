/**
 * pull: a view-synchronisation attack. When an honest leader proposes in view v, the Byzantine agent that leads the
 * nearest later view w proposes the attacker's value for w at once, without a timeout certificate (it cannot have
 * one: nobody has left v), to drag the honest agents away from v's leader and into its own view. It attaches the
 * best it can make instead: a timeout certificate naming every agent, the honest agents' timeouts forged.
 */
import {Kind} from '../queue.js'
import {PHASE_TIMEOUT} from '../crypto.js'
import {ATTACK_VALUE, type Adversary} from '../adversary.js'
import {certifyWithAccomplices} from './common.js'

export const pull: Adversary = {
  help: "when an honest leader proposes, the Byzantine agent leading the nearest later view proposes the attacker's value for its view at once, with a timeout certificate whose honest timeouts are forged, to pull the honest agents ahead",
  achieves:
    "nothing: a replica enters a later view only on a valid timeout certificate or a prepare certificate of the view before it; the forged certificate fails (invalidCertificate) and the early proposals are ignored (noViewProof); without that check (viewSync: false) it pulls replicas out of the honest leader's view and gets its value decided",
  start(w) {
    const pulled = new Set<number>()
    return {
      vote: (a, signer, v, phase, x, sig, t) => certifyWithAccomplices(w, a, signer, v, phase, x, sig, t),
      propose(a, _lb, v, _x, t) {
        let d = 1
        while (d < w.n && !w.byz[(v + d) % w.n]) d++
        if ((v + d) % w.n !== a || pulled.has(v)) return
        pulled.add(v)
        const target = v + d
        const signers: number[] = []
        const sigs: number[] = []
        for (let i = 0; i < w.n; i++) {
          signers.push(i)
          sigs.push(w.byz[i] ? w.crypto.sign(i, target, PHASE_TIMEOUT, 0) : w.crypto.forge(i, a, target, PHASE_TIMEOUT, 0, w.rng.u32()))
        }
        const tc = w.newQc(PHASE_TIMEOUT, target, 0, signers, sigs)
        for (let i = 0; i < w.n; i++) if (!w.byz[i]) w.send(t, Kind.Propose, a, i, target, ATTACK_VALUE, -1, tc + 1)
      },
    }
  },
}
