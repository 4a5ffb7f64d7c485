#!/usr/bin/env node
// Figures of the witness rule (`tcp verify LOG --fleet DIR --witnessed-within D`), measured in one run (run after
// `node scripts/build.mjs`). Fleets are the red team's clock-forgery fleets: 12 agents, one entry a second, messages
// at rate 0.3, a checkpoint every 10 entries, and a witness ("recorder") appending with a reference to every agent's
// last committed entry after every checkpoint round (src/core/log/simulate.ts).
//   1. False positives: honest fleets of 20-69 entries (so that verification falls at every phase of the witness's
//      round), verified 1 s after the last entry with D = WITNESSED_WITHIN_MS (22 s); and the oldest entry no peer
//      had referenced yet, which D must exceed.
//   2. clock-forgery/dropped-link over many trial seeds, the red team's own world and defended path (quick: 30
//      entries, full: 60): detection rate and the checks that named it.
//   3. The residual: a witness every 20 entries instead (D = 10 + 20 + 2 = 32 s), fleets of 20-69 entries: a dropped
//      link whose first dropped component lies in the tail the witness has not referenced yet is accepted; the
//      report's caveat names the attacker each time.
//   4. Cost: `tcp verify --fleet` as a whole process on a larger fleet with a witness (AGENTSxENTRIES, 5% message
//      rate, checkpoint and witness every 100 entries), without --witnessed-within, with it, and with it and
//      --witness recorder (the walk of the recorder's causal past): seconds and peak RSS.
// Usage: node bench/log-witness.mjs [--trials 200] [--seed 1] [--fleet 250x1000] [--json]   (--trials 0: only 4)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {trials: {type: 'string', default: '200'}, seed: {type: 'string', default: '1'}, fleet: {type: 'string', default: '250x1000'}, json: {type: 'boolean'}}})
const N = Number(opt.trials)
const seed = Number(opt.seed)
const core = (p) => import(join(root, 'dist', 'core', p))
const {simulateFleet} = await core('log/simulate.js')
const {verifyFleet} = await core('log/fleet.js')
const {resignLog} = await core('log/forge.js')
const {trustFromDirectory} = await core('envelope/trust.js')
const {Rng} = await core('rng.js')
const {trialSeed} = await core('redteam/engine.js')
const {clockForgery, RECORDER, WITNESSED_WITHIN_MS, LOG_AGENTS} = await core('redteam/vectors/clock-forgery.js')

const say = (s) => !opt.json && console.log(s)
const pct = (k, n) => `${k}/${n} = ${((100 * k) / n).toFixed(1)}%`
const out = {seed, trials: N, boundMs: WITNESSED_WITHIN_MS}
const rng = new Rng(seed)
const failedChecks = (r) => r.checks.filter((c) => !c.ok).map((c) => c.check).join('+')
say(`seed ${seed}; ${N} trials per figure; witness bound ${WITNESSED_WITHIN_MS / 1000} s`)

/** A seeded fleet with a witness every `witnessEvery` entries, and its trust store. */
async function fleet(witnessEvery) {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-witness-'))
  const sim = simulateFleet({dir, agents: LOG_AGENTS, entries: 20 + rng.int(50), seed: rng.u32(), messageRate: 0.3, checkpointEvery: 10, witness: RECORDER, witnessEvery})
  return {dir, sim, trust: await trustFromDirectory(sim.trustDir), now: sim.lastTimeMs + 1000}
}
// Freshness as in the red team (15 s) for a witness every 10 s; 25 s for one every 20 s (the witness's own head).
const verify = (f, within, extra = {}) => verifyFleet(f.dir, {trust: f.trust, now: f.now, maxSkewMs: 2000, freshWithinMs: 15_000, witnessedWithinMs: within, ...extra})

// 1. Honest fleets.
if (N > 0) {
  let fp = 0
  let oldest = 0
  for (let t = 0; t < N; t++) {
    const f = await fleet(10)
    if (!verify(f, WITNESSED_WITHIN_MS).ok) fp++
    // With a bound of 0 every unpinned entry fails; each failure states the age of its agent's oldest one.
    for (const x of verify(f, 0, {keepFailures: 1000}).failures) if (x.check === 'fleet-witness') oldest = Math.max(oldest, Number(/is ([\d.]+) s old/.exec(x.detail)[1]))
    rmSync(f.dir, {recursive: true, force: true})
  }
  out.honest = {falsePositives: fp, fleets: N, oldestUnpinnedS: oldest}
  say(`1. honest fleets with a witness, --witnessed-within ${WITNESSED_WITHIN_MS / 1000}s: rejected ${pct(fp, N)}; oldest entry not yet referenced by a peer: ${oldest} s`)
}

// 2. The red team's dropped-link, many trial seeds.
const dropped = clockForgery.attacks.find((a) => a.name === 'dropped-link')
for (const quick of N > 0 ? [true, false] : []) {
  let detected = 0
  let noop = 0
  let fp = 0
  const by = {}
  for (let t = 0; t < N; t++) {
    const s = trialSeed(seed, 'clock-forgery', 'dropped-link', t)
    const ctx = {rng: new Rng(s), seed: s, agents: 1000, quick, trial: t}
    const w = await clockForgery.world(ctx, dropped)
    const same = readdirSync(w.honestDir).filter((n) => n.endsWith('.log')).every((n) => readFileSync(join(w.honestDir, n)).equals(readFileSync(join(w.attackedDir, n))))
    if (same) noop++
    const o = clockForgery.defended(w, dropped, ctx)
    if (o.detected) detected++
    fp += o.falsePositives
    const r = verifyFleet(w.attackedDir, {trust: w.trust, now: w.now, maxSkewMs: 2000, freshWithinMs: 15_000, witnessedWithinMs: WITNESSED_WITHIN_MS, witnesses: [RECORDER]})
    const k = failedChecks(r) || 'accepted'
    by[k] = (by[k] ?? 0) + 1
    clockForgery.dispose(w)
  }
  out[quick ? 'droppedQuick' : 'droppedFull'] = {detected, trials: N, unchanged: noop, honestRejected: fp, by}
  say(`2. dropped-link (${quick ? 'quick, 30' : 'full, 60'} entries): detected ${pct(detected, N)}; honest twins rejected ${fp}; rewrites that changed nothing ${noop}; failed checks: ${Object.entries(by).map(([k, v]) => `${k} ${v}`).join(', ')}`)
}

// 3. A witness every 20 entries: the tail it has not referenced yet can be rewritten.
if (N > 0) {
  const within = 10_000 + 20_000 + 2000
  let detected = 0
  let named = 0
  let fp = 0
  let runs = 0
  for (let t = 0; t < N; t++) {
    const f = await fleet(20)
    if (!verify(f, within, {freshWithinMs: 25_000}).ok) fp++
    const attacker = rng.int(LOG_AGENTS)
    const me = f.sim.agents[attacker]
    const lines = readFileSync(me.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const entries = lines.filter((l) => l.type === 'tcp.log/v1')
    const heard = [...new Set(entries.flatMap((e) => Object.keys(e.clock)))].filter((a) => a !== RECORDER).sort()
    if (heard.length === 0) {
      rmSync(f.dir, {recursive: true, force: true})
      continue // no link to drop
    }
    runs++
    const drop = heard[rng.int(heard.length)]
    for (const e of entries) delete e.clock[drop]
    writeFileSync(me.file, resignLog(lines, me.secretKey))
    const r = verify(f, within, {freshWithinMs: 25_000})
    if (!r.ok) detected++
    else if (r.caveats.some((c) => c.includes(`${me.agent} (last `))) named++
    rmSync(f.dir, {recursive: true, force: true})
  }
  out.residual = {boundMs: within, detected, trials: runs, acceptedNamedInCaveat: named, honestRejected: fp, honestFleets: N}
  say(`3. witness every 20 entries, --witnessed-within ${within / 1000}s: dropped-link detected ${pct(detected, runs)}; of the ${runs - detected} accepted, the caveat names the attacker in ${named}; honest fleets rejected ${pct(fp, N)}`)
}
// 4. Cost of the check on a larger fleet, whole process.
if (opt.fleet) {
  const [agents, entries] = opt.fleet.split('x').map(Number)
  const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-witness-'))
  const sim = simulateFleet({dir, agents, entries, seed, messageRate: 0.05, checkpointEvery: 100, witness: RECORDER})
  const within = `${2 * 100 + 2}s`
  out.cost = {agents, entries: sim.entries, references: sim.references, within}
  const runs = {plain: [], witnessed: ['--witnessed-within', within], named: ['--witnessed-within', within, '--witness', RECORDER]}
  for (const [name, flags] of Object.entries(runs)) {
    const args = [process.execPath, join(root, 'bin', 'run.js'), 'verify', sim.agents[0].file, '--trust', sim.trustDir, '--fleet', dir, '--at', new Date(sim.lastTimeMs + 1000).toISOString(), '--json', ...flags]
    const t0 = process.hrtime.bigint()
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...args], {encoding: 'utf8', maxBuffer: 1 << 26, env: {...process.env, TCP_NO_CONFIG: '1'}})
    const s = Number(process.hrtime.bigint() - t0) / 1e9
    if (r.status !== 0 || !JSON.parse(r.stdout).report.ok) throw new Error(`fleet verify exited ${r.status}: ${r.stderr.slice(0, 400)}`)
    const peakMB = Number(r.stderr.trim().split('\n').at(-1)) / 1024
    out.cost[name] = {seconds: s, peakRssMB: peakMB}
    say(`4. tcp verify --fleet, ${agents} agents + witness x ${entries} entries (${sim.entries} entries, ${sim.references} references)${flags.length ? ` ${flags.join(' ')}` : ''}: ${s.toFixed(1)} s, peak RSS ${peakMB.toFixed(0)} MB`)
  }
  rmSync(dir, {recursive: true, force: true})
}
if (opt.json) console.log(JSON.stringify(out, null, 2))
