// docs/figures.md is the one page of figures: every command it names to reproduce a figure must run something real
// (a tcp command with its flags, an npm script, a bench script with its options), every benchmark script must have
// its figures there, and every link into it (from the README, SECURITY.md and the topic pages) must find its section.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {ROOT} from '../helpers/cli.js'
import {commandLines, loadManifest, scriptProblem, tcpInvocations, tcpProblem} from '../helpers/commands.js'

const FIGURES = join(ROOT, 'docs', 'figures.md')
const figures = readFileSync(FIGURES, 'utf8')
const pages = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2... */
function anchors(text: string): Set<string> {
  const out = new Set<string>()
  for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    let s = slug
    for (let n = 1; out.has(s); n++) s = `${slug}-${n}`
    out.add(s)
  }
  return out
}

/** Relative Markdown links of a page (outside fenced blocks): [page, target, anchor]. */
function links(page: string): Array<[string, string, string]> {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '')
  return [...text.matchAll(/\]\(([^)\s#]*)(#[^)\s]*)?\)/g)]
    .filter((m) => !/^[a-z]+:/.test(m[1]!))
    .map((m) => [page, m[1] ? join(dirname(page), m[1]) : page, (m[2] ?? '').slice(1)])
}

describe('docs/figures.md', () => {
  const lines = commandLines(figures, {inline: true})

  it('names only real tcp commands with real flags', () => {
    const seen = tcpInvocations(lines)
    assert.ok(seen.length >= 15, `only ${seen.length} tcp command lines`)
    assert.deepEqual(seen.map((words) => tcpProblem(loadManifest(), words)).filter(Boolean), [])
  })

  it('names only scripts that exist: npm run scripts, script files, and the options each bench script takes', () => {
    const scripts = lines.filter((l) => /\b(npm run|node \S+\.m?js)\b/.test(l))
    assert.ok(scripts.filter((l) => l.includes('bench/')).length >= 20, 'bench commands found')
    assert.deepEqual(scripts.map(scriptProblem).filter(Boolean), [])
  })

  it('has the figures of every benchmark script', () => {
    const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.mjs'))
    assert.deepEqual(benches.filter((f) => !figures.includes(`bench/${f}`)), [])
  })

  it('quotes the checked-in red-team reports as they are (docs/redteam/quick.json, full.json)', () => {
    for (const name of ['quick', 'full']) {
      const {resisted} = JSON.parse(readFileSync(join(ROOT, 'docs', 'redteam', `${name}.json`), 'utf8'))
      const share = `${resisted.resisted}/${resisted.attacks} = ${(resisted.fraction * 100).toFixed(1)}%`
      assert.ok(figures.includes(`${name}: ${share}`), `docs/figures.md should say "${name}: ${share}"`)
    }
  })

  it('every relative link of the README, SECURITY.md and docs/ finds its page, and every link to a section finds it', () => {
    const all = pages.flatMap(links)
    const intoFigures = all.filter(([page, target, anchor]) => page !== 'docs/figures.md' && target === 'docs/figures.md' && anchor)
    assert.ok(intoFigures.length >= 10, `only ${intoFigures.length} links to sections of docs/figures.md`)
    assert.deepEqual(all.filter(([, target]) => !existsSync(join(ROOT, target))), [])
    const withAnchor = all.filter(([, target, anchor]) => anchor && target.endsWith('.md') && existsSync(join(ROOT, target)))
    assert.deepEqual(withAnchor.filter(([, target, anchor]) => !anchors(readFileSync(join(ROOT, target), 'utf8')).has(anchor)), [])
    assert.ok(!existsSync(join(ROOT, 'docs', 'figures-foundation.md')), 'merged into docs/figures.md')
  })
})
