/** equivocate: two values proposed to two halves of the honest agents, both certified with accomplices' keys. */
import {Kind} from '../queue.js'
import {PHASE_COMMIT, PHASE_PREPARE} from '../crypto.js'
import {alt, type Adversary} from '../adversary.js'
import {certifyWithAccomplices, equivocateLead} from './common.js'

export const equivocate: Adversary = {
  help: 'Byzantine leaders propose 1 to one half of the honest agents and 0 to the other and certify both; Byzantine replicas vote for both values',
  achieves:
    'breaks safety when f >= 2Q - n and a Byzantine agent leads a view before any honest agent decided (corruption is random, so mostly when the first leader is Byzantine); never when f < 2Q - n; without a partition it does not delay a decision beyond the views its agents lead',
  start: (w) => ({
    lead: (a, v, t) => equivocateLead(w, a, v, t),
    vote: (a, signer, v, phase, x, sig, t) => certifyWithAccomplices(w, a, signer, v, phase, x, sig, t),
    propose(a, lb, v, x, t) {
      w.send(t, Kind.VotePrepare, a, lb, v, x, a, w.crypto.sign(a, v, PHASE_PREPARE, x))
      w.send(t, Kind.VotePrepare, a, lb, v, alt(x), a, w.crypto.sign(a, v, PHASE_PREPARE, alt(x)))
    },
    prepareQc(a, id, t) {
      const c = w.qcs[id]!
      w.send(t, Kind.VoteCommit, a, w.leader(c.view), c.view, c.value, a, w.crypto.sign(a, c.view, PHASE_COMMIT, c.value))
    },
  }),
}
