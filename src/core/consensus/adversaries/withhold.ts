/** withhold: silence. */
import type {Adversary} from '../adversary.js'

export const withhold: Adversary = {
  help: 'Byzantine agents stay silent (no proposals, votes or new-views)',
  achieves:
    'stalls every run when n - f < Q (theory: not live); otherwise costs one failed view (and one timeout doubling) per Byzantine leader, and the fleet decides once an honest agent leads after the network is synchronous; never breaks safety',
  start: () => ({}),
}
