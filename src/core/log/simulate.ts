/**
 * A seeded honest fleet: `agents` agents each append `entries` observations, one a second, in lock step; with
 * probability `messageRate` per step an agent hears from a random other agent and references that agent's last
 * committed entry. Every agent checkpoints every `checkpointEvery` steps. Same seed, same bytes (keys included:
 * they come from the seeded generator, so they are for tests and benchmarks only).
 * Writes AGENT.log files (and a trust directory: one .pub per agent, trust.json naming each key's agent) to `dir`.
 *
 * With `witness`, one more agent of that name is a witness (the recorder): after every `witnessEvery`-th step's
 * checkpoints it appends one entry referencing the last committed entry of every agent (`tcp log append --saw` of
 * every log) and checkpoints it, and every agent references the witness's last committed entry in its next entry
 * (each agent's append carries `--saw` of the witness's log). Each agent's entries are then pinned by the witness's
 * references, and the witness's by the agents' (src/core/log/fleet.ts, fleet-witness). The witness draws nothing
 * from the generator: the agents' logs differ from a fleet without it only by their references to the witness.
 */
import {hash} from 'node:crypto'
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Rng} from '../rng.js'
import {TcpError} from '../errors.js'
import {ed25519} from '../crypto/ed25519.js'
import {encodePublicKeyPem} from '../keys/pem.js'
import {keyIdOf} from '../keys/keyid.js'
import {LogWriter} from './writer.js'
import {assertAgentName, type ClockRef} from './format.js'

export interface FleetSimOptions {
  dir: string
  agents: number
  entries: number
  seed: number
  messageRate?: number
  checkpointEvery?: number
  /** Time of the first entry (ms), default 2026-01-01T00:00:00Z. */
  startMs?: number
  /** Name of a witness agent to add (none by default). */
  witness?: string
  /** The witness appends after every this many steps (default checkpointEvery: it sees only committed entries). */
  witnessEvery?: number
}

export interface SimAgent {
  agent: string
  file: string
  keyId: string
  secretKey: Uint8Array
  publicKey: Uint8Array
}

export interface FleetSim {
  agents: SimAgent[]
  /** The witness (not in `agents`), when one was asked for. */
  witness: SimAgent | null
  trustDir: string
  entries: number
  references: number
  lastTimeMs: number
}

export const simAgentName = (i: number, n: number): string => `agent-${String(i + 1).padStart(String(n).length, '0')}`

export function simulateFleet(o: FleetSimOptions): FleetSim {
  if (!Number.isSafeInteger(o.agents) || o.agents < 1 || o.agents > 100_000) throw new TcpError('usage', `agents: expected 1 to 100000, got ${o.agents}`)
  if (!Number.isSafeInteger(o.entries) || o.entries < 1) throw new TcpError('usage', `entries: expected an integer >= 1, got ${o.entries}`)
  const rng = new Rng(o.seed)
  const rate = o.messageRate ?? 0.05
  const every = o.checkpointEvery ?? 100
  const witnessEvery = o.witnessEvery ?? every
  if (o.witness !== undefined) {
    assertAgentName(o.witness, 'witness')
    if (/^agent-\d+$/.test(o.witness)) throw new TcpError('usage', `witness: ${JSON.stringify(o.witness)} is the form of a simulated agent's name`)
    if (!Number.isSafeInteger(witnessEvery) || witnessEvery < 1) throw new TcpError('usage', `witnessEvery: expected an integer >= 1, got ${witnessEvery}`)
  }
  const start = o.startMs ?? Date.parse('2026-01-01T00:00:00Z')
  const trustDir = join(o.dir, 'trust')
  mkdirSync(trustDir, {recursive: true})
  const agents: SimAgent[] = []
  const writers: LogWriter[] = []
  const groups: string[][] = []
  const committed: Array<ClockRef | null> = []
  const names: Array<{keyId: string; name: string}> = []
  for (let i = 0; i < o.agents; i++) {
    const a = simAgent(o.dir, trustDir, simAgentName(i, o.agents), rng.bytes(32))
    agents.push(a)
    writers.push(new LogWriter(a.agent, a.secretKey, a.keyId))
    groups.push([])
    committed.push(null)
  }
  // The witness's key comes from the seed without drawing from the generator (see the header).
  const witness = o.witness === undefined ? null : simAgent(o.dir, trustDir, o.witness, hash('sha256', `tcp simulate witness ${o.seed}`, 'buffer') as Buffer)
  const witnessWriter = witness && new LogWriter(witness.agent, witness.secretKey, witness.keyId)
  let witnessed: ClockRef | null = null
  let witnessEntries = 0
  for (const a of witness ? [...agents, witness] : agents) names.push({keyId: a.keyId, name: a.agent})
  writeFileSync(join(trustDir, 'trust.json'), JSON.stringify({keys: names}, null, 1) + '\n')
  let references = 0
  let t = start
  for (let step = 0; step < o.entries; step++) {
    t = start + step * 1000
    for (let i = 0; i < o.agents; i++) {
      if (witnessed && writers[i]!.saw(witness!.agent, witnessed)) references++
      if (o.agents > 1 && rng.float() < rate) {
        let j = rng.int(o.agents - 1)
        if (j >= i) j++
        const ref = committed[j]
        if (ref && writers[i]!.saw(agents[j]!.agent, ref)) references++
      }
      const e = writers[i]!.entry({v: Math.round(rng.normal() * 1000) / 1000, n: step}, t + i)
      groups[i]!.push(e.line)
    }
    if ((step + 1) % every === 0 || step === o.entries - 1) {
      for (let i = 0; i < o.agents; i++) {
        const w = writers[i]!
        groups[i]!.push(w.checkpoint(t + i)!)
        appendFileSync(agents[i]!.file, groups[i]!.join('\n') + '\n')
        groups[i] = []
        committed[i] = [w.state.nextSeq - 1, w.state.prev]
      }
    }
    if (witnessWriter && (step + 1) % witnessEvery === 0) {
      let seen = 0
      for (let j = 0; j < o.agents; j++) if (committed[j] && witnessWriter.saw(agents[j]!.agent, committed[j]!)) seen++
      references += seen
      const e = witnessWriter.entry({saw: seen}, t + o.agents)
      appendFileSync(witness!.file, e.line + '\n' + witnessWriter.checkpoint(t + o.agents)! + '\n')
      witnessed = [e.seq, e.hash]
      witnessEntries++
    }
  }
  return {agents, witness, trustDir, entries: o.entries * o.agents + witnessEntries, references, lastTimeMs: t + o.agents}
}

/** An agent's key, its .pub in the trust directory and its (empty) log file. */
function simAgent(dir: string, trustDir: string, agent: string, secretKey: Uint8Array): SimAgent {
  const publicKey = ed25519.getPublicKey(secretKey)
  const file = join(dir, `${agent}.log`)
  writeFileSync(file, '')
  writeFileSync(join(trustDir, `${agent}.pub`), encodePublicKeyPem('ed25519', publicKey))
  return {agent, file, keyId: keyIdOf(publicKey), secretKey, publicKey}
}
