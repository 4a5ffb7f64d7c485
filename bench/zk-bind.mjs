// Cost of the log-binding check of a proof bundle (src/core/zk/bind.ts) against plain log verification, on one
// agent's log with windows of 8 entries: a bundle that binds to no window makes the check recompute every window
// (one SHA3-256 and one Poseidon each), the worst case. Usage: node scripts/build.mjs && node bench/zk-bind.mjs [ENTRIES...]
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const core = (p) => import(join(root, 'dist', 'core', p))
const {appendToLog} = await core('log/append.js')
const {verifyLogFile} = await core('log/verify.js')
const {createBaseline, baselineDigest} = await core('baseline/baseline.js')
const {checkLogBinding} = await core('zk/bind.js')
const {generateKeyPair, keyIdOf} = await core('keys/keys.js')

const T0 = Date.parse('2026-01-01T00:00:00Z')
const sizes = process.argv.slice(2).map(Number)
for (const N of sizes.length ? sizes : [2000, 20000]) {
  const kp = generateKeyPair('ed25519')
  const trust = {keys: [{type: 'ed25519', publicKey: kp.publicKey, keyId: keyIdOf(kp.publicKey)}], revoked: new Set(), source: 'bench'}
  const now = T0 + N * 1000 + 3_600_000
  const obs = Array.from({length: N}, (_, i) => ({agent: null, time: T0 + i * 1000, values: {latency_ms: 200 + ((i * 7) % 11), call_rate: 10 + (i % 3)}}))
  const dir = mkdtempSync(join(tmpdir(), 'tcp-bench-bind-'))
  const log = join(dir, 'a.log')
  appendToLog({log, key: {...kp, keyId: keyIdOf(kp.publicKey)}, agent: 'a', observations: obs, window: 8, checkpointEvery: 1000, now})
  const b = createBaseline({features: ['latency_ms', 'call_rate'], rows: obs}, {subject: 'bench', created: new Date(T0).toISOString()})
  let t = performance.now()
  const r = verifyLogFile(log, {trust, now})
  const verifyMs = performance.now() - t
  t = performance.now()
  const c = checkLogBinding({feature: 'latency_ms', commitment: '1', circuit: {size: 8}}, {baseline: b, digest: baselineDigest(b), path: log, log: {trust, now}})
  const bindMs = performance.now() - t
  if (!r.ok || c.check.ok) throw new Error('bench: the log must verify and the unbound commitment must be refused')
  console.log(`${N} entries, ${N / 8} windows: log verify ${verifyMs.toFixed(0)} ms, log-binding (every window) ${bindMs.toFixed(0)} ms = ${(bindMs / verifyMs).toFixed(1)}x, ${(bindMs / (N / 8)).toFixed(2)} ms/window; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`)
  rmSync(dir, {recursive: true, force: true})
}
