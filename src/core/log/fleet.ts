/**
 * Verifying a fleet of logs together: every log on its own (verify.ts), then across logs:
 *   fleet-agents      one log per agent, one agent per key; a key named in the trust store signs only its agent
 *   fleet-references  every clock component resolves to a committed entry with that sequence number and hash
 *   fleet-time        a referenced entry is not later than the entry referencing it, beyond the skew
 *   fleet-causality   the happened-before graph (each log's chain plus the references) has no cycle
 *   fleet-witness     (with witnessedWithinMs) every entry older than that at `now` is pinned: at or before the
 *                     highest entry of its agent that another agent's log references with the right hash; with
 *                     `witnesses`, only what those agents' logs fix counts (their causal past: their references,
 *                     and the references of the entries those fix, transitively); a witness's own entries are
 *                     pinned by any other agent's reference
 *
 * Pinning (as witnessing in Certificate Transparency gossip): a peer's reference names an entry by its hash, and by
 * the chain that hash fixes every entry before it; a key holder who rewrites a pinned entry forks from the peer's
 * reference, which fleet-references rejects. What nobody referenced, its key holder can rewrite and re-sign
 * unnoticed; fleet-witness bounds how old such an unpinned tail may be, which needs a witness (an agent that
 * regularly references every log, and that the agents reference back). It does NOT guarantee anything about the
 * tail younger than the bound, nor that an agent recorded every message it received. "Older" is by the entry's own
 * time, which its key holder wrote: entries it kept from the witness it can rewrite and date inside the bound when it
 * shows them (nothing the witness wrote tells a withheld entry from a new one). Without `witnesses`, any agent's
 * reference pins, so two agents that collude (or two keys of one operator) pin each other's entries.
 *
 * Memory: one pass over each file, keeping per agent 44 bytes an entry (its hash, time and line number, in typed
 * arrays) and 57 bytes a changed clock component; nothing else of a line outlives it. Time is linear in the bytes
 * read plus the references.
 */
import {readdirSync, realpathSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {TcpError, fromSystemError} from '../errors.js'
import {grown} from '../bytes.js'
import {makeReport, type Check, type VerifyReport} from '../verify/report.js'
import {assertAgentName, type ClockRef} from './format.js'
import {CHECK_NAMES, LogVerifier, checkFrom, okDetailFor, reportedSummary, type EntrySink, type LogFailure, type LogSummary, type LogVerifyOptions, type ReportedLogSummary} from './verify.js'

export const FLEET_CHECKS = ['fleet-agents', 'fleet-references', 'fleet-time', 'fleet-causality'] as const
const LOG_EXT = /\.log$/

class Grow {
  hashes = Buffer.alloc(32 * 256)
  times = new Float64Array(256)
  lines = new Int32Array(256)
  n = 0
  push(hash: Buffer, t: number, line: number): void {
    if (this.n === this.times.length) {
      const h = Buffer.alloc(this.hashes.length * 2)
      this.hashes.copy(h)
      this.hashes = h
      this.times = grown(this.times, this.times.length * 2)
      this.lines = grown(this.lines, this.lines.length * 2)
    }
    hash.copy(this.hashes, this.n * 32)
    this.lines[this.n] = line
    this.times[this.n++] = t
  }
}

class Refs {
  cap = 1024
  n = 0
  from = new Int32Array(this.cap)
  agent = new Int32Array(this.cap)
  target = new Int32Array(this.cap)
  toSeq = new Float64Array(this.cap)
  line = new Int32Array(this.cap)
  time = new Float64Array(this.cap)
  /** 1 when the reference resolved to a committed entry with that hash. */
  ok = new Uint8Array(this.cap)
  hash = Buffer.alloc(this.cap * 32)
  push(agent: number, from: number, line: number, time: number, target: number, ref: ClockRef): void {
    if (this.n === this.cap) this.grow()
    const i = this.n++
    this.agent[i] = agent
    this.from[i] = from
    this.line[i] = line
    this.time[i] = time
    this.target[i] = target
    this.toSeq[i] = ref[0]
    this.hash.write(ref[1], i * 32, 'hex')
  }
  private grow(): void {
    this.cap *= 2
    this.from = grown(this.from, this.cap)
    this.agent = grown(this.agent, this.cap)
    this.target = grown(this.target, this.cap)
    this.line = grown(this.line, this.cap)
    this.toSeq = grown(this.toSeq, this.cap)
    this.time = grown(this.time, this.cap)
    this.ok = grown(this.ok, this.cap)
    const h = Buffer.alloc(this.cap * 32)
    this.hash.copy(h)
    this.hash = h
  }
}

interface AgentData {
  name: string
  file: string | null
  data: Grow | null
  committedSeq: number
  /** Highest seq another agent's log references with this agent's hash for it (-1: none). */
  pinned: number
  refStart: number
  refEnd: number
}

export interface FleetVerifyOptions extends LogVerifyOptions {
  /** A log of the fleet verified as the main one (its summary is returned as `log`). */
  main?: string
  /** fleet-witness: every entry older than this (ms) at `now` must be pinned by another agent's reference. */
  witnessedWithinMs?: number
  /**
   * fleet-witness: only these agents' logs pin (directly or through the references of entries they fix); a witness's
   * own entries are pinned by any other agent's reference. Default: every agent's reference pins.
   */
  witnesses?: string[]
}

export interface FleetReport extends VerifyReport {
  fleet: {dir: string; logs: number; agents: number; entries: number; references: number}
  log: ReportedLogSummary | null
  failures: LogFailure[]
  trust: string
  /** What this verification did not establish (printed as "not checked:" lines). */
  caveats: string[]
}

/** Log files of a fleet directory: regular files named *.log. */
export function fleetFiles(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch (e) {
    throw fromSystemError(e, 'fleet directory', dir)
  }
  const isFile = (p: string): boolean => {
    try {
      return statSync(p).isFile()
    } catch (e) {
      // A dangling symlink, or a file removed while listing: one named input error, not an unexpected crash.
      throw fromSystemError(e, 'fleet log', p)
    }
  }
  return names.filter((n) => LOG_EXT.test(n)).map((n) => join(dir, n)).filter(isFile)
}

/**
 * Verifies every log of `dir` (plus `main`, when given and not already in it) and the references between them.
 * `main`'s own summary is returned as `log`.
 */
export function verifyFleet(dir: string, opts: FleetVerifyOptions): FleetReport {
  const files = fleetFiles(dir)
  const real = new Set(files.map((f) => realpathSync(f)))
  if (opts.main && !real.has(realpathSync(opts.main))) files.unshift(opts.main)
  if (files.length === 0) throw new TcpError('input', `fleet directory ${dir}: no *.log files`)
  // NaN would compare false against every age and pass every entry: refuse it rather than fail open.
  const within = opts.witnessedWithinMs
  if (within !== undefined && !(Number.isFinite(within) && within >= 0)) throw new TcpError('usage', `witnessedWithinMs: expected a duration >= 0 ms, got ${within}`)
  const witnesses = opts.witnesses && [...new Set(opts.witnesses)]
  if (witnesses && within === undefined) throw new TcpError('usage', 'witnesses: only with witnessedWithinMs (they decide what fleet-witness counts as pinned)')
  for (const w of witnesses ?? []) assertAgentName(w, 'witness')
  const skew = opts.maxSkewMs ?? 2000
  const keep = opts.keepFailures ?? 20
  // One verification time for every log and for fleet-witness (the time freshness is judged at).
  const now = opts.now ?? Date.now()
  const ids = new Map<string, number>()
  const agents: AgentData[] = []
  const idOf = (name: string): number => {
    let id = ids.get(name)
    if (id === undefined) {
      id = agents.length
      ids.set(name, id)
      agents.push({name, file: null, data: null, committedSeq: -1, pinned: -1, refStart: 0, refEnd: 0})
    }
    return id
  }
  const refs = new Refs()
  const counts = new Map<string, number>()
  const failures: LogFailure[] = []
  const kept = new Map<string, number>()
  const keepFailure = (f: LogFailure) => {
    const k = kept.get(f.check) ?? 0
    if (k < keep) (failures.push(f), kept.set(f.check, k + 1))
  }
  const fail = (check: string, file: string, line: number, seq: number | null, detail: string) => {
    counts.set(check, (counts.get(check) ?? 0) + 1)
    keepFailure({check, file, line, seq, detail})
  }
  const keyAgent = new Map<string, string>()
  const keyName = new Map(opts.trust.keys.map((k) => [k.keyId, (k as {name?: string}).name]))
  let entries = 0
  let mainSummary: LogSummary | null = null
  for (const file of files) {
    const data = new Grow()
    let self = -1
    const refStart = refs.n
    const sink: EntrySink = {
      entry(seq, hash, t, line) {
        if (seq === data.n) data.push(hash, t, line)
      },
      reference(from, t, line, agent, ref) {
        if (self < 0) return
        refs.push(self, from, line, t, idOf(agent), ref)
      },
    }
    // The agent is known from the first line; the sink needs its id before the first reference.
    const v: LogVerifier = new LogVerifier(file, {...opts, now, keepFailures: keep}, {
      entry: sink.entry,
      reference: (...a) => {
        if (self < 0 && v.agent) self = idOf(v.agent)
        sink.reference(...a)
      },
    })
    v.run(file)
    for (const f of v.failures) keepFailure(f)
    for (const [c, n] of v.counts) counts.set(c, (counts.get(c) ?? 0) + n)
    const s = v.summary()
    entries += s.entries
    if (opts.main && realpathSync(file) === realpathSync(opts.main)) mainSummary = s
    if (!s.agent) continue
    const id = idOf(s.agent)
    const a = agents[id]!
    if (a.file !== null) {
      fail('fleet-agents', file, 1, null, `agent "${s.agent}" already has a log: ${a.file}`)
      continue
    }
    a.file = file
    a.data = data
    // Only entries whose hash was kept can be resolved: a log with a gap (already failing) may commit a head beyond them.
    a.committedSeq = Math.min(s.head?.seq ?? -1, data.n - 1)
    a.refStart = refStart
    a.refEnd = refs.n
    for (const k of s.keys) {
      const other = keyAgent.get(k)
      if (other && other !== s.agent) fail('fleet-agents', file, 1, null, `key ${k} signs for both "${other}" and "${s.agent}"`)
      keyAgent.set(k, s.agent)
      const named = keyName.get(k)
      if (named && named !== s.agent) fail('fleet-agents', file, 1, null, `key ${k} is named "${named}" in the trust store, but signs the log of "${s.agent}"`)
    }
  }
  // References: resolve, and compare times.
  for (let i = 0; i < refs.n; i++) {
    const from = agents[refs.agent[i]!]!
    const to = agents[refs.target[i]!]!
    const seq = refs.toSeq[i]!
    const where = [from.file!, refs.line[i]!, refs.from[i]!] as const
    if (!to.file || !to.data) {
      fail('fleet-references', ...where, `clock references agent "${to.name}", which has no log in the fleet`)
      continue
    }
    if (seq > to.committedSeq) {
      fail('fleet-references', ...where, `clock of "${to.name}" is raised to seq ${seq}, beyond what "${to.name}" signed (its last committed seq is ${to.committedSeq})`)
      continue
    }
    if (to.data.hashes.compare(refs.hash, i * 32, i * 32 + 32, seq * 32, seq * 32 + 32) !== 0) {
      fail('fleet-references', ...where, `clock of "${to.name}" seq ${seq} names hash ${refs.hash.toString('hex', i * 32, i * 32 + 8)}..., but that entry's hash is ${to.data.hashes.toString('hex', seq * 32, seq * 32 + 8)}...`)
      continue
    }
    refs.ok[i] = 1
    if (seq > to.pinned) to.pinned = seq
    const tTo = to.data.times[seq]!
    if (tTo > refs.time[i]! + skew)
      fail('fleet-time', ...where, `references "${to.name}" seq ${seq} at ${new Date(tTo).toISOString()}, later than this entry's own time ${new Date(refs.time[i]!).toISOString()} + skew ${skew} ms`)
  }
  causality(agents, refs, fail)
  const caveats = within === undefined ? [UNWITNESSED] : witness(agents, refs, witnesses && witnessIds(witnesses, ids, agents, dir, fail), now, within, fail)
  const checks: Check[] = []
  const agg = (name: string) => (name === 'signature' ? `${files.length} logs, ${entries} entries (trust: ${opts.trust.source})` : name === 'committed' ? `${entries} entries in ${files.length} logs` : name === 'time-future' ? okDetailFor(name, {} as LogSummary, opts) : '')
  for (const name of CHECK_NAMES) {
    if (name === 'freshness' && opts.freshWithinMs === undefined) continue
    if (name === 'commitments' && !counts.has(name)) continue
    checks.push(checkFrom(name, counts.get(name) ?? 0, failures, agg(name)))
  }
  const present = agents.filter((a) => a.file).length
  const fleetOk: Record<string, string> = {
    'fleet-agents': `${present} agents, one log and one key each`,
    'fleet-references': `${refs.n} clock references resolve to committed entries`,
    'fleet-time': `every referenced entry is no later than its reference + ${skew} ms`,
    'fleet-causality': `no cycle among ${entries} entries and ${refs.n} references`,
  }
  for (const name of FLEET_CHECKS) checks.push(checkFrom(name, counts.get(name) ?? 0, failures, fleetOk[name]!))
  const one = witnesses?.length === 1
  const pinnedBy = witnesses ? `fixed by ${logsOf(witnesses)} (directly or through entries ${one ? 'it references' : 'they reference'}); the ${one ? 'witness\'s' : 'witnesses\''} own entries by another agent's reference` : 'pinned by another agent\'s reference'
  if (within !== undefined) checks.push(checkFrom('fleet-witness', counts.get('fleet-witness') ?? 0, failures, `every entry older than ${seconds(within)} is ${pinnedBy}`))
  return makeReport('tcp-log', checks, {
    fleet: {dir, logs: files.length, agents: present, entries, references: refs.n},
    log: mainSummary && reportedSummary(mainSummary),
    failures,
    trust: opts.trust.source,
    caveats,
  }) as FleetReport
}

const UNWITNESSED = 'rewrites by a log\'s own key holder where no peer referenced its entries (links are pinned only by peers\' references; a witness and --witnessed-within bound the rest)'
const ANY_PEER = 'who pinned an entry: any agent\'s reference counts: two agents that collude (or two keys of one operator) pin each other\'s entries; --witness NAME counts only what the named witnesses\' logs fix'
const seconds = (ms: number): string => `${+(ms / 1000).toFixed(3)} s`
const logsOf = (ws: string[]): string => (ws.length === 1 ? `the log of witness ${JSON.stringify(ws[0])}` : `the logs of witnesses ${ws.map((w) => JSON.stringify(w)).join(', ')}`)
const TAILS_NAMED = 20
type Fail = (check: string, file: string, line: number, seq: number | null, detail: string) => void

/** Ids of the named witnesses that have a log; a fleet-witness failure for each that has none. */
function witnessIds(names: string[], ids: Map<string, number>, agents: AgentData[], dir: string, fail: Fail): {names: string[]; ids: number[]} {
  const found: number[] = []
  for (const n of names) {
    const id = ids.get(n)
    if (id !== undefined && agents[id]!.data) found.push(id)
    else fail('fleet-witness', dir, 0, null, `witness "${n}" has no log in the fleet: nothing it fixed can be counted`)
  }
  return {names, ids: found}
}

/**
 * The causal past of the witnesses' committed heads: per agent, the highest seq that a witness's log fixes, directly
 * or through the references of entries it fixes (a reference names an entry by its hash, which fixes the referencing
 * entry's own references in turn). -1: none. Each reference is read once (an agent's references are in the order of
 * its entries), so the walk is linear in references plus agents.
 */
function witnessedPast(agents: AgentData[], refs: Refs, seeds: number[]): Float64Array {
  const reached = new Float64Array(agents.length).fill(-1)
  const next = Int32Array.from(agents, (a) => a.refStart)
  const queue: number[] = []
  for (const w of seeds) (reached[w] = agents[w]!.committedSeq), queue.push(w)
  while (queue.length) {
    const a = queue.pop()!
    const end = agents[a]!.refEnd
    while (next[a]! < end && refs.from[next[a]!]! <= reached[a]!) {
      const i = next[a]!++
      const to = refs.target[i]!
      if (refs.ok[i] && refs.toSeq[i]! > reached[to]!) (reached[to] = refs.toSeq[i]!), queue.push(to)
    }
  }
  return reached
}

/**
 * fleet-witness: per agent, the entries after its pinned prefix that are older than `within` at `now` (times are
 * monotone in a log that passes time-order, so they are the first entries after the prefix). The pinned prefix is
 * what another agent's reference fixes or, with named witnesses, what their logs fix (a witness's own: any other
 * agent's reference). Returns the caveats: the unpinned tails left inside the bound, and without named witnesses
 * that any agent pins. One pass over each agent's unpinned entries.
 */
function witness(agents: AgentData[], refs: Refs, named: {names: string[]; ids: number[]} | null | undefined, now: number, within: number, fail: Fail): string[] {
  const past = named ? witnessedPast(agents, refs, named.ids) : null
  const isWitness = new Set(named?.ids)
  const by = named ? `no reference ${logsOf(named.names)} ${named.names.length === 1 ? 'fixes' : 'fix'}` : 'no other agent\'s reference'
  const tails: string[] = []
  agents.forEach((a, id) => {
    if (!a.data || a.committedSeq < 0) return
    const pinned = past && !isWitness.has(id) ? past[id]! : a.pinned
    if (pinned >= a.committedSeq) return
    const first = pinned + 1
    const times = a.data.times
    let last = pinned
    while (last < a.committedSeq && now - times[last + 1]! > within) last++
    if (last >= first)
      fail('fleet-witness', a.file!, a.data.lines[first]!, first, `"${a.name}" ${last === first ? `entry ${first} is` : `entries ${first}..${last} are`} pinned by ${by}; the oldest is ${seconds(now - times[first]!)} old at ${new Date(now).toISOString()}, more than ${seconds(within)}: its key holder could have rewritten them`)
    if (last < a.committedSeq) tails.push(`${a.name} (last ${a.committedSeq - last})`)
  })
  const caveats = named ? [] : [ANY_PEER]
  if (tails.length === 0) return caveats
  const more = tails.length > TAILS_NAMED ? ` and ${tails.length - TAILS_NAMED} more agents` : ''
  return [`entries dated within the last ${seconds(within)} that are not pinned yet, which their key holders could still rewrite: ${tails.slice(0, TAILS_NAMED).join(', ')}${more}`, ...caveats]
}

/**
 * Kahn-style walk of the happened-before graph: an agent advances through its entries until one references an entry
 * of another agent not yet reached; it then waits on that agent. Entries never reached lie on (or behind) a cycle.
 */
function causality(agents: AgentData[], refs: Refs, fail: Fail): void {
  const n = agents.length
  const done = new Float64Array(n) // entries processed
  const next = new Int32Array(n) // next reference index
  const waiters: number[][] = Array.from({length: n}, () => [])
  const queue: number[] = []
  for (let a = 0; a < n; a++) if (agents[a]!.data) (next[a] = agents[a]!.refStart), queue.push(a)
  while (queue.length) {
    const a = queue.pop()!
    const ag = agents[a]!
    const count = ag.data!.n
    const before = done[a]!
    for (;;) {
      if (next[a]! >= ag.refEnd) {
        done[a] = count
        break
      }
      const i = next[a]!
      const b = refs.target[i]!
      const j = refs.toSeq[i]!
      if (b === a || !agents[b]!.data || j >= agents[b]!.data!.n || done[b]! > j) {
        next[a]!++
        continue
      }
      done[a] = Math.max(done[a]!, refs.from[i]!)
      waiters[b]!.push(a)
      break
    }
    if (done[a]! > before && waiters[a]!.length) {
      for (const w of waiters[a]!) queue.push(w)
      waiters[a] = []
    }
  }
  for (let a = 0; a < n; a++) {
    const ag = agents[a]!
    if (!ag.data || done[a]! >= ag.data.n) continue
    const i = next[a]!
    fail('fleet-causality', ag.file!, refs.line[i]!, refs.from[i]!, `causal cycle: this entry references "${agents[refs.target[i]!]!.name}" seq ${refs.toSeq[i]}, which does not happen before it (a chain of references leads back here)`)
  }
}
