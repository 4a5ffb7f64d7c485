// tcp seal (age v1, node:crypto ChaCha20-Poly1305, output fsynced then renamed) against `age -e` (Go; no fsync),
// both as whole processes on the same file, alternating, in one run. Prints wall times and their ratio (medians).
//   node bench/age.mjs [--mib 256] [--rounds 3] [--seed N]
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, openSync, writeSync, closeSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {performance} from 'node:perf_hooks'
import {Rng, parseSeed, randomSeed} from '../dist/core/rng.js'
import {sealFile} from '../dist/core/seal/index.js'
import {parseRecipient} from '../dist/core/seal/recipients.js'

const {values} = parseArgs({options: {mib: {type: 'string', default: '256'}, rounds: {type: 'string', default: '3'}, seed: {type: 'string'}}})
const mib = Number(values.mib)
const rounds = Number(values.rounds)
const seed = values.seed ? parseSeed(values.seed) : randomSeed()
if (spawnSync('age', ['--version']).status !== 0) throw new Error('the age binary is needed (apt install age)')
const dir = mkdtempSync(join(tmpdir(), 'tcp-age-bench-'))
try {
  const input = join(dir, 'input')
  const block = new Rng(seed).bytes(1 << 20)
  const fd = openSync(input, 'w')
  for (let i = 0; i < mib; i++) writeSync(fd, block)
  closeSync(fd)
  execFileSync('age-keygen', ['-o', join(dir, 'id.txt')], {stdio: 'ignore'})
  const rec = execFileSync('age-keygen', ['-y', join(dir, 'id.txt')]).toString().trim()
  const bin = new URL('../bin/run.js', import.meta.url).pathname
  const time = (cmd, args) => {
    const t = performance.now()
    const r = spawnSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe']})
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`)
    return (performance.now() - t) / 1000
  }
  const tcp = []
  const age = []
  const startup = []
  const inproc = []
  for (let i = 0; i < rounds; i++) {
    rmSync(join(dir, 'in.age'), {force: true})
    const t0 = performance.now()
    await sealFile(input, join(dir, 'in.age'), {recipients: [parseRecipient(rec).publicKey]})
    inproc.push((performance.now() - t0) / 1000)
    startup.push(time(process.execPath, [bin, 'seal', '--help']))
    rmSync(join(dir, 'tcp.age'), {force: true})
    tcp.push(time(process.execPath, [bin, 'seal', input, '-r', rec, '-o', join(dir, 'tcp.age')]))
    age.push(time('age', ['-e', '-r', rec, '-o', join(dir, `age${i}.age`), input]))
    rmSync(join(dir, `age${i}.age`), {force: true})
  }
  // The tcp output opens with age -d (checked here, outside the timing).
  execFileSync('age', ['-d', '-i', join(dir, 'id.txt'), '-o', join(dir, 'back'), join(dir, 'tcp.age')])
  if (!readFileSync(join(dir, 'back')).subarray(0, 1 << 20).equals(Buffer.from(block))) throw new Error('round trip through age -d differs')
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]
  console.log(`seed ${seed}; ${mib} MiB; ${rounds} alternating rounds; wall time of whole processes (tcp includes Node start-up and fsync)`)
  console.log(`tcp seal  ${tcp.map((t) => t.toFixed(2)).join(' ')} s  median ${med(tcp).toFixed(2)} s`)
  console.log(`age -e    ${age.map((t) => t.toFixed(2)).join(' ')} s  median ${med(age).toFixed(2)} s`)
  console.log(`tcp start-up (tcp seal --help) median ${med(startup).toFixed(2)} s`)
  console.log(`sealFile in this process (no start-up, fsync included) ${inproc.map((t) => t.toFixed(2)).join(' ')} s  median ${med(inproc).toFixed(2)} s; ratio to age ${(med(inproc) / med(age)).toFixed(2)}x`)
  console.log(`ratio tcp/age ${(med(tcp) / med(age)).toFixed(2)}x`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
