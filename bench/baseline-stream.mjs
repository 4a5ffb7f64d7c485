// Throughput and peak memory of `baseline create` reading JSONL (and CSV) as the input grows.
//   node bench/baseline-stream.mjs [MB ...]            default: 100 1000
//   node bench/baseline-stream.mjs --csv-field 60      one CSV record with a 60 MiB quoted field
// Each size runs in a fresh process (dist/core, i.e. after `node scripts/build.mjs`) that reports its own peak RSS
// (process.resourceUsage().maxRSS); the input is generated from a fixed seed into a temporary folder and deleted.
import {spawnSync} from 'node:child_process'
import {createWriteStream, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {once} from 'node:events'

const ROOT = join(import.meta.dirname, '..')
const args = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-baseline-'))

// The project's seeded generator (seed 1): the same file every run.
const {Rng} = await import(join(ROOT, 'dist/core/rng.js'))
function rng(seed) {
  const r = new Rng(seed)
  return () => r.float()
}

async function writeJsonl(path, bytes) {
  const r = rng(1)
  const out = createWriteStream(path)
  let written = 0
  let t = Date.parse('2026-01-01T00:00:00Z')
  while (written < bytes) {
    let chunk = ''
    for (let i = 0; i < 10000; i++) {
      const agent = `agent-0${1 + Math.floor(r() * 8)}`
      t += 1000
      chunk += `{"agent":"${agent}","time":"${new Date(t).toISOString()}","tool_risk_accuracy":${(0.9 + r() * 0.1).toFixed(4)},"risk_bias":${(r() * 0.01).toFixed(4)},"call_rate":${(8 + r() * 4).toFixed(2)},"latency_ms":${(200 + r() * 80).toFixed(1)}}\n`
    }
    written += Buffer.byteLength(chunk)
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

async function writeCsvField(path, mib) {
  const out = createWriteStream(path)
  // The agent column holds one quoted field of `mib` MiB: text with commas and one escaped quote per 64 KiB.
  out.write('time,agent,x\n2026-01-01T00:00:00Z,"')
  const block = 'lorem ipsum, dolor sit amet '.repeat(2340).padEnd(2 ** 16 - 2, '.') + '""'
  for (let i = 0; i < mib * 16; i++) if (!out.write(block)) await once(out, 'drain')
  out.write('",1\n2026-01-01T00:01:00Z,"",2\n2026-01-01T00:02:00Z,,3\n')
  out.end()
  await once(out, 'finish')
}

function measure(path) {
  const script = `
    const {createBaselineFromFile} = await import(${JSON.stringify(join(ROOT, 'dist/core/baseline/index.js'))})
    const {streamObservations} = await import(${JSON.stringify(join(ROOT, 'dist/core/baseline/index.js'))})
    const t0 = process.hrtime.bigint()
    const c0 = process.cpuUsage()
    let r
    try { const b = await createBaselineFromFile(${JSON.stringify(path)}, {subject: 'bench/x', ${path.endsWith('.csv') ? '' : "agent: 'agent-01', "}created: '2026-06-01T00:00:00Z'}); r = {observations: b.window.observations} }
    catch (e) { r = {error: String(e.message).slice(0, 200)} }
    const s = Number(process.hrtime.bigint() - t0) / 1e9
    const c = process.cpuUsage(c0)
    console.log(JSON.stringify({...r, seconds: s, cpuSeconds: (c.user + c.system) / 1e6, maxRssKiB: process.resourceUsage().maxRSS}))`
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})
  if (p.status !== 0) throw new Error(p.stderr)
  return JSON.parse(p.stdout)
}

try {
  if (args[0] === '--csv-field') {
    const mib = Number(args[1] ?? 60)
    const path = join(dir, 'field.csv')
    await writeCsvField(path, mib)
    const r = measure(path)
    console.log(`CSV, one ${mib} MiB quoted field: ${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} s of CPU), peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB ${r.error ? `(error: ${r.error})` : ''}`)
  } else {
    const sizes = args.length ? args.map(Number) : [100, 1000]
    // Wall-clock MB/s depends on what else runs on the machine; MB per CPU-second is this process's own rate.
    console.log(`load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`)
    console.log('size      bytes          seconds   MB/s   CPU s  MB/CPU-s  peak RSS   observations (agent-01)')
    for (const mb of sizes) {
      const path = join(dir, `obs-${mb}.jsonl`)
      await writeJsonl(path, mb * 1e6)
      const size = statSync(path).size
      const r = measure(path)
      console.log(`${String(mb).padStart(5)} MB  ${String(size).padStart(13)}  ${r.seconds.toFixed(2).padStart(7)}  ${(size / 1e6 / r.seconds).toFixed(1).padStart(6)}  ${r.cpuSeconds.toFixed(2).padStart(6)}  ${(size / 1e6 / r.cpuSeconds).toFixed(1).padStart(8)}  ${(r.maxRssKiB / 1024).toFixed(0).padStart(6)} MiB   ${r.observations ?? r.error}`)
      rmSync(path)
    }
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
