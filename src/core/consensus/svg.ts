/**
 * The sweep's picture as a self-contained SVG (no dependency): Byzantine fraction f on x, quorum threshold q on y,
 * one coloured cell per simulated (q, f), the theory lines q = (1 + f) / 2 (safety bound) and q = 1 - f (liveness
 * bound), and the claim under test as a marked point with its verdict.
 */
import type {SweepCell, SweepResult} from './sweep.js'
import {escapeXml as esc} from '../xml.js'

const W = 920
const H = 560
const M = {left: 70, right: 290, top: 60, bottom: 60}
const COLORS = {safeLive: '#2e7d32', stalled: '#f9a825', unsafe: '#c62828', both: '#6a1b9a'}

const fmt = (x: number): string => Number(x.toFixed(2)).toString()

function colorOf(c: SweepCell): string {
  return c.safe ? (c.live ? COLORS.safeLive : COLORS.stalled) : c.live ? COLORS.unsafe : COLORS.both
}

export function renderSvg(r: SweepResult): string {
  const fs = r.fractions
  const qs = r.thresholds
  const fStep = fs.length > 1 ? Math.min(...fs.slice(1).map((f, i) => f - fs[i]!)) : 0.05
  const fMin = Math.min(0, fs[0]! - fStep / 2)
  const fMax = Math.max(...fs, r.claim.byzantine) + fStep / 2
  const qMin = Math.min(0.5, ...qs) - 0.02
  const qMax = 1.0
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom
  const x = (f: number): number => M.left + ((f - fMin) / (fMax - fMin)) * pw
  const y = (q: number): number => M.top + (1 - (q - qMin) / (qMax - qMin)) * ph
  const cellW = Math.max(2, x(fStep) - x(0) - 2)
  const cellH = Math.min(26, (ph / (qMax - qMin)) * 0.04)
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(
    `<text x="${M.left}" y="24" font-size="16" font-weight="bold">${esc(`Quorum threshold vs Byzantine fraction: ${r.agents} agents, ${r.runs} run(s) per cell and strategy`)}</text>`,
  )
  out.push(`<text x="${M.left}" y="42" fill="#444">${esc(`strategies: ${r.strategies.join(', ')}; seed ${r.seed}; signatures: ${r.crypto}`)}</text>`)
  // Axes and grid.
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`)
  for (let f = 0; f <= fMax + 1e-9; f += 0.1) {
    out.push(`<line x1="${x(f)}" y1="${M.top}" x2="${x(f)}" y2="${M.top + ph}" stroke="#eee"/>`)
    out.push(`<text x="${x(f)}" y="${M.top + ph + 16}" text-anchor="middle">${fmt(f)}</text>`)
  }
  for (let q = Math.ceil(qMin * 10) / 10; q <= qMax + 1e-9; q += 0.1) {
    out.push(`<line x1="${M.left}" y1="${y(q)}" x2="${M.left + pw}" y2="${y(q)}" stroke="#eee"/>`)
    out.push(`<text x="${M.left - 8}" y="${y(q) + 4}" text-anchor="end">${fmt(q)}</text>`)
  }
  out.push(`<text x="${M.left + pw / 2}" y="${H - 18}" text-anchor="middle">Byzantine fraction f</text>`)
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">quorum threshold q</text>`)
  // Cells.
  for (const c of r.cells) {
    const differs = c.safe !== c.theorySafe || c.live !== c.theoryLive
    out.push(
      `<rect x="${(x(c.byzantine) - cellW / 2).toFixed(1)}" y="${(y(c.threshold) - cellH / 2).toFixed(1)}" width="${cellW.toFixed(1)}" height="${cellH.toFixed(1)}" fill="${colorOf(c)}"${differs ? ' stroke="#000" stroke-width="2"' : ''}><title>${esc(`q=${c.threshold} f=${c.byzantine} (${c.byzantineCount} of ${r.agents}, quorum ${c.quorum}): ${c.violations}/${c.runs} violated, ${c.stalls}/${c.runs} stalled; theory ${c.theorySafe ? 'safe' : 'unsafe'}, ${c.theoryLive ? 'live' : 'not live'}`)}</title></rect>`,
    )
  }
  // Theory lines, clipped to the plot.
  const line = (f0: number, q0: number, f1: number, q1: number, color: string, dash: string): string =>
    `<line x1="${x(f0).toFixed(1)}" y1="${y(q0).toFixed(1)}" x2="${x(f1).toFixed(1)}" y2="${y(q1).toFixed(1)}" stroke="${color}" stroke-width="2.5" stroke-dasharray="${dash}"/>`
  const fA = Math.max(fMin, 2 * qMin - 1)
  const fB = Math.min(fMax, 1)
  out.push(line(fA, (1 + fA) / 2, fB, Math.min(qMax, (1 + fB) / 2), '#1565c0', '8 4'))
  const fC = Math.max(fMin, 1 - qMax)
  const fD = Math.min(fMax, 1 - qMin)
  out.push(line(fC, 1 - fC, fD, 1 - fD, '#111', '3 3'))
  // The claim.
  const cx = x(r.claim.byzantine)
  const cy = y(r.claim.threshold)
  out.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="9" fill="none" stroke="#000" stroke-width="2.5"/>`)
  out.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${colorOf(r.claim)}" stroke="#000"/>`)
  // Legend.
  const lx = W - M.right + 16
  let ly = M.top + 6
  const legend = (color: string, text: string): void => {
    out.push(`<rect x="${lx}" y="${ly - 10}" width="14" height="14" fill="${color}"/><text x="${lx + 20}" y="${ly + 1}">${esc(text)}</text>`)
    ly += 20
  }
  legend(COLORS.safeLive, 'safe and live')
  legend(COLORS.stalled, 'safe, stalled')
  legend(COLORS.unsafe, 'safety violated')
  legend(COLORS.both, 'violated and stalled')
  out.push(`<rect x="${lx}" y="${ly - 10}" width="14" height="14" fill="#fff" stroke="#000" stroke-width="2"/><text x="${lx + 20}" y="${ly + 1}">differs from theory</text>`)
  ly += 26
  out.push(`<line x1="${lx}" y1="${ly - 3}" x2="${lx + 30}" y2="${ly - 3}" stroke="#1565c0" stroke-width="2.5" stroke-dasharray="8 4"/><text x="${lx + 36}" y="${ly + 1}">safe iff f &lt; 2q - 1</text>`)
  ly += 20
  out.push(`<line x1="${lx}" y1="${ly - 3}" x2="${lx + 30}" y2="${ly - 3}" stroke="#111" stroke-width="2.5" stroke-dasharray="3 3"/><text x="${lx + 36}" y="${ly + 1}">live iff f &lt;= 1 - q</text>`)
  ly += 20
  out.push(`<text x="${lx}" y="${ly + 1}">(above the blue line: safe;</text>`)
  ly += 16
  out.push(`<text x="${lx}" y="${ly + 1}">below the black line: live)</text>`)
  ly += 30
  out.push(`<circle cx="${lx + 7}" cy="${ly - 4}" r="7" fill="none" stroke="#000" stroke-width="2.5"/><text x="${lx + 20}" y="${ly + 1}" font-weight="bold">the claim:</text>`)
  ly += 18
  for (const s of [r.claim.statement, `safety ${r.claim.safe ? 'holds' : 'FAILS'} (${r.claim.violations}/${r.claim.runs} violated)`, `liveness ${r.claim.live ? 'holds' : 'FAILS'} (${r.claim.stalls}/${r.claim.runs} stalled)`]) {
    out.push(`<text x="${lx}" y="${ly + 1}">${esc(s)}</text>`)
    ly += 16
  }
  out.push(`<text x="${M.left}" y="${H - 4}" fill="#666" font-size="10">${esc(`agreement with theory: safety ${r.agreement.safe}/${r.agreement.cells} cells, liveness ${r.agreement.live}/${r.agreement.cells} cells`)}</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}
