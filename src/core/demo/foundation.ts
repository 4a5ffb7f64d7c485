/**
 * Foundation steps of `tcp demo`: keys, a baseline of the fleet's healthy period, two signatures, threshold
 * verification, a tampered copy, a window check of the compromised agent and of a healthy one.
 * Sets ctx.artifacts: key, pub, key2, pub2, trustDir, x25519Key, x25519Pub, baseline, signedBaseline, window,
 * healthyWindow, feature, agent.
 */
import {mkdirSync, copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {utf8, fromBase64, toBase64} from '../bytes.js'
import {readFileText, readJsonFile, writeFileAtomic} from '../io.js'
import {generateKeyPair, writeKeyPair, readPrivateKeyFile} from '../keys/index.js'
import {parseObservations, createBaseline, checkWindow, type ObservationSet} from '../baseline/index.js'
import {signFile} from '../envelope/sign.js'
import {addSignature, encodeEnvelope} from '../envelope/dsse.js'
import {trustFromDirectory} from '../envelope/trust.js'
import {verifyEnvelopeReport} from '../envelope/verify.js'
import type {DemoContext, DemoStep} from './index.js'

const jsonl = (o: ObservationSet) =>
  o.rows.map((r) => JSON.stringify({agent: r.agent, time: new Date(r.time).toISOString(), ...r.values})).join('\n') + '\n'

/** The sample's drift starts halfway through each agent's observations; the demo's baseline uses the first half. */
function split(obs: ObservationSet) {
  const times = [...new Set(obs.rows.map((r) => r.time))].sort((a, b) => a - b)
  const cut = times[Math.floor(times.length / 2)]!
  return {
    early: {features: obs.features, rows: obs.rows.filter((r) => r.time < cut)},
    late: (agent: string) => ({features: obs.features, rows: obs.rows.filter((r) => r.time >= cut && r.agent === agent)}),
  }
}

async function keysStep(ctx: DemoContext) {
  const dir = join(ctx.dir, 'keys')
  const trustDir = join(ctx.dir, 'trust')
  mkdirSync(trustDir, {recursive: true})
  const passphrase = utf8(ctx.passphrase)
  const a = await writeKeyPair(join(dir, 'alice'), generateKeyPair('ed25519'), {passphrase})
  const b = await writeKeyPair(join(dir, 'bob'), generateKeyPair('ed25519'), {passphrase})
  const x = await writeKeyPair(join(dir, 'ops-recipient'), generateKeyPair('x25519'), {passphrase})
  copyFileSync(a.pub, join(trustDir, 'alice.pub'))
  copyFileSync(b.pub, join(trustDir, 'bob.pub'))
  Object.assign(ctx.artifacts, {key: a.key, pub: a.pub, key2: b.key, pub2: b.pub, trustDir, x25519Key: x.key, x25519Pub: x.pub})
  return {step: 'keys', ok: true, summary: `signers alice ${a.keyId} and bob ${b.keyId} (encrypted, scrypt + XChaCha20-Poly1305), X25519 recipient ${x.keyId}`}
}

async function baselineStep(ctx: DemoContext) {
  const obs = parseObservations(await readFileText(ctx.samplePath, {what: 'sample'}), ctx.samplePath)
  const {early, late} = split(obs)
  const b = createBaseline(early, {subject: 'demo-fleet/agents'})
  const path = join(ctx.dir, 'baseline.json')
  await writeFileAtomic(path, JSON.stringify(b, null, 2) + '\n')
  const pass = async () => utf8(ctx.passphrase)
  const alice = await readPrivateKeyFile(ctx.artifacts.key!, pass)
  const bob = await readPrivateKeyFile(ctx.artifacts.key2!, pass)
  const signed = addSignature(signFile(path, utf8(JSON.stringify(b)), alice).envelope, bob)
  const signedPath = join(ctx.dir, 'baseline.dsse.json')
  await writeFileAtomic(signedPath, encodeEnvelope(signed))
  // Windows for later steps, chosen from the sample's ground truth (examples/telemetry.truth.json, written by the
  // same tcp sample run), not from the check's own verdict: the compromised agent's late observations, and a
  // healthy agent's.
  const truth = (await readJsonFile(ctx.samplePath.replace(/\.jsonl$/, '.truth.json'), {what: 'sample ground truth'})) as {compromisedAgents: string[]}
  const agents = [...new Set(obs.rows.map((r) => r.agent!))]
  const bad = truth.compromisedAgents[0]!
  const good = agents.find((a) => !truth.compromisedAgents.includes(a))!
  const window = join(ctx.dir, `window-${bad}.jsonl`)
  const healthy = join(ctx.dir, `window-${good}.jsonl`)
  await writeFileAtomic(window, jsonl(late(bad)))
  await writeFileAtomic(healthy, jsonl(late(good)))
  const deviating = checkWindow(b, late(bad), '3').deviating
  Object.assign(ctx.artifacts, {baseline: path, signedBaseline: signedPath, window, healthyWindow: healthy, agent: bad, feature: deviating[0] ?? 'risk_bias'})
  return {step: 'baseline', ok: true, summary: `baseline of ${b.window.observations} observations (${Object.keys(b.features).length} features), signed by alice and bob`}
}

async function verifyStep(ctx: DemoContext) {
  const trust = await trustFromDirectory(ctx.artifacts.trustDir!)
  const doc = await readJsonFile(ctx.artifacts.signedBaseline!)
  const r = verifyEnvelopeReport(doc, {trust, threshold: 2})
  return {step: 'verify', ok: r.ok, summary: r.ok ? `2-of-2 threshold verified: ${r.checks.map((c) => c.check).join(', ')}` : `unexpected rejection: ${JSON.stringify(r.checks)}`}
}

async function tamperStep(ctx: DemoContext) {
  const trust = await trustFromDirectory(ctx.artifacts.trustDir!)
  const doc = (await readJsonFile(ctx.artifacts.signedBaseline!)) as {payload: string}
  const body = fromBase64(doc.payload)
  // Lower one digit of the payload: a forged, friendlier baseline.
  const at = Buffer.from(body).indexOf('"variance":') + 12
  body[at] = body[at] === 0x31 ? 0x32 : 0x31
  const tampered = {...doc, payload: toBase64(body)}
  await writeFileAtomic(join(ctx.dir, 'baseline.tampered.dsse.json'), JSON.stringify(tampered, null, 2))
  const r = verifyEnvelopeReport(tampered, {trust, threshold: 1})
  const failed = r.checks.find((c) => !c.ok)
  return {step: 'tamper', ok: !r.ok, summary: !r.ok ? `tampered copy rejected (${failed?.check}: ${failed?.detail})` : 'TAMPERED COPY ACCEPTED'}
}

async function checkStep(ctx: DemoContext) {
  const trust = await trustFromDirectory(ctx.artifacts.trustDir!)
  const doc = await readJsonFile(ctx.artifacts.signedBaseline!)
  const {baseline} = (await import('../envelope/verify.js')).openSignedBaseline(doc, {trust, threshold: 2})
  const bad = checkWindow(baseline, parseObservations(await readFileText(ctx.artifacts.window!)), '3')
  const good = checkWindow(baseline, parseObservations(await readFileText(ctx.artifacts.healthyWindow!)), '3')
  const ok = bad.deviating.length > 0 && good.deviating.length === 0
  const z = bad.features.filter((f) => f.deviates).map((f) => `${f.feature} z=${f.z.toFixed(1)}`).join(', ')
  return {step: 'check', ok, summary: `${ctx.artifacts.agent}: findings (${z}); healthy agent: within baseline`, details: {compromised: bad, healthy: good}}
}

export const steps: DemoStep[] = [
  {name: 'keys', run: keysStep},
  {name: 'baseline', run: baselineStep},
  {name: 'verify', run: verifyStep},
  {name: 'tamper', run: tamperStep},
  {name: 'check', run: checkStep},
]
