#!/usr/bin/env node
// Figures of the log issue (tcp.log/v1), measured in one run on this machine (run after `node scripts/build.mjs`):
//   1. Append throughput (entries/s) through the core and through `tcp log append` as a whole process, with a
//      checkpoint every 1000 entries (the default) and with a signature on every entry (--checkpoint-every 1).
//   2. Verify throughput against raw node:crypto Ed25519 verify of the same number of messages (ratio, same run).
//   3. `tcp verify LOG --fleet DIR` of a seeded honest fleet (agents x entries), whole process: seconds and peak
//      RSS as the fleet grows.
// Usage: node bench/log.mjs [--entries 20000] [--fleet 250x1000,500x1000,1000x1000] [--seed 7] [--json]
import {spawnSync} from 'node:child_process'
import {createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {entries: {type: 'string', default: '20000'}, fleet: {type: 'string', default: '250x1000,500x1000,1000x1000'}, seed: {type: 'string', default: '7'}, json: {type: 'boolean'}}})
const N = Number(opt.entries)
const seed = Number(opt.seed)
const core = (p) => import(join(root, 'dist', 'core', p))
const {appendToLog} = await core('log/append.js')
const {verifyLogFile} = await core('log/verify.js')
const {simulateFleet} = await core('log/simulate.js')
const {generateKeyPair, keyIdOf, encodePublicKeyPem, encodePrivateKeyFile} = await core('keys/index.js')
const {Rng} = await core('rng.js')

const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-log-'))
const out = {seed, entries: N}
const say = (s) => !opt.json && console.log(s)
const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9
const kp = generateKeyPair('ed25519')
const trust = {keys: [{type: 'ed25519', publicKey: kp.publicKey, keyId: keyIdOf(kp.publicKey)}], revoked: new Set(), source: 'bench'}
const rng = new Rng(seed)
const start = Date.parse('2026-01-01T00:00:00Z')
const observations = Array.from({length: N}, (_, i) => ({agent: null, time: start + i * 1000, values: {tool_risk_accuracy: Math.round((0.94 + rng.normal() * 0.02) * 1e4) / 1e4, risk_bias: Math.round(rng.normal() * 300) / 1e4, call_rate: Math.round((12 + rng.normal() * 2.5) * 100) / 100, latency_ms: Math.round((240 + rng.normal() * 35) * 10) / 10}}))
say(`seed ${seed}; ${N} observations of 4 features; node ${process.version}`)

// 1. Append (core), two signing modes.
for (const [mode, every] of [['checkpoint/1000', 1000], ['per-entry', 1]]) {
  const log = join(dir, `append-${every}.log`)
  const t0 = process.hrtime.bigint()
  appendToLog({log, key: kp, agent: 'bench', observations, checkpointEvery: every, now: start + N * 1000})
  const s = secs(t0)
  out[`append ${mode}`] = {seconds: s, entriesPerSecond: N / s}
  say(`append (core, ${mode}): ${N} entries in ${s.toFixed(2)} s = ${Math.round(N / s)} entries/s`)
}
// ... and through the CLI as a whole process (start-up, key file, parsing the observations file included).
writeFileSync(join(dir, 'k.key'), encodePrivateKeyFile(kp, {}))
writeFileSync(join(dir, 'obs.jsonl'), observations.map((o) => JSON.stringify({agent: 'bench', time: new Date(o.time).toISOString(), ...o.values})).join('\n') + '\n')
{
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'log', 'append', '--key', join(dir, 'k.key'), '--log', join(dir, 'cli.log'), '--from', join(dir, 'obs.jsonl')], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, TCP_NO_CONFIG: '1'}})
  if (r.status !== 0) throw new Error(`tcp log append exited ${r.status}: ${r.stderr}`)
  const s = secs(t0)
  out['append cli'] = {seconds: s, entriesPerSecond: N / s}
  say(`append (tcp log append, whole process): ${N} entries in ${s.toFixed(2)} s = ${Math.round(N / s)} entries/s`)
}

// 2. Verify against raw Ed25519 verify of N distinct messages (the entry lines, each signed, as per-entry
// signatures would need).
{
  const lines = readFileSync(join(dir, 'append-1000.log'), 'utf8').trim().split('\n').filter((l) => l.includes('"tcp.log/v1"'))
  const sk = createPrivateKey({key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(kp.secretKey)]), format: 'der', type: 'pkcs8'})
  const pk = createPublicKey(sk)
  const msgs = lines.map((l) => Buffer.from(l))
  const sigs = msgs.map((m) => nodeSign(null, m, sk))
  let t0 = process.hrtime.bigint()
  let okCount = 0
  for (let i = 0; i < msgs.length; i++) okCount += nodeVerify(null, msgs[i], pk, sigs[i]) ? 1 : 0
  const raw = secs(t0)
  if (okCount !== msgs.length) throw new Error('raw verify failed')
  out['raw ed25519 verify'] = {seconds: raw, perSecond: N / raw}
  say(`raw node:crypto Ed25519 verify: ${N} messages in ${raw.toFixed(2)} s = ${Math.round(N / raw)}/s`)
  for (const [mode, every] of [['checkpoint/1000', 1000], ['per-entry', 1]]) {
    t0 = process.hrtime.bigint()
    const r = verifyLogFile(join(dir, `append-${every}.log`), {trust, now: start + N * 1000})
    const s = secs(t0)
    if (!r.ok) throw new Error(`verify failed: ${JSON.stringify(r.checks)}`)
    out[`verify ${mode}`] = {seconds: s, entriesPerSecond: N / s, ratioToRaw: raw / s}
    say(`verify (core, ${mode}): ${N} entries in ${s.toFixed(2)} s = ${Math.round(N / s)} entries/s = ${(raw / s).toFixed(2)}x raw`)
  }
}

// 3. Fleet verification as a whole process, growing.
const timeBin = '/usr/bin/time'
for (const spec of opt.fleet.split(',').filter(Boolean)) {
  const [agents, entries] = spec.split('x').map(Number)
  const fdir = join(dir, `fleet-${spec}`)
  let t0 = process.hrtime.bigint()
  const sim = simulateFleet({dir: fdir, agents, entries, seed, messageRate: 0.05, checkpointEvery: 100})
  const simS = secs(t0)
  t0 = process.hrtime.bigint()
  const args = [process.execPath, join(root, 'bin', 'run.js'), 'verify', sim.agents[0].file, '--trust', sim.trustDir, '--fleet', fdir, '--at', new Date(sim.lastTimeMs + 1000).toISOString(), '--json']
  const r = spawnSync(timeBin, ['-f', '%M', ...args], {encoding: 'utf8', maxBuffer: 1 << 26, env: {...process.env, TCP_NO_CONFIG: '1'}})
  const s = secs(t0)
  const rep = JSON.parse(r.stdout)
  if (r.status !== 0 || !rep.report.ok) throw new Error(`fleet verify exited ${r.status}: ${r.stderr.slice(0, 400)}`)
  const peakMB = Number(r.stderr.trim().split('\n').at(-1)) / 1024
  out[`fleet ${spec}`] = {agents, entries: sim.entries, references: sim.references, simulateSeconds: simS, verifySeconds: s, peakRssMB: peakMB}
  say(`fleet ${agents} agents x ${entries} entries (${sim.entries} entries, ${sim.references} references): tcp verify --fleet ${s.toFixed(1)} s, peak RSS ${peakMB.toFixed(0)} MB (writing it took ${simS.toFixed(1)} s)`)
  rmSync(fdir, {recursive: true, force: true})
}
rmSync(dir, {recursive: true, force: true})
if (opt.json) console.log(JSON.stringify(out, null, 2))
