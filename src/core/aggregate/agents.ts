/**
 * `tcp baseline create --per-agent`: one baseline per agent of the observations, each carrying the exact moments
 * of its observations on the tree's grid (baseline.moments), signed as a DSSE baseline envelope and written as
 * DIR/AGENT.dsse.json, the layout tcp aggregate build reads.
 */
import {join} from 'node:path'
import {TcpError} from '../errors.js'
import {createBaseline} from '../baseline/baseline.js'
import {baselineBytes} from '../baseline/baseline.js'
import {BASELINE_PAYLOAD_TYPE, type Baseline} from '../baseline/types.js'
import type {ObservationSet} from '../baseline/observations.js'
import {createEnvelope, encodeEnvelope, type Signer} from '../envelope/dsse.js'
import {writeFileAtomic, assertAbsent} from '../io.js'
import {AGENT_ID_RE, LEAF_SUFFIX} from './source.js'

export interface PerAgentOptions {
  subject: string
  decimals: number
  notAfter?: string | null
  created?: string
}

export function perAgentBaselines(obs: ObservationSet, o: PerAgentOptions): Baseline[] {
  const by = new Map<string, ObservationSet['rows']>()
  obs.rows.forEach((r, i) => {
    if (r.agent === null) throw new TcpError('input', `observations: record ${i + 1} names no agent (--per-agent needs an "agent" on every record)`)
    if (!AGENT_ID_RE.test(r.agent)) throw new TcpError('input', `observations: record ${i + 1}: agent ${JSON.stringify(r.agent)} is not a file-safe id (letters, digits, . _ -, at most 128)`)
    let rows = by.get(r.agent)
    if (!rows) by.set(r.agent, (rows = []))
    rows.push(r)
  })
  if (by.size === 0) throw new TcpError('input', 'observations: no records')
  const created = o.created ?? new Date().toISOString()
  return [...by.keys()].sort().map((agent) => {
    try {
      return createBaseline({features: obs.features, rows: by.get(agent)!}, {subject: `${o.subject}/${agent}`, agent, notAfter: o.notAfter ?? null, created, momentsDecimals: o.decimals})
    } catch (e) {
      if (e instanceof TcpError) throw new TcpError(e.code, `agent ${agent}: ${e.message}`)
      throw e
    }
  })
}

export const signBaseline = (b: Baseline, signer: Signer) => createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes(b), signer)

/** Writes DIR/AGENT.dsse.json for each baseline; without force, refuses before writing anything if one exists. */
export async function writePerAgent(baselines: Baseline[], signer: Signer, dir: string, force = false): Promise<string[]> {
  const paths = baselines.map((b) => join(dir, `${b.agent}${LEAF_SUFFIX}`))
  if (!force) for (const p of paths) await assertAbsent(p, 'signed baseline')
  for (const [i, b] of baselines.entries()) await writeFileAtomic(paths[i]!, encodeEnvelope(signBaseline(b, signer)), {force, what: 'signed baseline'})
  return paths
}
