/**
 * The adversary interface of the consensus simulator. An adversary is data plus hooks handed to the one simulator
 * (src/core/consensus/simulate.ts): which agents it corrupts, whether it partitions the network, when its agents
 * turn, and what a Byzantine agent does with each message it receives. One file per adversary in adversaries/,
 * registered in adversaries/index.ts, whose table is typed by the closed union `Strategy`.
 *
 * The simulator calls a hook only for a Byzantine agent that is active (after `turnAt`); before that, and always
 * for agents of an adversary without hooks, the honest code runs. What an adversary may do is what the World gives
 * it: send messages as its own agents, sign with its own agents' keys, forge (a guess) in another's name, and see
 * every certificate its agents receive. It never gets an honest agent's key.
 */
import type {Rng} from '../rng.js'
import type {Partition} from './network.js'
import type {VoteCrypto} from './crypto.js'

/** The honest agents' input (the evidence says: quarantine) and the attacker's value. */
export const HONEST_VALUE = 1
export const ATTACK_VALUE = 0
export const alt = (x: number): number => (x === HONEST_VALUE ? ATTACK_VALUE : HONEST_VALUE)

export interface Qc {
  phase: number
  view: number
  value: number
  signers: Int32Array
  sigs: Int32Array
  valid?: boolean
  bytes: number
}

export interface Tally {
  seen: Uint8Array
  signers: Int32Array
  sigs: Int32Array
  count: number
  formed: boolean
}

/** What an adversary knows before the run: the public parameters (leader schedule v mod n, timeouts, Delta). */
export interface Plan {
  agents: number
  byzantineCount: number
  quorum: number
  rounds: number
  maxDelayMs: number
  /** The pacemaker's timeout of view v. */
  timeoutOf(v: number): number
  /** When an agent that only ever timed out enters view v: the sum of the timeouts of views 0 .. v-1. */
  viewStart(v: number): number
  /** --turn-at-ms and --delay-ms as given (undefined: the adversary's default). */
  turnAtMs?: number
  delayMs?: number
}

/** What a Byzantine agent can see and do during the run. */
export interface World {
  readonly n: number
  readonly fCount: number
  readonly Q: number
  readonly byz: Uint8Array
  readonly byzList: Int32Array
  /** The half (0 or 1) of every agent: the honest agents' two sides of a partition. */
  readonly half: Uint8Array
  readonly rng: Rng
  readonly crypto: VoteCrypto
  readonly qcs: readonly Qc[]
  /** The newest valid prepare certificate the Byzantine agents hold, per value (-1: none). */
  readonly byzBest: number[]
  leader(v: number): number
  send(t: number, kind: number, from: number, to: number, v: number, value: number, ref: number, sig: number): void
  broadcastHonest(t: number, kind: number, from: number, v: number, value: number, ref: number): void
  /** A proposal of x in view v with justify, carrying the view's timeout certificate when the leader holds one. */
  propose(t: number, from: number, to: number, v: number, x: number, justify: number): void
  broadcastProposal(t: number, from: number, v: number, x: number, justify: number): void
  newQc(phase: number, v: number, value: number, signers: ArrayLike<number>, sigs: ArrayLike<number>): number
  /** The leader's vote tally of view v for (phase, value), shared with the honest code. */
  tally(v: number, phase: number, value: number): Tally
  /** The honest pacemaker step (time out of view v, send NEW-VIEW to the next leader). */
  onTimeout(a: number, v: number, t: number): void
  /** Appends a trace line when tracing (no-op otherwise). */
  trace(t: number, ev: string, rest: string): void
}

/** What Byzantine agents do with messages; every hook is optional (absent: the message is ignored). */
export interface Hooks {
  /** Byzantine agents run the pacemaker (time out, send NEW-VIEW) so that honest leaders keep proposing. */
  keepsPacemaker?: boolean
  /** Agent a leads view v (called once per view: at view 0, or once it holds a timeout certificate for v). */
  lead?(a: number, v: number, t: number): void
  /** An honest `signer`'s vote reached Byzantine leader a. */
  vote?(a: number, signer: number, v: number, phase: number, x: number, sig: number, t: number): void
  /** An honest leader's proposal of x in view v reached Byzantine replica a. */
  propose?(a: number, leader: number, v: number, x: number, t: number): void
  /** A valid prepare certificate (id) of an honest leader reached Byzantine replica a. */
  prepareQc?(a: number, id: number, t: number): void
}

export interface Adversary {
  /** One line for --help: what the Byzantine agents do. */
  readonly help: string
  /** What it can achieve, stated against the theory (safe iff f < 2Q - n, live iff n - f >= Q). */
  readonly achieves: string
  /** A view whose leader the adversary corrupts on purpose (a static adversary knows the leader schedule). */
  targetView?(p: Plan): number
  /** The partition it brings when none is given. */
  partition?(p: Plan): Partition
  /** Byzantine agents reach both halves of a partition. */
  readonly crossesPartition?: boolean
  /** From when Byzantine agents deviate (default 0); before, they run the honest code. */
  turnAt?(p: Plan): number
  /** Extra lateness of every message a Byzantine agent sends. */
  messageDelay?(p: Plan): number
  /** Per-run state and hooks (absent: Byzantine agents follow the honest code, apart from the above). */
  start?(w: World, p: Plan): Hooks
}
