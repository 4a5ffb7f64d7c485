#!/usr/bin/env node
// tcp prove figures per circuit size (issue 3, "Figures"): constraints and constraints per observation, compile and
// setup time, prove time (in process, tcp's proveWindow against raw snarkjs groth16.fullProve on the same circuit,
// input and zkey, in alternating order in the same run after a warm-up pair), peak memory and wall time of whole `tcp prove` / `tcp verify`
// processes, verify time in process once the curve is loaded, and proving with the curve kept loaded.
//
//   node scripts/build.mjs && node bench/zk.mjs [--sizes 8,64,256] [--runs 5] [--seed S] [--cache DIR] [--fresh]
//   node bench/zk.mjs --ceremony [--sizes 8,64] [--runs 3]   two-party phase 2 (issue 15): prover's phase 2 (zkey new +
//     one contribution), the verifier's contribution, verify-setup (powersoftau verify + zkey verify against the
//     shipped r1cs), and the prover's install (verify-setup again + copy); the ceremony (phase 1) is cached.
//
// --cache defaults to $TMPDIR/tcp-bench-zk-cache so that a second run reuses the ceremonies (the setup times printed
// are then those recorded when the setup was made, marked "recorded"). Needs /usr/bin/time for peak memory.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {ensureCompiled} from '../dist/core/zk/artifacts.js'
import {setupCircuit, loadSetup} from '../dist/core/zk/setup.js'
import {proveWindow} from '../dist/core/zk/prove.js'
import {snarkjs, releaseCurve} from '../dist/core/zk/snark.js'
import {parseSize, publicInputs, fixedWindow, witnessInput} from '../dist/core/zk/statement.js'
import {parseK} from '../dist/core/baseline/bounds.js'
import {Rng, parseSeed, randomSeed} from '../dist/core/rng.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: a} = parseArgs({
  options: {sizes: {type: 'string', default: '8,64,256'}, runs: {type: 'string', default: '5'}, seed: {type: 'string'}, cache: {type: 'string'}, fresh: {type: 'boolean'}, ceremony: {type: 'boolean'}},
})
const sizes = a.sizes.split(',').map((s) => parseSize(s.trim()))
const runs = Number(a.runs)
const seed = a.seed === undefined ? randomSeed() : parseSeed(a.seed)
const cacheDir = a.cache ?? join(tmpdir(), 'tcp-bench-zk-cache')
const work = mkdtempSync(join(tmpdir(), 'tcp-bench-zk-'))
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
const fmt = (xs, unit = 's', d = 3) => `median ${median(xs).toFixed(d)} ${unit} [${xs.map((x) => x.toFixed(d)).join(', ')}]`
const hasTime = existsSync('/usr/bin/time')
const env = {...process.env, TCP_CACHE_DIR: cacheDir, TCP_PASSPHRASE: 'bench', TCP_NO_CONFIG: '1'}
const tcp = (...args) => execFileSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {env, cwd: work, encoding: 'utf8'})

/** Whole process under /usr/bin/time: wall seconds and peak RSS in MB. */
function timed(args) {
  const cmd = hasTime ? ['/usr/bin/time', ['-f', '%e %M', process.execPath, join(root, 'bin', 'run.js'), ...args]] : [process.execPath, [join(root, 'bin', 'run.js'), ...args]]
  const t0 = performance.now()
  const r = spawnSync(cmd[0], cmd[1], {env, cwd: work, encoding: 'utf8'})
  const wall = (performance.now() - t0) / 1000
  if (r.status !== 0) throw new Error(`tcp ${args[0]} failed (${r.status}): ${r.stderr}`)
  const last = r.stderr.trim().split('\n').pop() ?? ''
  const m = /^([\d.]+) (\d+)$/.exec(last)
  return {wall, rssMb: m ? Number(m[2]) / 1024 : NaN}
}

if (a.ceremony) {
  const {contributeZkey, verifySetup, installSetup} = await import('../dist/core/zk/ceremony.js')
  console.log(`tcp zk two-party ceremony benchmark: sizes ${sizes.join(', ')}, ${runs} runs, cache ${cacheDir}, node ${process.version}, ${(await import('node:os')).cpus().length} cpus, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`)
  try {
    for (const size of sizes) {
      const base = await setupCircuit({cacheDir, size}) // compile and phase 1 once (cached)
      const ptau = base.record.ptau.path
      console.log(`\n== N = ${size}: ${base.record.constraints} constraints, power ${base.record.power}, phase 1 ${base.record.ptau.seconds ?? '?'} s (recorded, prepare phase 2 included)`)
      const rows = {prover: [], verifier: [], verifySetup: [], ptauVerify: [], zkeyVerify: [], install: [], total: []}
      for (let r = 0; r < runs; r++) {
        let t = performance.now()
        const s = await setupCircuit({cacheDir, size, ptau, fresh: true})
        const prover = (performance.now() - t) / 1000
        const out = join(work, `v${size}-${r}.zkey`)
        t = performance.now()
        const c = await contributeZkey({zkey: s.zkey, out, name: 'verifier'})
        const verifier = (performance.now() - t) / 1000
        t = performance.now()
        const v = await verifySetup({cacheDir, size, zkey: out, ptau, contributions: [c.contributionHash]})
        const vs = (performance.now() - t) / 1000
        if (!v.report.ok) throw new Error(`verify-setup refused: ${JSON.stringify(v.report.checks)}`)
        t = performance.now()
        await installSetup({cacheDir, size, zkey: out, ptau})
        const install = (performance.now() - t) / 1000
        rows.prover.push(prover)
        rows.verifier.push(verifier)
        rows.verifySetup.push(vs)
        rows.ptauVerify.push(v.seconds.ptau)
        rows.zkeyVerify.push(v.seconds.zkey)
        rows.install.push(install)
        rows.total.push(prover + verifier + vs + install)
      }
      for (const [k, xs] of Object.entries(rows)) console.log(`${k}: ${fmt(xs, 's', 2)}`)
    }
  } finally {
    await releaseCurve()
    rmSync(work, {recursive: true, force: true})
  }
  process.exit(0)
}

console.log(`tcp prove benchmark: sizes ${sizes.join(', ')}, ${runs} runs, seed ${seed}, cache ${cacheDir}, node ${process.version}, ${(await import('node:os')).cpus().length} cpus`)
const rng = new Rng(seed)
// Seeded telemetry for a baseline: one feature around 200 with sd 15, one decimal.
const obs = Array.from({length: 400}, (_, i) => JSON.stringify({agent: 'a', time: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), latency_ms: Math.round(rng.normal(200, 15) * 10) / 10}))
writeFileSync(join(work, 'history.jsonl'), obs.join('\n') + '\n')
tcp('keys', 'generate', '--out', 'k')
tcp('baseline', 'create', '--from', 'history.jsonl', '--subject', 'bench/zk', '--out', 'b.json')
tcp('sign', 'b.json', '--key', 'k.key', '--out', 'b.dsse.json')
const {readFileSync} = await import('node:fs')
const {baselineDigest, parseBaseline} = await import('../dist/core/baseline/baseline.js')
const baseline = parseBaseline(JSON.parse(readFileSync(join(work, 'b.json'), 'utf8')))
const digest = baselineDigest(baseline)
const stats = baseline.features.latency_ms

try {
  for (const size of sizes) {
    console.log(`\n== N = ${size}`)
    const c = await ensureCompiled(cacheDir, size)
    console.log(`constraints ${c.constraints} (${(c.constraints / size).toFixed(1)} per observation), compile ${c.compileSeconds} s (recorded), r1cs+wasm in ${c.dir}`)
    const t0 = performance.now()
    const s = await setupCircuit({cacheDir, size, fresh: a.fresh})
    const setupWall = (performance.now() - t0) / 1000
    const sec = s.record.seconds
    console.log(`setup: power ${s.record.power}; ceremony ${sec.ptau} s, phase 2 ${sec.phase2} s (${s.reused ? 'recorded when the setup was made' : `this run, ${setupWall.toFixed(1)} s in all`})`)
    const vk = s.verificationKey
    console.log(`verification key ${Buffer.byteLength(JSON.stringify(vk))} bytes (JSON), zkey sha3 ${s.record.zkeySha3.slice(0, 16)}...`)

    // One window of exactly N observations within the bounds (resampled until judgeWindow passes it).
    let values
    for (;;) {
      values = Array.from({length: size}, () => Math.round(rng.normal(200, 15) * 10) / 10)
      const {judgeWindow} = await import('../dist/core/baseline/bounds.js')
      const v = judgeWindow(values, stats, parseK('3'))
      if (v.meanOk && v.varianceOk) break
    }
    writeFileSync(join(work, `w${size}.jsonl`), values.map((x, i) => JSON.stringify({agent: 'a', time: new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString(), latency_ms: x})).join('\n') + '\n')
    const inputs = publicInputs({baseline, digest, feature: 'latency_ms', n: size, k: parseK('3'), varianceFactor: 4})
    const input = witnessInput(fixedWindow(values, stats, size, 'latency_ms'), size, 12345n, inputs)
    const sj = await snarkjs()
    const tcpT = []
    const rawT = []
    let proofBytes = 0
    const viaTcp = async () => {
      const t = performance.now()
      const out = await proveWindow({cacheDir, baseline, digest, feature: 'latency_ms', values, size})
      if (!out.proved) throw new Error('window unexpectedly out of bounds')
      proofBytes = Buffer.byteLength(JSON.stringify(out.bundle.proof))
      return (performance.now() - t) / 1000
    }
    const raw = async () => {
      const t = performance.now()
      await sj.groth16.fullProve(input, c.wasm, s.zkey)
      await releaseCurve()
      return (performance.now() - t) / 1000
    }
    await viaTcp() // warm-up pair, not recorded (file cache, JIT)
    await raw()
    for (let r = 0; r < runs; r++) {
      // Alternate which goes first, so that neither always pays for the other's leftovers.
      if (r % 2 === 0) {
        tcpT.push(await viaTcp())
        rawT.push(await raw())
      } else {
        rawT.push(await raw())
        tcpT.push(await viaTcp())
      }
    }
    const ratios = tcpT.map((x, i) => x / rawT[i])
    // What tcp adds before proving by construction: loading the setup and checking r1cs, wasm and zkey hashes.
    const loadT = []
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      await loadSetup(cacheDir, size)
      loadT.push(performance.now() - t)
    }
    console.log(`prove in process, tcp proveWindow: ${fmt(tcpT)}`)
    console.log(`prove in process, raw snarkjs fullProve: ${fmt(rawT)}`)
    console.log(`tcp / raw per run: ${fmt(ratios, 'x', 2)} (target <= 1.10)`)
    console.log(`tcp's own work before proving (loadSetup with hash checks): ${fmt(loadT, 'ms', 1)}`)
    console.log(`proof ${proofBytes} bytes (JSON)`)

    // The same with the curve's worker threads kept between proofs (what a long-running prover would see; tcp
    // stops them after each proof so that the process can exit).
    await sj.groth16.fullProve(input, c.wasm, s.zkey)
    const warmT = []
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      await sj.groth16.fullProve(input, c.wasm, s.zkey)
      warmT.push((performance.now() - t) / 1000)
    }
    console.log(`prove in process, raw snarkjs fullProve, curve kept loaded: ${fmt(warmT)}`)

    // Verify in process once the curve is loaded: groth16.verify repeated with the curve kept.
    const {proof, publicSignals} = await sj.groth16.fullProve(input, c.wasm, s.zkey)
    const ok = await sj.groth16.verify(vk, publicSignals, proof)
    if (!ok) throw new Error('proof does not verify')
    const vT = []
    for (let r = 0; r < Math.max(runs, 10); r++) {
      const t = performance.now()
      await sj.groth16.verify(vk, publicSignals, proof)
      vT.push((performance.now() - t) * 1)
    }
    await releaseCurve()
    console.log(`verify in process after load (snarkjs): ${fmt(vT, 'ms', 1)} (target <= 50 ms)`)
    // tcp verify's own pairing check (noble bn254, src/core/zk/groth16.ts) on the same proof: first call, then warm.
    const {groth16Verify} = await import('../dist/core/zk/groth16.js')
    const big = publicSignals.map((x) => BigInt(x))
    let t1 = performance.now()
    if (!groth16Verify(vk, big, proof)) throw new Error('noble does not verify the proof')
    const nobleCold = performance.now() - t1
    const nT = []
    for (let r = 0; r < Math.max(runs, 10); r++) {
      t1 = performance.now()
      groth16Verify(vk, big, proof)
      nT.push(performance.now() - t1)
    }
    console.log(`verify in process, noble bn254 (what tcp verify runs): first ${nobleCold.toFixed(1)} ms, then ${fmt(nT, 'ms', 1)}`)

    // Whole processes.
    const pw = []
    const pm = []
    const vw = []
    const vm = []
    for (let r = 0; r < runs; r++) {
      const p = timed(['prove', '--baseline', 'b.dsse.json', '--pub', 'k.pub', '--window', `w${size}.jsonl`, '--feature', 'latency_ms', '--size', String(size), '--out', `p${size}.json`, '--force'])
      pw.push(p.wall)
      pm.push(p.rssMb)
      const v = timed(['verify', `p${size}.json`, '--baseline', 'b.dsse.json', '--pub', 'k.pub'])
      vw.push(v.wall)
      vm.push(v.rssMb)
    }
    console.log(`tcp prove process: wall ${fmt(pw)}; peak RSS ${fmt(pm, 'MB', 0)}`)
    console.log(`tcp verify process: wall ${fmt(vw)}; peak RSS ${fmt(vm, 'MB', 0)}`)
  }
} finally {
  await releaseCurve()
  rmSync(work, {recursive: true, force: true})
}
