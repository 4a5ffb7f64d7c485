/** forge: votes and certificates with signatures in honest agents' names. */
import {Kind} from '../queue.js'
import {PHASE_COMMIT, PHASE_PREPARE} from '../crypto.js'
import {ATTACK_VALUE, type Adversary} from '../adversary.js'

export const forge: Adversary = {
  help: "Byzantine agents send votes and certificates with signatures forged in honest agents' names; they send new-views but no valid vote",
  achieves:
    'nothing beyond withholding: every forged vote and certificate is rejected (Ed25519 and BLS: signed with the wrong key; model: a 2^-32 guess of a keyed PRF); stalls exactly where withhold does',
  start: (w) => ({
    keepsPacemaker: true,
    lead(a, v, t) {
      // Certificates claiming every agent: Byzantine signatures are real, honest ones are forged.
      w.broadcastProposal(t, a, v, ATTACK_VALUE, -1)
      for (const phase of [PHASE_PREPARE, PHASE_COMMIT]) {
        const signers: number[] = []
        const sigs: number[] = []
        for (let i = 0; i < w.n; i++) {
          signers.push(i)
          sigs.push(w.byz[i] ? w.crypto.sign(i, v, phase, ATTACK_VALUE) : w.crypto.forge(i, a, v, phase, ATTACK_VALUE, w.rng.u32()))
        }
        const id = w.newQc(phase, v, ATTACK_VALUE, signers, sigs)
        w.broadcastHonest(t, phase === PHASE_PREPARE ? Kind.PrepareQc : Kind.CommitQc, a, v, ATTACK_VALUE, id)
      }
    },
    propose(a, lb, v, x, t) {
      let claimed = w.rng.int(w.n)
      while (w.byz[claimed]) claimed = (claimed + 1) % w.n
      w.send(t, Kind.VotePrepare, a, lb, v, x, claimed, w.crypto.forge(claimed, a, v, PHASE_PREPARE, x, w.rng.u32()))
    },
  }),
}
