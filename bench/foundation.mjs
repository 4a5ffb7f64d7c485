#!/usr/bin/env node
// Figures of the foundation issue, measured in one run on this machine (run after `npm run build`):
//   1. `tcp verify` of one signed baseline as a whole process, against `node -e 0` (target: at most 3x).
//   2. Verifying 10,000 signed envelopes in one call through the core (every core of the machine: worker threads),
//      against a raw single-threaded node:crypto Ed25519 verify loop over the same PAE bytes and signatures
//      (target: at least 1.0x raw throughput).
// Usage: node bench/foundation.mjs [--runs 21] [--envelopes 10000] [--json]
import {spawnSync} from 'node:child_process'
import {createPublicKey, verify as nodeVerify} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {runs: {type: 'string', default: '21'}, envelopes: {type: 'string', default: '10000'}, json: {type: 'boolean'}}})
const runs = Number(opt.runs)
const N = Number(opt.envelopes)

const core = (p) => import(join(root, 'dist', 'core', p))
const {generateKeyPair, keyIdOf, encodePublicKeyPem} = await core('keys/index.js')
const {createEnvelope, pae, encodeEnvelope} = await core('envelope/dsse.js')
const {verifyEnvelopeBatch} = await core('envelope/verify.js')
const {createBaseline, baselineBytes, parseObservations} = await core('baseline/index.js')
const {BASELINE_PAYLOAD_TYPE} = await core('baseline/types.js')
const {generateSample} = await core('sample/telemetry.js')

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}
const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-'))
const kp = generateKeyPair('ed25519')
const trust = {keys: [{type: 'ed25519', publicKey: kp.publicKey, keyId: keyIdOf(kp.publicKey)}], revoked: new Set(), source: 'bench'}
const obs = parseObservations(generateSample({agents: 2, observations: 50, compromised: 0, seed: 1}).text)
const base = createBaseline(obs, {subject: 'bench/0', created: '2026-01-01T00:00:00.000Z'})

// 1. Process start-up.
writeFileSync(join(dir, 'k.pub'), encodePublicKeyPem('ed25519', kp.publicKey))
writeFileSync(join(dir, 'b.dsse.json'), encodeEnvelope(createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes(base), kp)))
const time = (args) => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {stdio: 'ignore', env: {...process.env, TCP_NO_CONFIG: '1'}})
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const nodeMs = []
const verifyMs = []
for (let i = 0; i < runs; i++) {
  nodeMs.push(time(['-e', '0']))
  verifyMs.push(time([join(root, 'bin', 'run.js'), 'verify', join(dir, 'b.dsse.json'), '--pub', join(dir, 'k.pub')]))
}
const startup = {nodeMs: median(nodeMs), verifyMs: median(verifyMs)}
startup.ratio = startup.verifyMs / startup.nodeMs

// 2. Batch verification.
const envs = []
for (let i = 0; i < N; i++) envs.push(createEnvelope(BASELINE_PAYLOAD_TYPE, baselineBytes({...base, subject: `bench/${i}`}), kp))
const text = envs.map((e) => JSON.stringify(e)).join('\n')
const raw = envs.map((e) => ({msg: pae(e.payloadType, Buffer.from(e.payload, 'base64')), sig: Buffer.from(e.signatures[0].sig, 'base64')}))
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), kp.publicKey])
// process.cpuUsage counts every thread of the process, worker threads included: cpu / wall = cores actually used.
let cpu = 0
const rawRun = () => {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const key = createPublicKey({key: spki, format: 'der', type: 'spki'})
  let ok = 0
  for (const r of raw) if (nodeVerify(null, r.msg, key, r.sig)) ok++
  if (ok !== N) throw new Error('raw verify failed')
  cpu = process.cpuUsage(c0)
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const coreRun = async () => {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const r = await verifyEnvelopeBatch(text, {trust})
  if (r.verified !== N) throw new Error(`core verified ${r.verified} of ${N}: ${r.rejected[0]?.reason}`)
  cpu = process.cpuUsage(c0)
  return Number(process.hrtime.bigint() - t0) / 1e6
}
rawRun(), await coreRun() // warm-up
const rawMs = []
const coreMs = []
const rawCpu = []
const coreCpu = []
const cpuMs = () => (cpu.user + cpu.system) / 1000
for (let i = 0; i < 5; i++) rawMs.push(rawRun()), rawCpu.push(cpuMs()), coreMs.push(await coreRun()), coreCpu.push(cpuMs())
const batch = {envelopes: N, rawMs: median(rawMs), coreMs: median(coreMs)}
batch.rawPerSec = Math.round(N / (batch.rawMs / 1000))
batch.corePerSec = Math.round(N / (batch.coreMs / 1000))
batch.ratio = batch.corePerSec / batch.rawPerSec
batch.rawCpuMs = median(rawCpu)
batch.coreCpuMs = median(coreCpu)
batch.coresUsed = {raw: batch.rawCpuMs / batch.rawMs, core: batch.coreCpuMs / batch.coreMs}
rmSync(dir, {recursive: true, force: true})

const os = await import('node:os')
const result = {machine: `${process.version}, ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)} at the end`, startup, batch}
if (opt.json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`tcp verify, whole process (median of ${runs}): ${startup.verifyMs.toFixed(0)} ms; node -e 0: ${startup.nodeMs.toFixed(0)} ms; ratio ${startup.ratio.toFixed(2)}x (target <= 3x: ${startup.ratio <= 3 ? 'holds' : 'DOES NOT HOLD'})`)
  console.log(`verify ${N} envelopes in one call: core ${batch.corePerSec}/s (${batch.coreMs.toFixed(0)} ms), raw node:crypto ${batch.rawPerSec}/s (${batch.rawMs.toFixed(0)} ms); ratio ${batch.ratio.toFixed(2)}x (target >= 1.0x: ${batch.ratio >= 1 ? 'holds' : 'DOES NOT HOLD'})`)
  console.log(`  CPU time of all threads: core ${batch.coreCpuMs.toFixed(0)} ms on ${batch.coresUsed.core.toFixed(2)} cores on average, raw ${batch.rawCpuMs.toFixed(0)} ms on ${batch.coresUsed.raw.toFixed(2)}; CPU per envelope core/raw ${(batch.coreCpuMs / batch.rawCpuMs).toFixed(2)}x`)
  console.log(result.machine)
}
