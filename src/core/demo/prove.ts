/**
 * Prove steps of `tcp demo`, at the smallest circuit size (N = 8): setup (cached), a proof that a healthy agent's
 * window stays within the signed baseline, its verification under the 2-of-2 trust directory, a tampered copy
 * rejected, and no proof for the compromised agent's window. Uses ctx.artifacts from foundation.ts.
 * Cache: TCP_CACHE_DIR, else $XDG_CACHE_HOME/tcp or ~/.cache/tcp (oclif's cache folder on Linux; the demo context
 * does not carry oclif's cacheDir), so the ceremony runs once per machine.
 */
import {homedir} from 'node:os'
import {join} from 'node:path'
import {readFileText, readJsonFile, writeFileAtomic} from '../io.js'
import {parseObservations, filterAgent, type ObservationSet} from '../baseline/observations.js'
import {trustFromDirectory} from '../envelope/trust.js'
import {openSignedBaseline} from '../envelope/verify.js'
import {resolveCacheDir} from '../zk/artifacts.js'
import type {DemoContext, DemoStep, DemoStepResult} from './index.js'

const SIZE = 8
const cacheDir = () => resolveCacheDir(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tcp'))

async function opened(ctx: DemoContext) {
  const trust = await trustFromDirectory(ctx.artifacts.trustDir!)
  const doc = await readJsonFile(ctx.artifacts.signedBaseline!, {what: 'signed baseline'})
  return {trust, doc, ...openSignedBaseline(doc, {trust, threshold: 2})}
}

async function windowOf(path: string, limit?: number): Promise<ObservationSet> {
  const obs = filterAgent(parseObservations(await readFileText(path, {what: 'window'}), path), undefined)
  return limit ? {features: obs.features, rows: obs.rows.slice(0, limit)} : obs
}

async function setupStep(): Promise<DemoStepResult> {
  const {setupCircuit} = await import('../zk/setup.js')
  const s = await setupCircuit({cacheDir: cacheDir(), size: SIZE})
  const r = s.record
  return {
    step: 'zk-setup',
    ok: true,
    summary: `${s.reused ? 'cached' : 'new'} Groth16 setup for ${r.circuit}-${SIZE}: ${r.constraints} constraints, ceremony power ${r.power}, key ${r.verificationKeySha3.slice(0, 16)}...`,
    // A cached setup was read, not written: its directory is an input then.
    details: {reused: s.reused, ...(s.reused ? {setupDir: s.compiled.dir} : {}), contributions: [...r.ptau.contributions, ...r.phase2], seconds: r.seconds},
    ...(s.reused ? {} : {written: {setup: s.compiled.dir}}),
  }
}

async function proveStep(ctx: DemoContext): Promise<DemoStepResult> {
  const {proveWindowValues} = await import('../zk/prove.js')
  const {baseline, digest} = await opened(ctx)
  const feature = ctx.artifacts.feature!
  const r = await proveWindowValues({cacheDir: cacheDir(), baseline, digest, feature, observations: await windowOf(ctx.artifacts.healthyWindow!, SIZE), size: SIZE})
  if (!r.proved) return {step: 'prove', ok: false, summary: `the healthy window got no proof: ${r.breaks}`}
  const out = join(ctx.dir, 'proof.json')
  await writeFileAtomic(out, JSON.stringify(r.bundle, null, 2) + '\n', {what: 'proof bundle', force: true})
  ctx.artifacts.proof = out
  return {step: 'prove', ok: true, summary: `proved ${feature} of ${r.bundle.n} observations of a healthy agent within the baseline (k = 3) in ${r.proveSeconds.toFixed(2)} s; only a commitment is revealed`}
}

async function verifyProofStep(ctx: DemoContext): Promise<DemoStepResult> {
  const {verifySignedProofBundle} = await import('../zk/verify.js')
  const {trust, doc} = await opened(ctx)
  const bundle = await readJsonFile(ctx.artifacts.proof!, {what: 'proof bundle'})
  const rep = await verifySignedProofBundle(bundle, doc, {trust, threshold: 2, cacheDir: cacheDir()})
  const tampered = structuredClone(bundle) as {publicSignals: string[]}
  tampered.publicSignals[5] = String(BigInt(tampered.publicSignals[5]!) + 1n)
  const bad = await verifySignedProofBundle(tampered, doc, {trust, threshold: 2, cacheDir: cacheDir()})
  const failed = bad.checks.find((c) => !c.ok)
  const ok = rep.ok && !bad.ok
  return {
    step: 'verify-proof',
    ok,
    summary: ok ? `proof verified (${rep.checks.length} checks); a copy with a raised upper bound rejected at ${failed?.check}` : `unexpected: ${JSON.stringify(rep.ok ? bad.checks : rep.checks)}`,
  }
}

async function deviationStep(ctx: DemoContext): Promise<DemoStepResult> {
  const {proveWindowValues} = await import('../zk/prove.js')
  const {baseline, digest} = await opened(ctx)
  const r = await proveWindowValues({cacheDir: cacheDir(), baseline, digest, feature: ctx.artifacts.feature!, observations: await windowOf(ctx.artifacts.window!)})
  return r.proved
    ? {step: 'no-proof-for-deviation', ok: false, summary: 'unexpected: the compromised window was proved'}
    : {step: 'no-proof-for-deviation', ok: true, summary: `the compromised agent's window gets no proof (tcp prove exits 3): ${r.breaks}`}
}

export const steps: DemoStep[] = [
  {name: 'zk-setup', run: setupStep},
  {name: 'prove', run: proveStep},
  {name: 'verify-proof', run: verifyProofStep},
  {name: 'no-proof-for-deviation', run: deviationStep},
]
