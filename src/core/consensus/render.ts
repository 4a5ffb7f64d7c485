/** The readable form of a simulation result (what `tcp consensus simulate` prints without --json). */
import type {SimResult} from './simulate.js'

export function renderSimulation(r: SimResult): string[] {
  const lines: string[] = []
  const seed = r.seed
  const o = r.outcome
  const c = r.config
  lines.push(`seed ${seed} (--seed ${seed} reproduces this run)`)
  lines.push(`${c.agents} agents, ${c.byzantineCount} Byzantine (${c.strategy}), quorum ${c.quorum} (q=${c.threshold}), ${c.protocol}`)
  lines.push(`theory: ${r.theory.safe ? 'safe' : 'NOT safe'}, ${r.theory.live ? 'live' : 'NOT live'} (${r.theory.note})`)
  lines.push(`outcome: ${o.safetyViolation ? `SAFETY VIOLATION: honest agents decided ${o.decidedValues.join(' and ')} (${o.conflictingAgents} disagree with the first)` : o.decidedValues.length ? `agreed on ${o.decidedValues[0]}${o.biased ? ' (the attacker\'s value)' : ''}` : 'no decision'}; ${o.honestDecided}/${o.honestAgents} honest decided${o.stalled ? ' -- STALLED' : ` in ${o.roundsToDecide} view(s)`}`)
  if (r.latencyMs) lines.push(`decision latency (simulated): p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`)
  const m = r.messages
  lines.push(`messages: ${m.sent} sent, ${m.delivered} delivered, ${m.droppedLoss} lost, ${m.droppedPartition} cut by the partition; ${m.bytes} bytes`)
  const s = r.signatures
  lines.push(`signatures (${s.mode}): ${s.made} made, ${s.votesChecked} votes and ${s.certificatesChecked} certificates checked (${s.verifyCalls} verifications); rejected: ${Object.entries(s.rejected).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  lines.push(`  ${s.note}`)
  if (s.estimatedCpu) lines.push(`estimated BLS12-381 CPU (modelled, not run; from the per-operation timings recorded by node bench/consensus-crypto.mjs): ${s.estimatedCpu.perReplicaMs} ms per replica, ${s.estimatedCpu.leaderMsPerCertificate} ms per certificate at the leader, ${s.estimatedCpu.fleetCpuSeconds} s for the fleet`)
  if (s.cryptoMs !== undefined)
    lines.push(`time: ${r.run.wallMs} ms wall = ${Number((r.run.wallMs - s.cryptoMs).toFixed(1))} ms simulation + ${s.cryptoMs} ms cryptography (key generation and signing on ${s.workers} worker threads, ${s.pairings} pairing checks on the main thread)`)
  lines.push(`run: ${r.run.events} events in ${r.run.wallMs} ms (${r.run.eventsPerSecond} events/s), ${r.run.simulatedMs} ms simulated`)
  return lines
}
