/**
 * The readable forms of a DetectReport: text lines for the terminal and an SVG timeline (the fleet-mean series of
 * each feature on top, one row per named agent below, from its onset on, with the fleet-shift onset and the
 * coordinated windows marked). Both are built from the report alone, so the --json document reproduces them.
 */
import type {DetectReport} from './engine.js'
import {escapeXml as esc} from '../xml.js'

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22']
const MAX_ROWS = 40

export function renderText(r: DetectReport): string[] {
  const out: string[] = []
  out.push(`${r.agents.toLocaleString('en-US')} agents x ${r.observations} observations, ${r.features.length} features; reference: ${r.reference.from}`)
  out.push(`false-positive rate on an honest fleet: ${r.fpr.run} for the run, ${r.fpr.perDetector} per detector`)
  for (const [name, d] of Object.entries(r.detectors)) out.push(`  ${name.padEnd(18)} ${d.skipped ? `skipped: ${d.skipped}` : `${d.findings} finding(s); FPR ${d.rate.toPrecision(2)} (${d.how})`}`)
  if (r.findings.length === 0) {
    out.push('no findings')
    return out
  }
  for (const f of r.findings) {
    out.push(`FINDING ${f.detector}: ${f.summary}`)
    if (f.detector === 'drift') {
      for (const a of f.agents.slice(0, 20)) {
        const zs = Object.entries(a.z).filter(([, z]) => Math.abs(z) >= 2).map(([k, z]) => `${k} ${z > 0 ? '+' : ''}${z}`)
        out.push(`  ${a.agent} from ${a.onsetTime ?? `observation ${a.onset}`} (p = ${a.p}): ${zs.join(', ') || 'several small changes'}`)
      }
      if (f.agents.length > 20) out.push(`  ... and ${f.agents.length - 20} more (--json lists them all)`)
    } else if (f.detector === 'fleet-shift') {
      out.push(`  onset ${f.onsetTime ?? `observation ${f.onset}`}; no single agent can be named; largest contributors: ${f.topContributors.slice(0, 5).map((c) => `${c.agent} (${c.deltaSd} sd)`).join(', ')}`)
    } else if (f.detector === 'coordinated-onset') {
      out.push(`  window ${f.fromTime ?? f.from} .. ${f.toTime ?? f.to}; members: ${f.members.slice(0, 12).join(', ')}${f.members.length > 12 ? `, ... (${f.members.length})` : ''}`)
    } else {
      out.push(`  members: ${f.members.slice(0, 12).join(', ')}${f.members.length > 12 ? `, ... (${f.members.length})` : ''}; largest distance ${f.maxDistance} bits`)
    }
  }
  out.push(`findings: ${r.findings.length}; agents named: ${r.flaggedAgents.length}`)
  return out
}


export function renderSvg(r: DetectReport): string {
  const W = 960
  const left = 150
  const right = 20
  const top = 40
  const plotH = 200
  const rowH = 12
  const rows: Array<{agent: string; from: number; color: string; why: string}> = []
  const seen = new Set<string>()
  const add = (agent: string, from: number, color: string, why: string) => {
    if (seen.has(agent) || rows.length >= MAX_ROWS) return
    seen.add(agent)
    rows.push({agent, from, color, why})
  }
  for (const f of r.findings) {
    if (f.detector === 'drift') for (const a of f.agents) add(a.agent, a.onset, '#d62728', 'drift')
    else if (f.detector === 'coordinated-onset') for (const a of f.members) add(a, f.from, '#ff7f0e', 'coordinated')
    else if (f.detector === 'clones') for (const a of f.members) add(a, 0, '#9467bd', 'clone')
  }
  const T = r.observations
  const x = (t: number) => left + ((W - left - right) * t) / Math.max(1, T - 1)
  let lo = Infinity
  let hi = -Infinity
  for (const s of Object.values(r.fleetMean)) for (const v of s) (lo = Math.min(lo, v)), (hi = Math.max(hi, v))
  if (!(hi > lo)) (lo -= 1), (hi += 1)
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH
  const H = top + plotH + 40 + rows.length * rowH + 30
  const o: string[] = []
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`)
  o.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  o.push(`<text x="${left}" y="18" font-size="13">tcp detect: ${r.agents.toLocaleString('en-US')} agents x ${r.observations} observations, ${r.findings.length} finding(s)</text>`)
  o.push(`<text x="8" y="${top + 10}">fleet mean (sd)</text>`)
  o.push(`<rect x="${left}" y="${top}" width="${W - left - right}" height="${plotH}" fill="none" stroke="#999"/>`)
  if (lo < 0 && hi > 0) o.push(`<line x1="${left}" x2="${W - right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#ccc"/>`)
  o.push(`<text x="${left - 4}" y="${top + 10}" text-anchor="end">${hi.toFixed(3)}</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end">${lo.toFixed(3)}</text>`)
  for (const f of r.findings) {
    if (f.detector === 'coordinated-onset')
      o.push(`<rect x="${x(f.from).toFixed(1)}" y="${top}" width="${(x(f.to) - x(f.from)).toFixed(1)}" height="${H - top - 30}" fill="#ff7f0e" opacity="0.12"><title>coordinated onset: ${f.observed} agents</title></rect>`)
    if (f.detector === 'fleet-shift')
      o.push(`<line x1="${x(f.onset).toFixed(1)}" x2="${x(f.onset).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#000" stroke-dasharray="4 3"><title>fleet shift of ${esc(f.feature)} (z = ${f.z})</title></line>`)
  }
  Object.entries(r.fleetMean).forEach(([name, s], k) => {
    const pts = s.map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
    o.push(`<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1" points="${pts}"><title>${esc(name)}</title></polyline>`)
    o.push(`<text x="${left + 8 + 150 * k}" y="${top + plotH + 14}" fill="${COLORS[k % COLORS.length]}">${esc(name)}</text>`)
  })
  const ry = top + plotH + 30
  o.push(`<text x="8" y="${ry}">named agents${rows.length < r.flaggedAgents.length ? ` (first ${rows.length} of ${r.flaggedAgents.length})` : ''}</text>`)
  rows.forEach((row, k) => {
    const yy = ry + 6 + k * rowH
    o.push(`<text x="${left - 4}" y="${yy + 9}" text-anchor="end">${esc(row.agent)}</text>`)
    o.push(`<rect x="${x(row.from).toFixed(1)}" y="${yy}" width="${(x(T - 1) - x(row.from)).toFixed(1)}" height="${rowH - 3}" fill="${row.color}"><title>${esc(row.agent)}: ${row.why} from observation ${row.from}</title></rect>`)
  })
  o.push(`<text x="${left}" y="${H - 10}">${esc(r.times.first ?? 'observation 0')}</text><text x="${W - right}" y="${H - 10}" text-anchor="end">${esc(r.times.last ?? `observation ${T - 1}`)}</text>`)
  o.push('</svg>')
  return o.join('\n') + '\n'
}
