/** bias: the attacker's value proposed by Byzantine leaders. */
import {Kind} from '../queue.js'
import {PHASE_COMMIT, PHASE_PREPARE} from '../crypto.js'
import {ATTACK_VALUE, type Adversary} from '../adversary.js'
import {certifyWithAccomplices} from './common.js'

export const bias: Adversary = {
  help: "Byzantine leaders propose the attacker's value 0 instead of the evidence (1); Byzantine replicas vote only for 0",
  achieves:
    "decides the attacker's value 0 when a Byzantine agent leads the first view that certifies (agreement, not validity: nothing checks the evidence); never breaks safety when f < 2Q - n",
  start: (w) => ({
    lead: (a, v, t) => w.broadcastProposal(t, a, v, ATTACK_VALUE, w.byzBest[ATTACK_VALUE]!),
    vote: (a, signer, v, phase, x, sig, t) => certifyWithAccomplices(w, a, signer, v, phase, x, sig, t),
    propose(a, lb, v, x, t) {
      if (x === ATTACK_VALUE) w.send(t, Kind.VotePrepare, a, lb, v, x, a, w.crypto.sign(a, v, PHASE_PREPARE, x))
    },
    prepareQc(a, id, t) {
      const c = w.qcs[id]!
      if (c.value === ATTACK_VALUE) w.send(t, Kind.VoteCommit, a, w.leader(c.view), c.view, c.value, a, w.crypto.sign(a, c.view, PHASE_COMMIT, c.value))
    },
  }),
}
