/**
 * A deterministic discrete-event simulation of one Byzantine agreement among n agents.
 *
 * Protocol: two-phase HotStuff with linear vote collection (the lock-and-commit structure of Tendermint, with votes
 * sent to the leader rather than to everyone, so a view costs O(n) messages and a million agents fit):
 *   view v, leader L(v) = v mod n, proposes value x with justify = the highest prepare certificate it knows;
 *   a replica votes PREPARE once per view if the proposal is safe: no lock, or x equals the locked value, or
 *   justify.view > lock.view (the HotStuff safeNode rule); Q = ceil(q n) prepare votes form a prepare certificate,
 *   which the leader broadcasts; a replica locks on it and votes COMMIT once per view; Q commit votes form a commit
 *   certificate; a replica that receives one decides. A decided agent answers a lagging agent's NEW-VIEW with its
 *   commit certificate.
 * Pacemaker (LibraBFT/Jolteon style): the timeout of view v is timeoutMs x backoff^v, so some view outlasts any
 *   message delay. On timeout a replica enters the next view and sends its leader a NEW-VIEW with its lock and a
 *   signed timeout; Q valid timeouts form a timeout certificate (TC); the leader proposes one delay bound after the
 *   Q-th (so that it learns the highest lock, the known liveness gap of two-phase HotStuff), with the TC attached. A
 *   replica enters a later view only on its own timeout, a valid TC for it, or a prepare certificate of the view
 *   before (view synchronisation).
 * Adversaries: one file each in ./adversaries/, hooks handed to this simulator (./adversary.ts).
 *
 * Theory (n agents, f Byzantine, Q = ceil(q n)): two quorums share at least 2Q - n agents, so no two conflicting
 * certificates can form in one view while f < 2Q - n (safe iff f < 2q - 1); honest agents alone reach a quorum iff
 * n - f >= Q (live iff f <= 1 - q, once the network is synchronous).
 *
 * What it does NOT model: CPU time (signature costs are reported separately, never added to the clock), more than
 * one decision, or an adaptive adversary that corrupts agents during the run (sleepers are fixed at the start and
 * turn at a given time).
 */
import {TcpError} from '../errors.js'
import {Rng} from '../rng.js'
import {EventQueue, Kind, KIND_NAMES} from './queue.js'
import {Network, formatLatency, type Latency, type Partition} from './network.js'
import {MEASURED_US, PHASE_COMMIT, PHASE_PREPARE, PHASE_TIMEOUT, VoteCrypto, type CryptoMode} from './crypto.js'
import {ADVERSARIES, STRATEGIES, type Strategy} from './adversaries/index.js'
import {HONEST_VALUE, ATTACK_VALUE, type Hooks, type Plan, type Qc, type Tally, type World} from './adversary.js'

export {STRATEGIES, type Strategy} from './adversaries/index.js'
export {HONEST_VALUE, ATTACK_VALUE} from './adversary.js'

/** One line per strategy for --help (from the registry). */
export const STRATEGY_HELP = Object.fromEntries(Object.entries(ADVERSARIES).map(([k, v]) => [k, v.help])) as Record<Strategy, string>
/** What each strategy can achieve, stated against the theory (from the registry). */
export const STRATEGY_ACHIEVES = Object.fromEntries(Object.entries(ADVERSARIES).map(([k, v]) => [k, v.achieves])) as Record<Strategy, string>

export interface SimOptions {
  agents: number
  /** Fraction of Byzantine agents, 0 <= byzantine < 1; the count is round(byzantine * agents). */
  byzantine: number
  /** Quorum threshold q, 0 < q <= 1; a quorum is ceil(q * agents) distinct signers. */
  threshold: number
  strategy: Strategy
  /**
   * Views (rounds) an agent tries after the network heals before it gives up: a run that has not decided by then
   * stalled. Views that start during a partition do not count (the agent's budget is the views it spends in them
   * plus rounds).
   */
  rounds: number
  seed: number
  latency?: Latency
  maxDelayMs?: number
  loss?: number
  partition?: Partition | null
  timeoutMs?: number
  /**
   * Pacemaker backoff: the timeout of view v is timeoutMs x backoff^min(v, 24) (default 2, doubling per failed view
   * as in LibraBFT/Jolteon; 1 keeps the timeout fixed, which is not live when a view needs longer than the timeout).
   */
  backoff?: number
  /**
   * View synchronisation (default true): a replica enters a later view on its own timeout, or on a proposal that
   * proves a quorum left the view before (a timeout certificate or a prepare certificate of that view). false lets
   * a leader's proposal alone move replicas forward (the behaviour before 2026-11-27), for comparison.
   */
  viewSync?: boolean
  turnAtMs?: number
  delayMs?: number
  crypto?: CryptoMode | 'auto'
  /** Keep a JSONL trace of every event (refused above 100,000 agents). */
  trace?: boolean
  /** Keep the certificates behind every honest decision (signers and signatures) for independent checking. */
  evidence?: boolean
}

export interface CertificateEvidence {
  phase: 'prepare' | 'commit'
  view: number
  value: number
  signers: number[]
  /** Hex Ed25519 or BLS12-381 signatures, or model tags as numbers. */
  signatures: Array<string | number>
}

export interface SimResult {
  seed: number
  config: {
    agents: number
    byzantine: number
    byzantineCount: number
    threshold: number
    quorum: number
    strategy: Strategy
    rounds: number
    /** Views an agent that only times out starts before the partition heals (0 without one): not counted in rounds. */
    viewsBeforeHeal: number
    timeoutMs: number
    backoff: number
    latency: string
    maxDelayMs: number
    loss: number
    partition: Partition | null
    turnAtMs: number | null
    delayMs: number | null
    protocol: string
  }
  theory: {safe: boolean; live: boolean; quorumIntersection: number; note: string}
  outcome: {
    decided: boolean
    stalled: boolean
    safetyViolation: boolean
    decidedValues: number[]
    conflictingAgents: number
    honestAgents: number
    honestDecided: number
    roundsToDecide: number | null
    biased: boolean
  }
  latencyMs: {p50: number; p99: number; max: number} | null
  messages: {sent: number; delivered: number; droppedLoss: number; droppedPartition: number; bytes: number}
  signatures: {
    mode: CryptoMode
    note: string
    made: number
    forged: number
    votesChecked: number
    certificatesChecked: number
    verifyCalls: number
    /** blst: wall ms in cryptography (key generation, signing batches on the workers, pairing checks), the worker threads that signed, pairing checks run. */
    cryptoMs?: number
    workers?: number
    pairings?: number
    rejected: {badSignature: number; wrongRound: number; wrongValue: number; duplicate: number; invalidCertificate: number; unsafeProposal: number; noViewProof: number}
    estimatedCpu?: {perReplicaMs: number; leaderMsPerCertificate: number; fleetCpuSeconds: number; basis: string}
  }
  run: {events: number; simulatedMs: number; wallMs: number; eventsPerSecond: number; peakQueue: number; stateBytes: number}
  trace?: string
  evidence?: {runId: number; publicKeys: string[]; certificates: CertificateEvidence[]}
}

/** blst: votes of one tally received but not yet verified (see settle). */
interface Pending {
  view: number
  phase: number
  value: number
  signers: number[]
  sigs: number[]
}

interface Collect {
  proposed: number
  nvSeen: Uint8Array | null
  nvCount: number
  /** Signed timeouts for this view (signer, signature), and the timeout certificate once Q of them arrived. */
  tcSigners: number[]
  tcSigs: number[]
  tc: number
  byzTimeouts: boolean
  best: number
  goScheduled: boolean
  tallies: Array<Tally | undefined>
}

const PROTOCOL = 'two-phase HotStuff (prepare/lock, commit), linear vote collection at the leader, rotating leader; pacemaker: signed timeouts form timeout certificates, timeout doubles per failed view'

function checkNumber(name: string, v: number, min: number, max: number, integer: boolean, minOpen = false): void {
  const bad = !Number.isFinite(v) || (integer && !Number.isSafeInteger(v)) || (minOpen ? v <= min : v < min) || v > max
  if (bad) throw new TcpError('usage', `--${name}: expected ${integer ? 'an integer' : 'a number'} ${minOpen ? '>' : '>='} ${min} and <= ${max}, got ${v}`)
}

/** A numeric flag: the whole string must be a finite number (range checks happen in simulate). */
export function parseNumberFlag(name: string, s: string): number {
  const v = s.trim() === '' ? NaN : Number(s)
  if (!Number.isFinite(v)) throw new TcpError('usage', `--${name}: expected a number, got "${s}"`)
  return v
}

export const MAX_AGENTS = 2_000_000
export const MAX_ED25519_AGENTS = 5_000
export const MAX_BLS_AGENTS = 256
export const AUTO_ED25519_AGENTS = 1_000
export const MAX_TRACE_AGENTS = 100_000
/** Views after which the timeout stops growing: at backoff 2, 2^24 times the base timeout. */
export const MAX_BACKOFF_STEPS = 24

/** Quorum size ceil(q n), robust to binary fractions (0.51 * 100 is 51.000000000000007). */
export function quorumSize(n: number, q: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)))
}

export function byzantineCount(n: number, f: number): number {
  return Math.round(f * n)
}

/** The textbook bounds on counts: safe iff f < 2Q - n, live iff n - f >= Q. */
export function theory(n: number, fCount: number, Q: number): {safe: boolean; live: boolean; quorumIntersection: number} {
  return {safe: fCount < 2 * Q - n, live: n - fCount >= Q, quorumIntersection: 2 * Q - n}
}

export function simulate(o: SimOptions): SimResult {
  checkNumber('agents', o.agents, 4, MAX_AGENTS, true)
  checkNumber('byzantine', o.byzantine, 0, 0.99, false)
  checkNumber('threshold', o.threshold, 0, 1, false, true)
  checkNumber('rounds', o.rounds, 1, 100_000, true)
  if (!(STRATEGIES as readonly string[]).includes(o.strategy))
    throw new TcpError('usage', `--strategy: expected one of ${STRATEGIES.join(', ')}, got "${o.strategy}"`)
  const n = o.agents
  const timeoutMs = o.timeoutMs ?? 1000
  const maxDelayMs = o.maxDelayMs ?? 200
  const loss = o.loss ?? 0
  checkNumber('timeout-ms', timeoutMs, 0, 1e9, false, true)
  const backoff = o.backoff ?? 2
  const viewSync = o.viewSync ?? true
  checkNumber('backoff', backoff, 1, 4, false)
  if (o.turnAtMs !== undefined) checkNumber('turn-at-ms', o.turnAtMs, 0, 1e15, false)
  if (o.delayMs !== undefined) checkNumber('delay-ms', o.delayMs, 0, 1e9, false)
  checkNumber('max-delay-ms', maxDelayMs, 0, 1e9, false, true)
  checkNumber('loss', loss, 0, 0.99, false)
  const mode: CryptoMode = o.crypto === undefined || o.crypto === 'auto' ? (n <= AUTO_ED25519_AGENTS ? 'ed25519' : 'model') : o.crypto
  if (mode === 'ed25519' && n > MAX_ED25519_AGENTS)
    throw new TcpError('usage', `--crypto ed25519: at most ${MAX_ED25519_AGENTS} agents (real signatures), got ${n}; use --crypto model`)
  if (mode === 'bls' && n > MAX_BLS_AGENTS)
    throw new TcpError('usage', `--crypto bls: at most ${MAX_BLS_AGENTS} agents (real BLS12-381 signatures take milliseconds each), got ${n}; use --crypto model`)
  if (o.trace && n > MAX_TRACE_AGENTS) throw new TcpError('usage', `--trace: at most ${MAX_TRACE_AGENTS} agents, got ${n}`)
  const S = o.strategy
  const R = o.rounds
  const Q = quorumSize(n, o.threshold)
  const fCount = byzantineCount(n, o.byzantine)
  if (fCount >= n) throw new TcpError('usage', `--byzantine: ${o.byzantine} of ${n} agents leaves no honest agent`)
  const latency: Latency = o.latency ?? {dist: 'exp', mean: 20}
  const adv = ADVERSARIES[S]
  /** The pacemaker's timeout for view v: exponential backoff per failed view, capped at backoff^24. */
  const timeoutOf = (v: number): number => timeoutMs * backoff ** Math.min(v, MAX_BACKOFF_STEPS)
  const plan: Plan = {
    agents: n,
    byzantineCount: fCount,
    quorum: Q,
    rounds: R,
    maxDelayMs,
    timeoutOf: (v) => timeoutOf(v),
    viewStart(v) {
      let s = 0
      for (let i = 0; i < v; i++) s += timeoutOf(i)
      return s
    },
    turnAtMs: o.turnAtMs,
    delayMs: o.delayMs,
  }
  const partition: Partition | null = o.partition !== undefined && o.partition !== null ? o.partition : (adv.partition?.(plan) ?? null)
  // Views that start before the heal (for an agent that only times out) are not counted against the budget R.
  let viewsBeforeHeal = 0
  for (let start = 0; partition !== null && viewsBeforeHeal < 100_000 && start < partition.endMs; viewsBeforeHeal++) start += timeoutOf(viewsBeforeHeal)
  const lastView = viewsBeforeHeal + R
  const turnAtMs = adv.turnAt?.(plan) ?? 0
  const delayMs = adv.messageDelay?.(plan) ?? 0
  const targetView = fCount > 0 && adv.targetView ? adv.targetView(plan) : -1
  const targetLeader = targetView >= 0 ? targetView % n : -1
  const graceMs = maxDelayMs
  const wall0 = performance.now()
  const rng = new Rng(o.seed)
  // Byzantine set: a seeded partial Fisher-Yates shuffle; halves: the honest agents split by a second shuffle.
  const byz = new Uint8Array(n)
  const half = new Uint8Array(n)
  {
    const idx = new Int32Array(n)
    for (let i = 0; i < n; i++) idx[i] = i
    for (let i = 0; i < n - 1; i++) {
      const j = i + rng.int(n - i)
      const t = idx[i]!
      idx[i] = idx[j]!
      idx[j] = t
    }
    // A static adversary that targets a view corrupts its leader and leaves the leaders of earlier views honest
    // (swapping with agents that lead none of views 0..k): it knows the public schedule v mod n.
    if (targetLeader >= 0) {
      const k = targetView
      const pos = new Int32Array(n)
      for (let i = 0; i < n; i++) pos[idx[i]!] = i
      const swap = (i: number, j: number): void => {
        const x = idx[i]!
        idx[i] = idx[j]!
        idx[j] = x
        pos[idx[i]!] = i
        pos[idx[j]!] = j
      }
      if (pos[targetLeader]! >= fCount) swap(0, pos[targetLeader]!)
      let spare = n - 1
      const leadsEarly = (a: number): boolean => a <= k
      for (let v = 0; v < Math.min(k, n); v++) {
        const l = v % n
        if (l === targetLeader || pos[l]! >= fCount) continue
        while (spare >= fCount && leadsEarly(idx[spare]!)) spare--
        if (spare < fCount) break
        swap(pos[l]!, spare--)
      }
    }
    for (let i = 0; i < fCount; i++) byz[idx[i]!] = 1
    // Positions after the Byzantine prefix are already a uniform shuffle of the honest agents.
    let h = 0
    for (let i = fCount; i < n; i++) half[idx[i]!] = h++ < (n - fCount) / 2 ? 0 : 1
    for (let i = 0; i < fCount; i++) half[idx[i]!] = i & 1
  }
  const byzList = new Int32Array(fCount)
  {
    let k = 0
    for (let i = 0; i < n; i++) if (byz[i]) byzList[k++] = i
  }
  const crypto = new VoteCrypto(mode, n, rng, o.seed)
  /** blst: votes received but not yet verified, per tally; verified together once they could complete a certificate. */
  const pending = new Map<Tally, Pending>()
  const net = new Network(rng, latency, maxDelayMs, loss, partition)
  const q = new EventQueue(Math.min(1 << 22, Math.max(1024, 4 * n)))

  const view = new Int32Array(n)
  const lockQc = new Int32Array(n).fill(-1)
  const votedPrepare = new Int32Array(n).fill(-1)
  const votedCommit = new Int32Array(n).fill(-1)
  const committed = new Int8Array(n).fill(-1)
  const commitQcOf = new Int32Array(n).fill(-1)
  const commitTime = new Float64Array(n)
  const commitView = new Int32Array(n)
  const gaveUp = new Uint8Array(n)
  const lastLed = new Int32Array(n).fill(-1)
  const qcs: Qc[] = []
  const collects = new Map<number, Collect>()
  const byzBest = [-1, -1]

  const honestTotal = n - fCount
  let honestDecided = 0
  let honestDone = 0
  let firstValue = -1
  let conflicting = 0
  const values = new Set<number>()
  const msgs = {sent: 0, delivered: 0, droppedLoss: 0, droppedPartition: 0, bytes: 0}
  const rejected = {badSignature: 0, wrongRound: 0, wrongValue: 0, duplicate: 0, invalidCertificate: 0, unsafeProposal: 0, noViewProof: 0}
  let certificatesChecked = 0
  const trace: string[] | null = o.trace ? [] : null
  const tr = (t: number, ev: string, rest: string): void => void trace!.push(`{"t":${t.toFixed(3)},"ev":"${ev}"${rest}}`)

  const leader = (v: number): number => v % n
  const byzActive = (a: number, t: number): boolean => byz[a] === 1 && hooks !== null && t >= turnAtMs
  const crossesFreely = (a: number): boolean => byz[a] === 1 && adv.crossesPartition === true
  const qcBytes = (id: number): number => (id < 0 ? 0 : qcs[id]!.bytes)
  const sizeOf = (kind: number, ref: number, sig: number): number =>
    kind === Kind.VotePrepare || kind === Kind.VoteCommit
      ? 17 + crypto.sigBytes
      : kind === Kind.PrepareQc || kind === Kind.CommitQc
        ? qcBytes(ref)
        : kind === Kind.Propose
          ? 32 + qcBytes(ref) + qcBytes(sig - 1) // justify and the timeout certificate of the view
          : 16 + crypto.sigBytes + qcBytes(ref) // new-view: a signed timeout and the sender's lock

  function send(t: number, kind: number, from: number, to: number, v: number, value: number, ref: number, sig: number): void {
    msgs.sent++
    msgs.bytes += sizeOf(kind, ref, sig)
    if (from !== to) {
      if (half[from] !== half[to] && net.cut(t) && !crossesFreely(from) && !crossesFreely(to)) {
        msgs.droppedPartition++
        if (trace) tr(t, 'drop-partition', `,"kind":"${KIND_NAMES[kind]}","from":${from},"to":${to},"view":${v}`)
        return
      }
      if (net.lost()) {
        msgs.droppedLoss++
        if (trace) tr(t, 'drop-loss', `,"kind":"${KIND_NAMES[kind]}","from":${from},"to":${to},"view":${v}`)
        return
      }
    }
    let d = from === to ? 0.001 : net.delay()
    if (delayMs > 0 && byz[from] === 1) d += delayMs
    q.push(t + d, kind as Kind, from, to, v, value, ref, sig)
  }

  function newQc(phase: number, v: number, value: number, signers: ArrayLike<number>, sigs: ArrayLike<number>): number {
    const s = Int32Array.from(signers)
    // Ed25519: the list of (signer, signature); BLS (real or modelled): one aggregate and a signer bitmap.
    const bytes = mode === 'ed25519' ? 16 + s.length * (4 + crypto.sigBytes) : 16 + crypto.sigBytes + Math.ceil(n / 8)
    qcs.push({phase, view: v, value, signers: s, sigs: Int32Array.from(sigs), bytes})
    return qcs.length - 1
  }

  /** Valid iff at least Q distinct signers whose signatures verify on (view, phase, value). Memoised per certificate. */
  function checkQc(id: number, phase: number): boolean {
    certificatesChecked++
    const c = qcs[id]
    if (c === undefined || c.phase !== phase) return false
    if (c.valid === undefined) {
      const seen = new Set<number>()
      if (mode === 'bls' || mode === 'blst') {
        // One aggregate over the first signature of each distinct signer: any bad part fails the whole certificate.
        const handles: number[] = []
        for (let i = 0; i < c.signers.length; i++)
          if (!seen.has(c.signers[i]!)) {
            seen.add(c.signers[i]!)
            handles.push(c.sigs[i]!)
          }
        c.valid = seen.size >= Q && crypto.verifyAggregate([...seen], handles, c.view, c.phase, c.value)
      } else {
        for (let i = 0; i < c.signers.length; i++) {
          const s = c.signers[i]!
          if (seen.has(s)) continue
          if (crypto.verify(s, c.view, c.phase, c.value, c.sigs[i]!, 0)) seen.add(s)
        }
        c.valid = seen.size >= Q
      }
    }
    if (!c.valid) rejected.invalidCertificate++
    return c.valid
  }

  /**
   * blst: verifies the pending votes of a tally in one batch and counts them in arrival order exactly as one-by-one
   * verification would (bad signature, then duplicate, then nothing once Q are counted). True iff the Q-th valid
   * vote was counted now (the caller forms the certificate).
   */
  function settle(tl: Tally, p: Pending): boolean {
    const ok = crypto.checkBatch(p.signers, p.sigs, p.view, p.phase, p.value)
    crypto.checkedLogical += p.signers.length
    let reached = false
    for (let i = 0; i < p.signers.length; i++) {
      const s = p.signers[i]!
      if (!ok[i]) rejected.badSignature++
      else if (tl.seen[s]) rejected.duplicate++
      else if (tl.count < Q && !tl.formed) {
        tl.seen[s] = 1
        tl.signers[tl.count] = s
        tl.sigs[tl.count++] = p.sigs[i]!
        reached = tl.count >= Q
      }
    }
    p.signers = []
    p.sigs = []
    return reached
  }

  function collect(v: number): Collect {
    let c = collects.get(v)
    if (!c) {
      c = {proposed: -1, nvSeen: null, nvCount: 0, tcSigners: [], tcSigs: [], tc: -1, byzTimeouts: false, best: -1, goScheduled: false, tallies: []}
      collects.set(v, c)
      collects.delete(v - 4) // views more than a few behind are closed; their tallies are no longer needed
    }
    return c
  }

  function tally(c: Collect, phase: number, value: number): Tally {
    const k = phase * 2 + (value & 1)
    let tl = c.tallies[k]
    if (!tl) {
      tl = {seen: new Uint8Array(n), signers: new Int32Array(Q), sigs: new Int32Array(Q), count: 0, formed: false}
      c.tallies[k] = tl
    }
    return tl
  }

  function enterView(a: number, v: number, t: number): void {
    view[a] = v
    const at = t + timeoutOf(v)
    if (q.fitsLater(at)) q.pushLater(at, Kind.Timeout, a, a, v, 0, -1, 0)
    else q.push(at, Kind.Timeout, a, a, v, 0, -1, 0)
  }

  function decide(a: number, id: number, t: number): void {
    const c = qcs[id]!
    committed[a] = c.value
    commitQcOf[a] = id
    commitTime[a] = t
    commitView[a] = c.view
    if (trace) tr(t, 'decide', `,"agent":${a},"view":${c.view},"value":${c.value}`)
    if (byz[a]) return
    honestDecided++
    honestDone++
    values.add(c.value)
    if (firstValue < 0) firstValue = c.value
    else if (c.value !== firstValue) conflicting++
  }

  function raiseLock(a: number, id: number): void {
    const l = lockQc[a]!
    if (l < 0 || qcs[id]!.view > qcs[l]!.view) lockQc[a] = id
  }

  function broadcastHonest(t: number, kind: number, from: number, v: number, value: number, ref: number, to?: (i: number) => boolean): void {
    for (let i = 0; i < n; i++) if (!byz[i] && (to === undefined || to(i))) send(t, kind, from, i, v, value, ref, 0)
  }

  // ---- honest behaviour ----
  /** The pacemaker: on timeout, move to the next view and tell its leader (with the lock), or give up after R views. */
  function onTimeout(a: number, v: number, t: number): void {
    if (committed[a]! >= 0 || gaveUp[a] || view[a] !== v) return
    if (v + 1 >= lastView) {
      gaveUp[a] = 1
      if (!byz[a]) honestDone++
      if (trace) tr(t, 'give-up', `,"agent":${a},"view":${v}`)
      return
    }
    enterView(a, v + 1, t)
    send(t, Kind.NewView, a, leader(v + 1), v + 1, 0, lockQc[a]!, crypto.sign(a, v + 1, PHASE_TIMEOUT, 0))
  }

  /**
   * A signed timeout of `signer` for view v at v's leader: counted once per signer if its signature verifies; at Q
   * of them the leader holds a timeout certificate (TC) for v, which it attaches to its proposal.
   */
  function countTimeout(c: Collect, v: number, signer: number, sig: number): boolean {
    if (!crypto.verify(signer, v, PHASE_TIMEOUT, 0, sig)) {
      rejected.badSignature++
      return false
    }
    c.nvSeen ??= new Uint8Array(n)
    if (c.nvSeen[signer]) return false
    c.nvSeen[signer] = 1
    c.nvCount++
    if (c.tc < 0) {
      c.tcSigners.push(signer)
      c.tcSigs.push(sig)
      if (c.tcSigners.length >= Q) {
        c.tc = newQc(PHASE_TIMEOUT, v, 0, c.tcSigners, c.tcSigs)
        c.tcSigners = []
        c.tcSigs = []
      }
    }
    return true
  }

  /** View synchronisation: a replica behind enters view v only on proof that a quorum left v - 1 (a TC for v, or a
   * prepare certificate of view v - 1). An unproven proposal from a future view is ignored. */
  function viewProof(v: number, justify: number, tc: number): boolean {
    if (tc >= 0 && qcs[tc] !== undefined && qcs[tc]!.view === v && checkQc(tc, PHASE_TIMEOUT)) return true
    return justify >= 0 && qcs[justify] !== undefined && qcs[justify]!.view === v - 1 && checkQc(justify, PHASE_PREPARE)
  }

  /** A leader's proposal, carrying the view's timeout certificate when it holds one (in `sig`, as id + 1). */
  function propose(t: number, from: number, to: number, v: number, x: number, justify: number): void {
    send(t, Kind.Propose, from, to, v, x, justify, collect(v).tc + 1)
  }

  function honestPropose(a: number, v: number, t: number): void {
    const c = collect(v)
    if (c.proposed >= 0 || committed[a]! >= 0 || view[a]! > v) return
    if (v > view[a]!) enterView(a, v, t)
    let best = c.best
    const l = lockQc[a]!
    if (l >= 0 && (best < 0 || qcs[l]!.view > qcs[best]!.view)) best = l
    const x = best >= 0 ? qcs[best]!.value : HONEST_VALUE
    c.proposed = x
    for (let i = 0; i < n; i++) propose(t, a, i, v, x, best)
  }

  function honest(kind: number, a: number, src: number, v: number, x: number, ref: number, sig: number, t: number): void {
    if (kind === Kind.Timeout) return onTimeout(a, v, t)
    if (kind === Kind.NewView) {
      if (committed[a]! >= 0) {
        send(t, Kind.CommitQc, a, src, qcs[commitQcOf[a]!]!.view, 0, commitQcOf[a]!, 0)
        return
      }
      if (leader(v) !== a || v < view[a]!) return
      const c = collect(v)
      if (ref >= 0) {
        if (!checkQc(ref, PHASE_PREPARE)) return
        if (c.best < 0 || qcs[ref]!.view > qcs[c.best]!.view) c.best = ref
      }
      if (!countTimeout(c, v, src, sig)) return
      if (c.nvCount >= Q && !c.goScheduled) {
        c.goScheduled = true
        q.push(t + graceMs, Kind.LeaderGo, a, a, v, 0, -1, 0)
      }
      return
    }
    if (kind === Kind.LeaderGo) return honestPropose(a, v, t)
    if (committed[a]! >= 0 || gaveUp[a]) return
    if (kind === Kind.Propose) {
      if (src !== leader(v) || v < view[a]! || votedPrepare[a]! >= v) return
      if (v > view[a]! && viewSync && !viewProof(v, ref, sig - 1)) return void rejected.noViewProof++
      if (ref >= 0) {
        const j = qcs[ref]!
        if (!checkQc(ref, PHASE_PREPARE) || j.view >= v || j.value !== x) return
        raiseLock(a, ref)
      }
      const l = lockQc[a]!
      const safe = l < 0 || qcs[l]!.value === x || (ref >= 0 && qcs[ref]!.view > qcs[l]!.view)
      if (v > view[a]!) enterView(a, v, t)
      if (!safe) {
        rejected.unsafeProposal++
        return
      }
      votedPrepare[a] = v
      send(t, Kind.VotePrepare, a, leader(v), v, x, a, crypto.sign(a, v, PHASE_PREPARE, x))
      return
    }
    if (kind === Kind.VotePrepare || kind === Kind.VoteCommit) {
      const phase = kind === Kind.VotePrepare ? PHASE_PREPARE : PHASE_COMMIT
      const c = collects.get(v)
      if (leader(v) !== a || view[a] !== v || c === undefined || c.proposed < 0) return void rejected.wrongRound++
      if (x !== c.proposed) return void rejected.wrongValue++
      const tl = tally(c, phase, x)
      if (mode === 'blst') {
        // Optimistic aggregation: a vote is verified when, with the votes already counted, it could complete the
        // certificate (one pairing for the whole batch, bisection if it fails). The certificate forms at the same
        // simulated time as if each vote were verified on arrival: simulated time does not count CPU.
        let p = pending.get(tl)
        if (!p) pending.set(tl, (p = {view: v, phase, value: x, signers: [], sigs: []}))
        p.signers.push(ref)
        p.sigs.push(sig)
        if (tl.formed || tl.count + p.signers.length < Q || !settle(tl, p)) return
      } else {
        if (!crypto.verify(ref, v, phase, x, sig)) return void rejected.badSignature++
        if (tl.seen[ref]) return void rejected.duplicate++
        if (tl.formed) return
        tl.seen[ref] = 1
        tl.signers[tl.count] = ref
        tl.sigs[tl.count++] = sig
      }
      if (tl.count >= Q && !tl.formed) {
        tl.formed = true
        const id = newQc(phase, v, x, tl.signers, tl.sigs)
        if (trace) tr(t, 'certificate', `,"phase":"${phase ? 'commit' : 'prepare'}","view":${v},"value":${x},"leader":${a}`)
        for (let i = 0; i < n; i++) send(t, phase === PHASE_PREPARE ? Kind.PrepareQc : Kind.CommitQc, a, i, v, x, id, 0)
      }
      return
    }
    if (kind === Kind.PrepareQc) {
      if (!checkQc(ref, PHASE_PREPARE)) return
      const c = qcs[ref]!
      raiseLock(a, ref)
      if (c.view < view[a]! || votedCommit[a]! >= c.view) return
      if (c.view > view[a]!) enterView(a, c.view, t)
      votedCommit[a] = c.view
      send(t, Kind.VoteCommit, a, leader(c.view), c.view, c.value, a, crypto.sign(a, c.view, PHASE_COMMIT, c.value))
      return
    }
    if (kind === Kind.CommitQc) {
      if (checkQc(ref, PHASE_COMMIT)) decide(a, ref, t)
    }
  }

  // ---- Byzantine behaviour: the adversary's hooks (src/core/consensus/adversaries/) ----
  const world: World = {
    n,
    fCount,
    Q,
    byz,
    byzList,
    half,
    rng,
    crypto,
    qcs,
    byzBest,
    leader,
    send,
    broadcastHonest: (t, kind, from, v, value, ref) => broadcastHonest(t, kind, from, v, value, ref),
    propose,
    broadcastProposal: (t, from, v, x, justify) => {
      for (let i = 0; i < n; i++) if (!byz[i]) propose(t, from, i, v, x, justify)
    },
    newQc,
    tally: (v, phase, value) => tally(collect(v), phase, value),
    onTimeout,
    trace: (t, ev, rest) => {
      if (trace) tr(t, ev, rest)
    },
  }
  const hooks: Hooks | null = adv.start ? adv.start(world, plan) : null

  function byzantine(kind: number, a: number, src: number, v: number, x: number, ref: number, sig: number, t: number): void {
    const h = hooks!
    if (kind === Kind.Timeout) return h.keepsPacemaker ? onTimeout(a, v, t) : undefined
    if (kind === Kind.NewView || kind === Kind.LeaderGo) {
      if (leader(v) !== a || lastLed[a]! >= v) return
      if (kind === Kind.NewView) {
        // A Byzantine leader needs a timeout certificate too (replicas behind ignore an unproven proposal): it
        // signs timeouts with all its agents' keys and waits for enough honest ones.
        const c = collect(v)
        if (!c.byzTimeouts) {
          c.byzTimeouts = true
          for (const b of byzList) countTimeout(c, v, b, crypto.sign(b, v, PHASE_TIMEOUT, 0))
        }
        countTimeout(c, v, src, sig)
        if (c.tc < 0) return
      }
      lastLed[a] = v
      collect(v).proposed = -2 // a Byzantine leader never takes the honest path for this view
      if (trace) tr(t, 'byzantine-lead', `,"agent":${a},"view":${v},"strategy":"${S}"`)
      return h.lead?.(a, v, t)
    }
    const lb = leader(v)
    if (kind === Kind.VotePrepare || kind === Kind.VoteCommit) {
      if (lb !== a || byz[ref]) return
      return h.vote?.(a, ref, v, kind === Kind.VotePrepare ? PHASE_PREPARE : PHASE_COMMIT, x, sig, t)
    }
    if (byz[lb]) return // Byzantine leaders certify with their accomplices' keys directly
    if (kind === Kind.Propose) return h.propose?.(a, lb, v, x, t)
    if (kind === Kind.PrepareQc) return h.prepareQc?.(a, ref, t)
  }

  // ---- run ----
  for (let i = 0; i < n; i++) enterView(i, 0, 0)
  q.push(0, Kind.LeaderGo, leader(0), leader(0), 0, 0, -1, 0)
  let events = 0
  let now = 0
  const maxEvents = 200 * n * lastView + 10_000_000
  while (q.size > 0 && honestDone < honestTotal) {
    const s = q.pop()
    const t = q.time[s]!
    const kind = q.kind[s]!
    const src = q.src[s]!
    const a = q.to[s]!
    const v = q.view[s]!
    const x = q.value[s]!
    const ref = q.ref[s]!
    const sig = q.sig[s]!
    q.release(s)
    now = t
    if (++events > maxEvents) throw new TcpError('internal', `consensus: more than ${maxEvents} events; the run does not converge`)
    if (kind !== Kind.Timeout && kind !== Kind.LeaderGo) msgs.delivered++
    if (trace && kind !== Kind.Timeout && kind !== Kind.LeaderGo)
      tr(t, KIND_NAMES[kind]!, `,"from":${src},"to":${a},"view":${v}${kind === Kind.NewView ? '' : `,"value":${x}`}${ref < 0 ? '' : kind === Kind.VotePrepare || kind === Kind.VoteCommit ? `,"signer":${ref}` : `,"cert":${ref}`}`)
    else if (trace && kind === Kind.Timeout && view[a] === v && committed[a]! < 0 && !gaveUp[a] && !byzActive(a, t)) tr(t, 'timeout', `,"agent":${a},"view":${v}`)
    // Byzantine agents pool every prepare certificate they receive, also while they still act honestly.
    if (kind === Kind.PrepareQc && byz[a] && qcs[ref]!.valid !== false) {
      const c = qcs[ref]!
      if (checkQc(ref, PHASE_PREPARE) && (byzBest[c.value]! < 0 || c.view > qcs[byzBest[c.value]!]!.view)) byzBest[c.value] = ref
    }
    if (byzActive(a, t)) byzantine(kind, a, src, v, x, ref, sig, t)
    else honest(kind, a, src, v, x, ref, sig, t)
  }
  if (mode === 'blst') {
    // Votes that arrived after their certificate formed (or never completed one) are still signed and verified,
    // for the same rejection counts as one-by-one verification; this changes no outcome.
    for (const [tl, p] of pending) if (p.signers.length > 0) settle(tl, p)
    crypto.flush()
    crypto.close()
  }
  const wallMs = performance.now() - wall0

  const times: number[] = []
  let maxView = -1
  for (let i = 0; i < n; i++) {
    if (byz[i] || committed[i]! < 0) continue
    times.push(commitTime[i]!)
    if (commitView[i]! > maxView) maxView = commitView[i]!
  }
  const ft = Float64Array.from(times).sort()
  const pct = (p: number): number => Number(ft[Math.min(ft.length - 1, Math.ceil(p * ft.length) - 1)]!.toFixed(3))
  const decided = honestDecided === honestTotal
  const th = theory(n, fCount, Q)
  const leaderCerts = qcs.length
  const result: SimResult = {
    seed: o.seed,
    config: {
      agents: n,
      byzantine: o.byzantine,
      byzantineCount: fCount,
      threshold: o.threshold,
      quorum: Q,
      strategy: S,
      rounds: R,
      viewsBeforeHeal,
      timeoutMs,
      backoff,
      latency: formatLatency(latency),
      maxDelayMs,
      loss,
      partition,
      turnAtMs: adv.turnAt ? turnAtMs : null,
      delayMs: adv.messageDelay ? delayMs : null,
      protocol: PROTOCOL,
    },
    theory: {
      ...th,
      note: `safe iff f < 2Q - n (${fCount} < ${2 * Q - n}), live iff n - f >= Q (${n - fCount} >= ${Q})`,
    },
    outcome: {
      decided,
      stalled: !decided,
      safetyViolation: conflicting > 0,
      decidedValues: [...values].sort((x, y) => x - y),
      conflictingAgents: conflicting,
      honestAgents: honestTotal,
      honestDecided,
      roundsToDecide: decided ? maxView + 1 : null,
      biased: values.has(ATTACK_VALUE),
    },
    latencyMs: ft.length > 0 ? {p50: pct(0.5), p99: pct(0.99), max: Number(ft[ft.length - 1]!.toFixed(3))} : null,
    messages: msgs,
    signatures: {
      mode,
      note:
        mode === 'ed25519'
          ? 'real Ed25519 signatures on every vote; certificates list their signers\' signatures'
          : mode === 'blst'
            ? `real BLS12-381 signatures on every vote (native blst, signed on ${crypto.workers} worker threads); votes verified in aggregate batches, each certificate checked as one aggregate signature against its signers' aggregate key`
          : mode === 'bls'
            ? 'real BLS12-381 signatures on every vote; each certificate checked as one aggregate signature against its signers\' aggregate key'
            : 'modelled: 32-bit SipHash-2-4 tags under each agent\'s 128-bit key stand for signatures (a keyed PRF: a forger guesses a tag with probability 2^-32, not publicly verifiable); CPU cost estimated for BLS12-381 aggregated certificates from measured timings',
      made: crypto.made,
      forged: crypto.forged,
      votesChecked: crypto.checkedLogical,
      certificatesChecked,
      verifyCalls: crypto.verifyCalls,
      ...(mode === 'blst' ? {cryptoMs: Number(crypto.cryptoMs.toFixed(1)), workers: crypto.workers, pairings: crypto.pairings} : {}),
      rejected,
    },
    run: {
      events,
      simulatedMs: Number(now.toFixed(3)),
      wallMs: Number(wallMs.toFixed(1)),
      eventsPerSecond: Math.round(events / (wallMs / 1000)),
      peakQueue: q.peak,
      stateBytes: q.bytes + n * (4 * 8 + 8 + 4),
    },
  }
  if (mode === 'model') {
    const u = MEASURED_US
    const signUs = u.blsHashToG2 + u.blsSign
    const checkUs = u.blsVerifyAggregate + Q * u.blsAddPublicKey
    const perReplicaMs = (2 * signUs + (certificatesChecked / Math.max(1, n)) * checkUs) / 1000
    const leaderMs = (Q * u.blsAddSignature + checkUs) / 1000
    result.signatures.estimatedCpu = {
      perReplicaMs: Number(perReplicaMs.toFixed(1)),
      leaderMsPerCertificate: Number(leaderMs.toFixed(1)),
      fleetCpuSeconds: Number(((crypto.made * signUs + certificatesChecked * checkUs + leaderCerts * Q * u.blsAddSignature) / 1e6).toFixed(1)),
      basis: 'per-operation timings of @noble/curves BLS12-381 measured by bench/consensus-crypto.mjs (MEASURED_US in src/core/consensus/crypto.ts): a signature is hash-to-G2 plus signing; a certificate check aggregates its signers\' keys again (an upper bound: a deployment caches aggregate keys) and verifies once',
    }
  }
  if (trace) result.trace = trace.join('\n') + '\n'
  if (o.evidence) {
    const ids = new Set<number>()
    for (let i = 0; i < n; i++) if (!byz[i] && commitQcOf[i]! >= 0) ids.add(commitQcOf[i]!)
    result.evidence = {
      runId: o.seed,
      publicKeys: mode === 'blst' ? Array.from({length: n}, (_, i) => Buffer.from(crypto.blstPublicKey(i)).toString('hex')) : crypto.publicKeys.map((k) => Buffer.from(k).toString('hex')),
      certificates: [...ids].sort((x, y) => x - y).map((id) => {
        const c = qcs[id]!
        return {
          phase: c.phase === PHASE_PREPARE ? 'prepare' : 'commit',
          view: c.view,
          value: c.value,
          signers: Array.from(c.signers),
          signatures: Array.from(c.sigs, (h) => (mode === 'model' ? h : Buffer.from(mode === 'blst' ? crypto.blstSignature(h)! : crypto.sigs[h]!).toString('hex'))),
        }
      }),
    }
  }
  return result
}
