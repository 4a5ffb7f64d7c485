/** Readable forms of a red-team report: the text table the command prints and the Markdown table SECURITY.md carries. */
import type {PathSummary, RedteamReport} from './engine.js'

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
const ttd = (s: PathSummary): string => (s.timeToDetection ? `${s.timeToDetection.median}` : '-')
const dist = (s: PathSummary): string => (s.distortionSd === null ? '-' : s.distortionSd.toFixed(3))

export function renderRedteamText(r: RedteamReport): string[] {
  const lines: string[] = []
  for (const v of r.vectors) {
    lines.push(`${v.name}: ${v.verdict === 'holds' ? 'bound holds' : 'BOUND MISSED'}`)
    lines.push(`  without: ${v.undefendedPath}`)
    lines.push(`  with:    ${v.defendedPath}`)
    lines.push('  attack               path       success  detected  FPR     time-to-detect  distortion(sd)')
    for (const a of v.attacks)
      for (const [label, s] of [['without', a.undefended], ['with', a.defended]] as const)
        lines.push(
          `  ${(label === 'without' ? a.name + (a.claimed ? '' : ' (*)') : '').padEnd(20)} ${label.padEnd(10)} ${pct(s.attackSuccess).padStart(7)}  ${pct(s.detectionRate).padStart(8)}  ${pct(s.falsePositiveRate).padStart(6)}  ${ttd(s).padStart(14)}  ${dist(s).padStart(14)}`,
        )
    for (const c of v.checks) lines.push(`  ${c.ok ? 'ok  ' : 'MISS'} ${c.name} (measured ${c.value ?? 'n/a'}): ${c.source}`)
  }
  for (const u of r.unclaimed)
    lines.push(`(*) ${u.vector}/${u.attack} is not claimed: ${u.goal}; succeeds ${pct(u.undefendedSuccess)} without and ${pct(u.defendedSuccess)} with the defence`)
  lines.push(`attacks resisted with tcp's defences: ${r.resisted.resisted}/${r.resisted.attacks} = ${pct(r.resisted.fraction)} (goal ${pct(r.resisted.goal)}): ${r.verdict === 'holds' ? 'holds' : 'MISSED'}`)
  return lines
}

/** The resistance table of SECURITY.md (scripts/security-table.mjs writes it from `tcp redteam run --json`). */
export function renderResistanceTable(r: RedteamReport, command: string): string {
  const out: string[] = []
  out.push(`Measured by \`${command}\` (${r.agents} agents, seed ${r.seed}${r.quick ? ', quick' : ''}).`)
  out.push('')
  out.push('| vector | attack | success without | success with | detected with | FPR with (stated) | time to detect | distortion without / with (sd) | resisted with |')
  out.push('|---|---|---|---|---|---|---|---|---|')
  for (const v of r.vectors)
    for (const a of v.attacks)
      out.push(
        `| ${v.name} | ${a.name}${a.claimed ? '' : ' (not claimed)'} | ${pct(a.undefended.attackSuccess)} | ${pct(a.defended.attackSuccess)} | ${pct(a.defended.detectionRate)} | ${pct(a.defended.falsePositiveRate)} (${pct(v.statedFpr)}) | ${a.defended.timeToDetection ? `${a.defended.timeToDetection.median} ${v.timeUnit}` : '-'} | ${dist(a.undefended)} / ${dist(a.defended)} | ${a.claimed ? `${a.defended.resisted}/${a.defended.trials}` : 'not counted'} |`,
      )
  out.push('')
  // The verdict is the vector's (its bounds are on the claimed attacks together): say which checks missed.
  for (const v of r.vectors) {
    const missed = v.checks.filter((c) => !c.ok).map((c) => `${c.name} (measured ${c.value ?? 'n/a'})`)
    out.push(`- ${v.name}: **${v.verdict}**${missed.length ? `: ${missed.join('; ')}` : ''}`)
  }
  out.push('')
  out.push(`Attacks resisted with tcp's defences: **${r.resisted.resisted}/${r.resisted.attacks} = ${pct(r.resisted.fraction)}** (goal ${pct(r.resisted.goal)}); verdict: **${r.verdict}**.`)
  return out.join('\n')
}
