// The red-team harness: every vector's undefended path shows the attack working and its defended path meets the
// bound, on fixed seeds; same seed, same report bytes; a defence that misses its bound makes the verdict 'misses'.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runRedteam, VECTOR_TABLE, KNOWN_MISSES as KNOWN, missedAttacks, parseVectors, trialSeed, renderRedteamSvg, renderResistanceTable, type Vector} from '../../../src/core/redteam/index.js'
import {runRedteam as runWithTable} from '../../../src/core/redteam/engine.js'
import {clockForgery, unsignedClocksAccept, WITNESSED_WITHIN_MS} from '../../../src/core/redteam/vectors/clock-forgery.js'
import {treePoisoning, twoPointMoments} from '../../../src/core/redteam/vectors/tree-poisoning.js'
import {buildTreeInMemory} from '../../../src/core/aggregate/tree.js'
import {mergeMoments} from '../../../src/core/aggregate/moments.js'
import {perAgentWindowTest, honestFleet, zCritical} from '../../../src/core/redteam/fleet.js'
import {verifyFleet} from '../../../src/core/log/fleet.js'
import {Rng} from '../../../src/core/rng.js'

const SEED = 20261127
/** Claimed attacks the defence is known to miss (SECURITY.md, "What does not hold"): they must show as misses. */
const KNOWN_MISSES: Record<string, string[]> = {}
for (const k of KNOWN) (KNOWN_MISSES[k.vector] ??= []).push(k.attack)

describe('tcp redteam: every vector on a fixed seed (quick)', async () => {
  // One run of all four vectors at the quick size, shared by the assertions below.
  const run = await runRedteam({vectors: parseVectors('all'), agents: 1000, seed: SEED, quick: true})
  const r = run.report

  for (const v of r.vectors) {
    const known = KNOWN_MISSES[v.name] ?? []
    it(`${v.name}: the undefended run shows every attack working, the defended run meets every bound${known.length ? ` except its known misses (${known.join(', ')})` : ''}`, () => {
      const harness = v.checks.filter((c) => !c.ok && c.path === 'undefended')
      assert.deepEqual(harness, [], JSON.stringify(harness))
      assert.ok(v.undefended.attackSuccess >= 0.5, `undefended attack success ${v.undefended.attackSuccess}`)
      assert.ok(v.defended.attackSuccess < v.undefended.attackSuccess)
      const missed = v.attacks.filter((a) => a.claimed && a.defended.attackSuccess > 0).map((a) => a.name)
      assert.deepEqual(missed, known, 'the claimed attacks that got through')
      if (known.length === 0) assert.deepEqual(v.checks.filter((c) => !c.ok), [])
      assert.equal(v.verdict, known.length ? 'misses' : 'holds')
    })
  }

  it('the bars of THREATS.md: poisoning detected > 0.95, every forged clock detected, the resisted fraction', () => {
    const by = Object.fromEntries(r.vectors.map((v) => [v.name, v]))
    assert.ok(by['tree-poisoning']!.defended.detectionRate > 0.95)
    assert.ok(by['tree-poisoning']!.undefended.distortionSd! > 0.1, 'plain weighted averaging carries the poison (> 0.1 sd)')
    assert.ok(by['tree-poisoning']!.defended.distortionSd! < 0.1)
    for (const a of by['clock-forgery']!.attacks) assert.equal(a.defended.detectionRate, 1, a.name)
    assert.equal(by['clock-forgery']!.undefended.attackSuccess, 1, 'unsigned clocks accept every forgery')
    const claimed = r.vectors.flatMap((v) => v.attacks.filter((a) => a.claimed))
    const trials = claimed.reduce((s, a) => s + a.defended.trials, 0)
    const resisted = claimed.reduce((s, a) => s + a.defended.resisted, 0)
    assert.deepEqual([r.resisted.attacks, r.resisted.resisted], [trials, resisted], 'the resisted fraction counts the claimed trials')
    assert.equal(r.resisted.ok, r.resisted.fraction >= 0.98)
    assert.equal(r.verdict, KNOWN.length ? 'misses' : 'holds', 'a known miss is reported, not hidden')
    assert.deepEqual(missedAttacks(r), KNOWN.map((k) => `${k.vector}/${k.attack}`), 'KNOWN_MISSES is what the run measures')
  })

  it('the 32% group against the 75% quorum: safety held, liveness lost, and the report says so', () => {
    const st = r.vectors.find((v) => v.name === 'sub-threshold')!
    const eq = st.attacks.find((a) => a.name === 'quorum-equivocate')!
    assert.equal(eq.undefended.attackSuccess, 1, 'a simple majority is split by equivocation')
    assert.equal(eq.defended.attackSuccess, 0, 'the 75% quorum never decides two values')
    const wh = r.unclaimed.find((u) => u.attack === 'quorum-withhold')!
    assert.equal(wh.defendedSuccess, 1, 'withholding stalls the 75% quorum')
    assert.ok(!st.attacks.find((a) => a.name === 'quorum-withhold')!.claimed)
  })

  it('SECURITY.md\'s quick table is this run: docs/redteam/quick.json has the same bytes, and the tables are current', () => {
    const root = join(import.meta.dirname, '..', '..', '..')
    const checkedIn = readFileSync(join(root, 'docs', 'redteam', 'quick.json'), 'utf8')
    assert.equal(checkedIn, JSON.stringify(r, null, 2) + '\n', 'regenerate: node scripts/security-table.mjs --run quick')
    execFileSync(process.execPath, [join(root, 'scripts', 'security-table.mjs'), '--check'], {stdio: 'pipe'})
  })

  it('timings are kept out of the report; the SVG and the table are built from the report alone', () => {
    assert.ok(!('timings' in r))
    assert.ok(run.timings.totalMs >= 0 && Object.keys(run.timings.vectorsMs).length === 4)
    const svg = renderRedteamSvg(r)
    assert.match(svg, /^<svg [^>]*>/)
    assert.match(svg, /<\/svg>\n$/)
    for (const v of r.vectors) assert.ok(svg.includes(v.title), v.title)
    const table = renderResistanceTable(r, 'tcp redteam run --quick')
    assert.ok(table.includes(`${r.resisted.resisted}/${r.resisted.attacks}`))
  })
})

describe('scripts/security-table.mjs --check', () => {
  it('fails when a figure in SECURITY.md no longer matches its report', () => {
    const root = join(import.meta.dirname, '..', '..', '..')
    const tmp = mkdtempSync(join(tmpdir(), 'tcp-sectable-'))
    try {
      for (const d of ['scripts', 'docs']) cpSync(join(root, d), join(tmp, d), {recursive: true})
      symlinkSync(join(root, 'dist'), join(tmp, 'dist'))
      const sec = readFileSync(join(root, 'SECURITY.md'), 'utf8')
      writeFileSync(join(tmp, 'SECURITY.md'), sec)
      execFileSync(process.execPath, [join(tmp, 'scripts', 'security-table.mjs'), '--check'], {stdio: 'pipe'})
      writeFileSync(join(tmp, 'SECURITY.md'), sec.replace(/\*\*(\d+)\/(\d+) = /, '**$2/$2 = '.replace('$2/$2', '999/999')))
      assert.throws(() => execFileSync(process.execPath, [join(tmp, 'scripts', 'security-table.mjs'), '--check'], {stdio: 'pipe'}), /out of date/)
    } finally {
      rmSync(tmp, {recursive: true, force: true})
    }
  })
})

describe('tcp redteam: determinism', () => {
  it('same seed, same report bytes; another seed, other bytes', async () => {
    const o = {vectors: parseVectors('tree-poisoning'), agents: 400, quick: true}
    const a = await runRedteam({...o, seed: 1})
    const b = await runRedteam({...o, seed: 1})
    const c = await runRedteam({...o, seed: 2})
    assert.equal(JSON.stringify(a.report), JSON.stringify(b.report))
    assert.equal(renderRedteamSvg(a.report), renderRedteamSvg(b.report))
    assert.notEqual(JSON.stringify(a.report), JSON.stringify(c.report))
  })

  it('trial seeds are independent per vector, attack and trial', () => {
    const s = new Set([trialSeed(1, 'a', 'x', 0), trialSeed(1, 'a', 'x', 1), trialSeed(1, 'a', 'y', 0), trialSeed(1, 'b', 'x', 0), trialSeed(2, 'a', 'x', 0)])
    assert.equal(s.size, 5)
  })
})

describe('tcp redteam: the engine judges, it does not assume', () => {
  it('a "defence" that is the undefended path misses its bounds: verdict misses', async () => {
    const naked: Vector<any> = {...treePoisoning, defended: treePoisoning.undefended}
    const table = {...VECTOR_TABLE, 'tree-poisoning': naked}
    const r = await runWithTable({vectors: ['tree-poisoning'], agents: 400, seed: 3, quick: true}, table)
    assert.equal(r.report.verdict, 'misses')
    assert.equal(r.report.vectors[0]!.verdict, 'misses')
    assert.ok(r.report.vectors[0]!.checks.some((c) => c.metric === 'detectionRate' && !c.ok))
  })

  it('a harness whose attack does not work misses too (the undefended check)', async () => {
    const harmless: Vector<any> = {...treePoisoning, undefended: treePoisoning.defended}
    const r = await runWithTable({vectors: ['tree-poisoning'], agents: 400, seed: 3, quick: true}, {...VECTOR_TABLE, 'tree-poisoning': harmless})
    assert.equal(r.report.verdict, 'misses')
    assert.ok(r.report.vectors[0]!.checks.some((c) => c.path === 'undefended' && !c.ok))
  })

  it('one claimed attack that does not work even undefended misses, though the others carry the vector\'s total', async () => {
    // A sixth attack that changes nothing: its "resisted" trials would otherwise count for the defence.
    const noop = {name: 'no-op', goal: 'nothing', claimed: true}
    const withNoop: Vector<any> = {
      ...treePoisoning,
      attacks: [...treePoisoning.attacks, noop],
      world: (ctx, a) => treePoisoning.world(ctx, a.name === 'no-op' ? treePoisoning.attacks[0]! : a),
      undefended: (w, a, ctx) => (a.name === 'no-op' ? {...(treePoisoning.undefended(w, a, ctx) as any), success: false} : treePoisoning.undefended(w, a, ctx)),
      defended: (w, a, ctx) => (a.name === 'no-op' ? {...(treePoisoning.defended(w, a, ctx) as any), success: false} : treePoisoning.defended(w, a, ctx)),
    }
    const r = await runWithTable({vectors: ['tree-poisoning'], agents: 400, seed: 3, quick: true}, {...VECTOR_TABLE, 'tree-poisoning': withNoop})
    const v = r.report.vectors[0]!
    assert.ok(v.undefended.attackSuccess >= 0.5, 'the vector total alone would pass')
    assert.equal(v.verdict, 'misses')
    assert.ok(v.checks.some((c) => c.path === 'undefended' && !c.ok && c.name.startsWith('no-op:')), JSON.stringify(v.checks))
  })

  it('refuses bad vectors and fleet sizes', async () => {
    assert.throws(() => parseVectors('tree-poisoning,bogus'), /--vector: expected all or one of/)
    await assert.rejects(runRedteam({vectors: ['temporal'], agents: 10, seed: 1, quick: true}), /--agents: expected an integer from 200/)
    await assert.rejects(runRedteam({vectors: ['temporal'], agents: 1_000_000, seed: 1, quick: true}), /--agents: expected an integer from 200 to 100000/)
    await assert.rejects(runRedteam({vectors: ['temporal'], agents: 1000.5, seed: 1, quick: true}), /--agents/)
  })
})

describe('tcp redteam: clock forgery is caught by the check that names it', () => {
  // The fleet has a witness (the recorder) and the defended path verifies with --witnessed-within: dropped-link, a
  // key holder re-signing its log without its references to another agent, forks from the witness's references.
  const expected: Record<string, RegExp> = {
    'raised-clock': /fleet-references/,
    'wrong-hash': /fleet-references/,
    'regressed-clock': /(^|,)clock/,
    'back-dated': /time-order/,
    'time-travel': /fleet-time|fleet-causality/,
    'dropped-link': /fleet-references/,
    reordered: /hash-chain|signature/,
    replayed: /signature|committed|sequence/,
    'stale-head': /freshness/,
    'rewritten-history': /fleet-references/,
  }
  const opts = (w: {trust: any; now: number}) => ({trust: w.trust, now: w.now, maxSkewMs: 2000, freshWithinMs: 15_000, witnessedWithinMs: WITNESSED_WITHIN_MS})
  for (const a of clockForgery.attacks) {
    // dropped-link at seed 10 got through before the witness: no peer had referenced an entry the rewrite changed.
    for (const seed of a.name === 'dropped-link' ? [9, 10] : [9])
      it(`${a.name} (seed ${seed}): unsigned clocks accept it, tcp's fleet verification names it`, async () => {
        const w = await clockForgery.world({rng: new Rng(seed), seed, agents: 1000, quick: true, trial: 0}, a)
        try {
          assert.equal(unsignedClocksAccept(w.attackedDir), true)
          const honest = verifyFleet(w.honestDir, opts(w))
          assert.equal(honest.ok, true, 'the honest fleet verifies')
          const bad = verifyFleet(w.attackedDir, opts(w))
          assert.equal(bad.ok, false)
          assert.match(bad.checks.filter((c) => !c.ok).map((c) => c.check).join(','), expected[a.name]!)
        } finally {
          clockForgery.dispose!(w)
        }
      })
  }
})

describe('tcp redteam: tree poisoning, each defence in its place', () => {
  it('forged-report: the sibling test misses a 0.3 sd edit of half the nodes; the signature check refuses every one', async () => {
    const attack = treePoisoning.attacks.find((a) => a.name === 'forged-report')!
    const w = await treePoisoning.world({rng: new Rng(11), seed: 11, agents: 1000, quick: true, trial: 0}, attack)
    const tree = buildTreeInMemory(w.locals, {childLevel: 1, decimals: 3, test: {excludeOutliers: true}})
    const byTest = new Set(tree.findings.filter((f) => f.node.startsWith('L2/')).map((f) => f.id))
    const altered = [...w.poisoned].map((i) => w.locals[i]!.id)
    assert.ok(altered.filter((id) => byTest.has(id)).length * 2 < altered.length, 'the outlier test alone does not see it')
    const out = treePoisoning.defended(w, attack, {rng: new Rng(11), seed: 11, agents: 1000, quick: true, trial: 0}) as any
    assert.equal(out.detected, w.poisoned.size)
    assert.equal(out.falsePositives, 0)
    assert.ok(out.distortionSd < 0.1)
    assert.ok((treePoisoning.undefended(w, attack, {rng: new Rng(11), seed: 11, agents: 1000, quick: true, trial: 0}) as any).distortionSd >= 0.1)
  })

  it('under-threshold: nodes kept under the outlier threshold go unflagged, and the robust tree bounds what they move', async () => {
    const attack = treePoisoning.attacks.find((a) => a.name === 'under-threshold')!
    assert.equal(attack.claimed, false, 'tcp does not claim to flag what stays inside the siblings\' spread')
    const ctx = {rng: new Rng(12), seed: 12, agents: 1000, quick: true, trial: 1} // trial 1: 10% of the local nodes
    const w = await treePoisoning.world(ctx, attack)
    const tree = buildTreeInMemory(w.locals, {childLevel: 1, decimals: 3, test: {excludeOutliers: true}})
    const flagged = new Set(tree.findings.filter((f) => f.node.startsWith('L2/')).map((f) => f.id))
    const ids = [...w.poisoned].map((i) => w.locals[i]!.id)
    assert.ok(ids.filter((id) => !flagged.has(id)).length * 2 >= ids.length, 'most of them pass the outlier test')
    const out = treePoisoning.defended(w, attack, {...ctx, rng: new Rng(12)}) as any
    assert.equal(out.success, true, 'the report counts them as unflagged')
    assert.ok(out.distortionSd < 0.1, `distortion ${out.distortionSd}`)
  })

  it('crafted statistics are moments some integer set can have (the exact merge accepts them)', () => {
    const m = twoPointMoments(3000n, 101.5, 4.2)
    assert.ok(Math.abs(Number(m.sum) / 3000 / 1000 - 101.5) < 1e-9)
    assert.doesNotThrow(() => mergeMoments(m, twoPointMoments(100n, 90, 3)))
  })
})

describe('tcp redteam: the undefended per-agent test', () => {
  it('keeps its stated false-positive rate on an honest fleet and is blind to a 0.1 sd shift', () => {
    const f = honestFleet(new Rng(4), 2000, 120, 240)
    let flagged = 0
    for (let a = 0; a < f.agents; a++) if (perAgentWindowTest(f, a, 60, 0.01) >= 0) flagged++
    assert.ok(flagged / f.agents < 0.02, `honest agents flagged: ${flagged / f.agents}`)
    assert.ok(Math.abs(zCritical(0.01) - 2.5758) < 1e-3)
  })
})
