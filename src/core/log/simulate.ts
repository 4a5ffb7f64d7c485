/**
 * A seeded honest fleet: `agents` agents each append `entries` observations, one a second, in lock step; with
 * probability `messageRate` per step an agent hears from a random other agent and references that agent's last
 * committed entry. Every agent checkpoints every `checkpointEvery` steps. Same seed, same bytes (keys included:
 * they come from the seeded generator, so they are for tests and benchmarks only).
 * Writes AGENT.log files (and a trust directory: one .pub per agent, trust.json naming each key's agent) to `dir`.
 */
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Rng} from '../rng.js'
import {TcpError} from '../errors.js'
import {ed25519} from '../crypto/ed25519.js'
import {encodePublicKeyPem} from '../keys/pem.js'
import {keyIdOf} from '../keys/keyid.js'
import {LogWriter} from './writer.js'
import type {ClockRef} from './format.js'

export interface FleetSimOptions {
  dir: string
  agents: number
  entries: number
  seed: number
  messageRate?: number
  checkpointEvery?: number
  /** Time of the first entry (ms), default 2026-01-01T00:00:00Z. */
  startMs?: number
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
  const start = o.startMs ?? Date.parse('2026-01-01T00:00:00Z')
  const trustDir = join(o.dir, 'trust')
  mkdirSync(trustDir, {recursive: true})
  const agents: SimAgent[] = []
  const writers: LogWriter[] = []
  const groups: string[][] = []
  const committed: Array<ClockRef | null> = []
  const names: Array<{keyId: string; name: string}> = []
  for (let i = 0; i < o.agents; i++) {
    const agent = simAgentName(i, o.agents)
    const secretKey = rng.bytes(32)
    const publicKey = ed25519.getPublicKey(secretKey)
    const keyId = keyIdOf(publicKey)
    const file = join(o.dir, `${agent}.log`)
    writeFileSync(file, '')
    writeFileSync(join(trustDir, `${agent}.pub`), encodePublicKeyPem('ed25519', publicKey))
    names.push({keyId, name: agent})
    agents.push({agent, file, keyId, secretKey, publicKey})
    writers.push(new LogWriter(agent, secretKey, keyId))
    groups.push([])
    committed.push(null)
  }
  writeFileSync(join(trustDir, 'trust.json'), JSON.stringify({keys: names}, null, 1) + '\n')
  let references = 0
  let t = start
  for (let step = 0; step < o.entries; step++) {
    t = start + step * 1000
    for (let i = 0; i < o.agents; i++) {
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
  }
  return {agents, trustDir, entries: o.entries * o.agents, references, lastTimeMs: t + o.agents}
}
