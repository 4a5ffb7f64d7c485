/** replay: honest votes harvested in one view and phase, replayed into others. */
import {Kind} from '../queue.js'
import {PHASE_COMMIT, PHASE_PREPARE} from '../crypto.js'
import {HONEST_VALUE, type Adversary} from '../adversary.js'
import {allByzSign} from './common.js'

export const replay: Adversary = {
  help: 'Byzantine agents collect honest votes and replay them into later views and phases; they send new-views but no valid vote',
  achieves:
    'nothing beyond withholding: a vote is bound to its run, view, phase and value, so every replayed vote and certificate is rejected; stalls exactly where withhold does',
  start(w) {
    const stash: {view: number; phase: number; value: number; signers: number[]; sigs: number[]} = {view: -1, phase: 0, value: 0, signers: [], sigs: []}
    return {
      keepsPacemaker: true,
      lead(a, v, t) {
        if (stash.view < 0) return w.broadcastProposal(t, a, v, HONEST_VALUE, w.byzBest[HONEST_VALUE]!)
        // Honest signatures from an earlier view and phase, relabelled to this view and both phases.
        w.broadcastProposal(t, a, v, stash.value, -1)
        for (const phase of [PHASE_PREPARE, PHASE_COMMIT]) {
          const own = allByzSign(w, v, phase, stash.value)
          const id = w.newQc(phase, v, stash.value, [...stash.signers, ...own.signers], [...stash.sigs, ...own.sigs])
          w.broadcastHonest(t, phase === PHASE_PREPARE ? Kind.PrepareQc : Kind.CommitQc, a, v, stash.value, id)
        }
      },
      vote(_a, signer, v, phase, x, sig) {
        if (stash.view !== v || stash.phase !== phase || stash.value !== x) {
          if (stash.signers.length > 0 && stash.view >= 0 && stash.view !== v) return // keep the first full harvest
          Object.assign(stash, {view: v, phase, value: x, signers: [], sigs: []})
        }
        stash.signers.push(signer)
        stash.sigs.push(sig)
      },
      propose(a, lb, v, x, t) {
        if (stash.signers.length === 0) return
        // Each Byzantine agent replays its share of the harvest: once unchanged (old view) and once relabelled.
        const me = w.byzList.indexOf(a)
        for (let k = me; k < stash.signers.length; k += w.fCount) {
          w.send(t, Kind.VotePrepare, a, lb, stash.view, stash.value, stash.signers[k]!, stash.sigs[k]!)
          w.send(t, Kind.VotePrepare, a, lb, v, x, stash.signers[k]!, stash.sigs[k]!)
        }
      },
    }
  },
}
