/** delay: the honest protocol, every message late. */
import type {Adversary} from '../adversary.js'

export const delay: Adversary = {
  help: 'Byzantine agents follow the protocol but every message they send is late by --delay-ms (default 0.9 x timeout)',
  achieves:
    'slows decisions (a late leader costs a view, late votes miss their view); breaks neither safety nor liveness: the backoff makes later views long enough to absorb the lateness',
  messageDelay: (p) => p.delayMs ?? 0.9 * p.timeoutOf(0),
}
