/**
 * The red-team report as one self-contained SVG: a panel per vector, each with paired bars (without tcp's defence,
 * with it) for attack success, detection rate and baseline distortion, and the verdict against the vector's bounds.
 * Deterministic: built from the report alone (no timings), so the same seed gives the same picture.
 */
import type {PathSummary, RedteamReport, VectorReport} from './engine.js'
import {escapeXml as esc} from '../xml.js'

const PANEL_W = 440
const PANEL_H = 200
const COLS = 2
const TOP = 64
const BAR_X = 150
const BAR_W = 220
const COLORS = {without: '#c62828', with: '#2e7d32', axis: '#999'}
/** Distortion is drawn on a 0 to 0.5 sd scale (clipped, with the value printed). */
const DISTORTION_MAX = 0.5

const pct = (x: number): string => `${(x * 100).toFixed(x === 0 || x === 1 ? 0 : 1)}%`

interface Row {
  label: string
  value: (s: PathSummary) => number | null
  scale: number
  text: (v: number) => string
}

const ROWS: Row[] = [
  {label: 'attack success', value: (s) => s.attackSuccess, scale: 1, text: pct},
  {label: 'detection rate', value: (s) => s.detectionRate, scale: 1, text: pct},
  {label: 'distortion (sd)', value: (s) => s.distortionSd, scale: DISTORTION_MAX, text: (v) => v.toFixed(3)},
]

function panel(v: VectorReport, x0: number, y0: number): string[] {
  const out: string[] = []
  const holds = v.verdict === 'holds'
  out.push(`<rect x="${x0 + 4}" y="${y0 + 4}" width="${PANEL_W - 8}" height="${PANEL_H - 8}" fill="#fafafa" stroke="${holds ? '#2e7d32' : '#c62828'}" stroke-width="2"/>`)
  out.push(`<text x="${x0 + 16}" y="${y0 + 26}" font-size="14" font-weight="bold">${esc(v.title)}</text>`)
  out.push(`<text x="${x0 + PANEL_W - 16}" y="${y0 + 26}" text-anchor="end" font-weight="bold" fill="${holds ? '#2e7d32' : '#c62828'}">${holds ? 'bound holds' : 'bound MISSED'}</text>`)
  out.push(`<text x="${x0 + 16}" y="${y0 + 44}" fill="#555" font-size="11">${esc(`${v.defended.trials} attacked trial(s), FPR ${pct(v.defended.falsePositiveRate)} (stated ${pct(v.statedFpr)})`)}</text>`)
  let y = y0 + 66
  for (const r of ROWS) {
    out.push(`<text x="${x0 + 16}" y="${y + 12}">${esc(r.label)}</text>`)
    for (const [i, s, color] of [[0, v.undefended, COLORS.without], [1, v.defended, COLORS.with]] as const) {
      const val = r.value(s)
      const by = y + i * 14
      out.push(`<rect x="${x0 + BAR_X}" y="${by}" width="${BAR_W}" height="11" fill="#fff" stroke="#ddd"/>`)
      if (val === null) {
        out.push(`<text x="${x0 + BAR_X + 4}" y="${by + 9}" font-size="10" fill="#888">n/a</text>`)
        continue
      }
      const w = Math.max(0, Math.min(1, Math.abs(val) / r.scale)) * BAR_W
      out.push(`<rect x="${x0 + BAR_X}" y="${by}" width="${w.toFixed(1)}" height="11" fill="${color}"/>`)
      out.push(`<text x="${x0 + BAR_X + BAR_W + 6}" y="${by + 9}" font-size="10">${esc(r.text(val))}</text>`)
    }
    y += 40
  }
  return out
}

export function renderRedteamSvg(r: RedteamReport): string {
  const rows = Math.ceil(r.vectors.length / COLS)
  const W = PANEL_W * COLS + 20
  const H = TOP + rows * PANEL_H + 24 + 16 * (r.unclaimed.length + 1)
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(`<text x="14" y="24" font-size="16" font-weight="bold">${esc(`tcp redteam: ${r.agents} agents, seed ${r.seed}${r.quick ? ', quick' : ''}`)}</text>`)
  out.push(
    `<text x="14" y="44" fill="#444">${esc(`attacks resisted with tcp's defences: ${r.resisted.resisted}/${r.resisted.attacks} (${pct(r.resisted.fraction)}, goal ${pct(r.resisted.goal)}); verdict: ${r.verdict}`)}</text>`,
  )
  out.push(`<rect x="${W - 250}" y="12" width="12" height="12" fill="${COLORS.without}"/><text x="${W - 232}" y="22">without the defence</text>`)
  out.push(`<rect x="${W - 250}" y="32" width="12" height="12" fill="${COLORS.with}"/><text x="${W - 232}" y="42">with tcp's defence</text>`)
  r.vectors.forEach((v, i) => out.push(...panel(v, 10 + (i % COLS) * PANEL_W, TOP + Math.floor(i / COLS) * PANEL_H)))
  let y = TOP + rows * PANEL_H + 20
  if (r.unclaimed.length) out.push(`<text x="14" y="${y}" fill="#666" font-size="11">not claimed (run and reported, left out of the verdict):</text>`)
  for (const u of r.unclaimed) {
    y += 16
    out.push(`<text x="24" y="${y}" fill="#666" font-size="11">${esc(`${u.vector}/${u.attack}: ${u.goal}; succeeds ${pct(u.undefendedSuccess)} without, ${pct(u.defendedSuccess)} with the defence`)}</text>`)
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}
