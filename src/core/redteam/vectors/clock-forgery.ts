/**
 * Vector-clock forgery (THREATS.md vector 4), on a seeded fleet of signed logs (src/core/log/simulate.ts). One agent
 * is the attacker; with its own key it rewrites its log (re-chained, checkpoints re-signed), or, without any key, a
 * man in the middle edits a log in transit:
 *   raised-clock    a clock component raised beyond what the referenced agent ever signed   (key holder)
 *   wrong-hash      a component naming a real sequence number with a wrong hash              (key holder)
 *   regressed-clock a component lowered after a higher one                                   (key holder)
 *   back-dated      an entry dated before the one it follows                                 (key holder)
 *   time-travel     an early entry claims to have seen another agent's later approval        (key holder)
 *   dropped-link    every component naming an agent it heard from removed, the log re-signed (key holder)
 *   rewritten-history an early entry's observation changed, the log re-chained and re-signed (key holder)
 *   reordered       two events swapped, sequence numbers kept in order                       (no key)
 *   replayed        an old event re-sent as a new entry, renumbered and re-chained           (no key)
 *   stale-head      the log cut back to an old checkpoint and presented as current           (no key)
 * The fleet has a witness (RECORDER): after every checkpoint round it appends an entry referencing every agent's
 * last committed entry, and every agent references the witness's in its next entry (simulate.ts).
 * Undefended: unsigned vector clocks, read the usual way (JSON lines, sequence numbers increasing per agent,
 * components merged by maximum; no signature, chain, time or freshness check). Defended: tcp's fleet verification
 * of the logs (src/core/log/fleet.ts verifyFleet: per-log chain, sequence, times, clocks, signatures, freshness;
 * across logs, references, times, causality, and every entry older than WITNESSED_WITHIN_MS fixed by the recorder's
 * log, the witness named as such: `--witness recorder`).
 */
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {trustFromDirectory} from '../../envelope/trust.js'
import type {TrustStore} from '../../envelope/trust.js'
import {ENTRY_DOMAIN, encodeLine, formatLogTime, logTimeMs, type LogCheckpoint, type LogEntry} from '../../log/format.js'
import {simulateFleet, type FleetSim} from '../../log/simulate.js'
import {resignLog} from '../../log/forge.js'
import {verifyFleet} from '../../log/fleet.js'
import type {Rng} from '../../rng.js'
import type {AttackSpec, PathOutcome, TrialContext, Vector} from '../types.js'

/** Logs per fleet: forgery is judged per log and per reference, so the outcome does not depend on fleet size. */
export const LOG_AGENTS = 12
const CHECKPOINT_EVERY = 10
const FRESH_WITHIN_MS = 15_000
const MAX_SKEW_MS = 2000
/** The witness agent of the simulated fleet; it appends after every checkpoint round. */
export const RECORDER = 'recorder'
/**
 * The witness bound, from the simulated cadence (one entry a second): an honest entry waits at most
 * CHECKPOINT_EVERY s for its checkpoint, then at most one witness period (CHECKPOINT_EVERY s again) for the witness's
 * reference; the witness's own entry waits at most CHECKPOINT_EVERY s for the agents' next append; plus the skew.
 * A tighter bound would hold in this lock-step simulation only because verification comes right after a witness
 * round; this one holds at any verification time in a live fleet with this cadence.
 */
export const WITNESSED_WITHIN_MS = 2 * CHECKPOINT_EVERY * 1000 + MAX_SKEW_MS

type Name = 'raised-clock' | 'wrong-hash' | 'regressed-clock' | 'back-dated' | 'time-travel' | 'dropped-link' | 'rewritten-history' | 'reordered' | 'replayed' | 'stale-head'

const attacks = [
  {name: 'raised-clock', goal: 'an entry claims to have seen an entry the other agent never signed', claimed: true},
  {name: 'wrong-hash', goal: 'a clock component names a real sequence number with a different hash', claimed: true},
  {name: 'regressed-clock', goal: 'a clock component goes back (hides a causal link)', claimed: true},
  {name: 'back-dated', goal: 'an entry is dated before the entry it follows', claimed: true},
  {name: 'time-travel', goal: 'an early entry claims to follow another agent\'s later approval', claimed: true},
  {name: 'dropped-link', goal: 'every clock component naming an agent it heard from removed (the causal link hidden, no component ever goes back)', claimed: true},
  {name: 'rewritten-history', goal: 'an early entry\'s observation changed and the whole log re-chained and re-signed by its own key', claimed: true},
  {name: 'reordered', goal: 'two events are swapped in transit, sequence numbers kept in order', claimed: true},
  {name: 'replayed', goal: 'an old event is re-sent as a new entry in transit', claimed: true},
  {name: 'stale-head', goal: 'a log cut back to an old checkpoint is accepted as current', claimed: true},
] as const satisfies readonly AttackSpec[]

interface World {
  root: string
  honestDir: string
  attackedDir: string
  trust: TrustStore
  now: number
}

type Line = {kind: 'entry'; e: LogEntry} | {kind: 'checkpoint'; c: LogCheckpoint}

function readLines(file: string): Line[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const o = JSON.parse(l) as LogEntry | LogCheckpoint
      return o.type === 'tcp.log/v1' ? {kind: 'entry', e: o as LogEntry} : {kind: 'checkpoint', c: o as LogCheckpoint}
    })
}

const entryHash = (line: string): string => createHash('sha3-256').update(ENTRY_DOMAIN).update(line, 'utf8').digest('hex')

/** Entries of a log with their hashes (as the verifier computes them). */
function entriesOf(file: string): Array<{e: LogEntry; hash: string}> {
  return readLines(file).flatMap((l) => (l.kind === 'entry' ? [{e: l.e, hash: entryHash(encodeLine(l.e))}] : []))
}

/** The key holder's rewrite: every entry re-chained, every checkpoint re-pointed and re-signed. */
const resign = (lines: Line[], secretKey: Uint8Array): string => resignLog(lines.map((l) => (l.kind === 'entry' ? l.e : l.c)), secretKey)

/** The man in the middle's edit: lines re-encoded as they are (he has no key), entries re-chained where he can. */
function rechainNoKey(lines: Line[]): string {
  let prev = '0'.repeat(64)
  const out: string[] = []
  for (const l of lines) {
    if (l.kind === 'entry') {
      const line = encodeLine({...l.e, prev})
      prev = entryHash(line)
      out.push(line)
    } else out.push(encodeLine(l.c))
  }
  return out.join('\n') + '\n'
}

const lastEntry = (lines: Line[]): LogEntry => (lines.filter((l) => l.kind === 'entry').at(-1) as {e: LogEntry}).e

function forge(name: Name, sim: FleetSim, attacker: number, victim: number, rng: Rng): string {
  const me = sim.agents[attacker]!
  const other = sim.agents[victim]!
  const lines = readLines(me.file)
  const theirs = entriesOf(other.file)
  const entries = lines.flatMap((l) => (l.kind === 'entry' ? [l.e] : []))
  const last = lastEntry(lines)
  const top = theirs.at(-1)!
  switch (name) {
    case 'raised-clock':
      last.clock = {...last.clock, [other.agent]: [top.e.seq + 5, top.hash]}
      return resign(lines, me.secretKey)
    case 'wrong-hash': {
      const h = top.hash.split('')
      const k = rng.int(64)
      h[k] = h[k] === '0' ? '1' : '0'
      last.clock = {...last.clock, [other.agent]: [top.e.seq, h.join('')]}
      return resign(lines, me.secretKey)
    }
    case 'regressed-clock': {
      const before = entries.at(-2)!
      const lower = theirs[Math.max(0, top.e.seq - 1 - rng.int(Math.min(5, top.e.seq)))]!
      before.clock = {...before.clock, [other.agent]: [top.e.seq, top.hash]}
      last.clock = {...last.clock, [other.agent]: [lower.e.seq, lower.hash]}
      return resign(lines, me.secretKey)
    }
    case 'back-dated':
      last.time = formatLogTime(logTimeMs(entries.at(-2)!.time) - 10_000)
      return resign(lines, me.secretKey)
    case 'time-travel': {
      // Entry k claims to have seen the other agent's entry 10 steps later; every later entry keeps that component
      // (so no component goes back: only the times and the causal order betray it).
      const k = 2 + rng.int(5)
      const later = theirs[Math.min(theirs.length - 1, k + 10)]!
      entries[k]!.clock = {...entries[k]!.clock, [other.agent]: [later.e.seq, later.hash]}
      for (const e of entries.slice(k + 1)) if ((e.clock[other.agent]?.[0] ?? Infinity) <= later.e.seq) delete e.clock[other.agent]
      return resign(lines, me.secretKey)
    }
    case 'dropped-link': {
      // The link must exist: dropping an agent the attacker never heard from would leave its log unchanged, no
      // attack at all. The drawn victim when it was heard from, else one drawn from those that were.
      const heard = [...new Set(entries.flatMap((e) => Object.keys(e.clock)))].filter((a) => a !== RECORDER).sort()
      const drop = heard.includes(other.agent) || heard.length === 0 ? other.agent : heard[rng.int(heard.length)]!
      for (const e of entries) delete e.clock[drop]
      return resign(lines, me.secretKey)
    }
    case 'rewritten-history': {
      const e = entries[1 + rng.int(3)]!
      e.obs = Object.fromEntries(Object.entries(e.obs).map(([k, v]) => [k, v + 1000]))
      return resign(lines, me.secretKey)
    }
    case 'reordered': {
      const k = 1 + rng.int(entries.length - 3)
      const a = entries[k]!, b = entries[k + 1]!
      ;[a.obs, b.obs] = [b.obs, a.obs]
      ;[a.clock, b.clock] = [b.clock, a.clock]
      return rechainNoKey(lines)
    }
    case 'replayed': {
      const old = entries[rng.int(entries.length - 1)]!
      const idx = lines.findLastIndex((l) => l.kind === 'entry')
      lines.splice(idx + 1, 0, {kind: 'entry', e: {...old, seq: last.seq + 1, time: formatLogTime(logTimeMs(last.time) + 1), clock: {}}})
      return rechainNoKey(lines)
    }
    case 'stale-head': {
      const first = lines.findIndex((l) => l.kind === 'checkpoint')
      return lines.slice(0, first + 1).map((l) => encodeLine(l.kind === 'entry' ? l.e : l.c)).join('\n') + '\n'
    }
  }
}

/**
 * The undefended reader of unsigned vector clocks: every line JSON, entries kept when their sequence number
 * increases (duplicates dropped), clock components merged by maximum. It rejects only what it cannot parse or order.
 */
export function unsignedClocksAccept(dir: string): boolean {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    let seq = -1
    const clock = new Map<string, number>()
    for (const text of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!text) continue
      let o: {type?: string; seq?: unknown; clock?: Record<string, [number, string]>}
      try {
        o = JSON.parse(text)
      } catch {
        return false
      }
      if (o.type !== 'tcp.log/v1') continue
      if (typeof o.seq !== 'number' || o.seq <= seq) continue
      seq = o.seq
      for (const [a, r] of Object.entries(o.clock ?? {})) clock.set(a, Math.max(clock.get(a) ?? -1, Number(r[0])))
    }
    if (seq < 0) return false
  }
  return true
}

function defendedVerify(dir: string, w: World): boolean {
  return verifyFleet(dir, {trust: w.trust, now: w.now, maxSkewMs: MAX_SKEW_MS, freshWithinMs: FRESH_WITHIN_MS, witnessedWithinMs: WITNESSED_WITHIN_MS, witnesses: [RECORDER]}).ok
}

export const clockForgery: Vector<World> = {
  name: 'clock-forgery',
  title: 'Vector-clock forgery',
  threat: 'Clock entries edited to hide a causal link, to make a malicious event look as if it followed an approval, or to pass stale data off as fresh; by an agent with its own key, or in transit without one.',
  undefendedPath: 'unsigned vector clocks: JSON lines, sequence numbers increasing per agent, components merged by maximum; no signature, chain, time or freshness check',
  defendedPath: `tcp's fleet verification of signed logs with a witness agent (verifyFleet: chain, sequence, times, clocks, checkpoint signatures, freshness within ${FRESH_WITHIN_MS / 1000} s, references, causality, every entry older than ${WITNESSED_WITHIN_MS / 1000} s fixed by the witness's log)`,
  statedFpr: 0,
  timeUnit: 'verifications after the forgery',
  attacks,
  trials: (quick) => (quick ? 3 : 8),
  async world(ctx: TrialContext, attack: AttackSpec): Promise<World> {
    const root = mkdtempSync(join(tmpdir(), 'tcp-redteam-'))
    const honestDir = join(root, 'honest')
    const sim = simulateFleet({dir: honestDir, agents: LOG_AGENTS, entries: ctx.quick ? 30 : 60, seed: ctx.seed, messageRate: 0.3, checkpointEvery: CHECKPOINT_EVERY, witness: RECORDER})
    const attacker = ctx.rng.int(LOG_AGENTS)
    const victim = (attacker + 1 + ctx.rng.int(LOG_AGENTS - 1)) % LOG_AGENTS
    const attackedDir = join(root, 'attacked')
    cpSync(honestDir, attackedDir, {recursive: true})
    writeFileSync(join(attackedDir, `${sim.agents[attacker]!.agent}.log`), forge(attack.name as Name, sim, attacker, victim, ctx.rng))
    return {root, honestDir, attackedDir, trust: await trustFromDirectory(sim.trustDir), now: sim.lastTimeMs + 1000}
  },
  undefended(w): PathOutcome {
    const accepted = unsignedClocksAccept(w.attackedDir)
    const honestOk = unsignedClocksAccept(w.honestDir)
    return {success: accepted, detected: accepted ? 0 : 1, attackers: 1, falsePositives: honestOk ? 0 : 1, honest: 1, timeToDetection: accepted ? null : 0, distortionSd: null}
  },
  defended(w): PathOutcome {
    const accepted = defendedVerify(w.attackedDir, w)
    const honestOk = defendedVerify(w.honestDir, w)
    return {success: accepted, detected: accepted ? 0 : 1, attackers: 1, falsePositives: honestOk ? 0 : 1, honest: 1, timeToDetection: accepted ? null : 0, distortionSd: null}
  },
  dispose(w) {
    rmSync(w.root, {recursive: true, force: true})
  },
  bounds: [
    {metric: 'detectionRate', op: '>=', value: 1, source: 'THREATS.md: a forged clock always detected'},
    {metric: 'falsePositiveRate', op: '<=', value: 0, source: 'an honest fleet of signed logs always verifies'},
    {metric: 'resistedFraction', op: '>=', value: 1, source: 'THREATS.md: a forged clock always detected'},
  ],
  defenceCode: ['src/core/log/fleet.ts verifyFleet (with src/core/log/verify.ts per log; fleet-witness)', 'src/core/log/simulate.ts (the witness agent)'],
}
