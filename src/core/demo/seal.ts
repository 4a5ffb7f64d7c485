/**
 * Sealing step of `tcp demo`: the raw sample telemetry is private, so it is sealed at rest to the demo's X25519
 * recipient key (from the foundation step, or a key made here when that step did not provide one), unsealed with
 * the encrypted identity key, compared with the original, and a copy with one changed byte is shown rejected.
 */
import {join} from 'node:path'
import {readFile, writeFile} from 'node:fs/promises'
import {existsSync} from 'node:fs'
import {equalBytes, utf8} from '../bytes.js'
import {TcpError} from '../errors.js'
import {generateKeyPair, writeKeyPair} from '../keys/index.js'
import {runSeal, runUnseal} from '../seal/job.js'
import type {DemoContext, DemoStep, DemoStepResult} from './index.js'

async function recipientKeys(ctx: DemoContext): Promise<{pub: string; key: string}> {
  const {x25519Pub: pub, x25519Key: key} = ctx.artifacts
  if (pub && key) return {pub, key}
  const made = await writeKeyPair(join(ctx.dir, 'seal-keys', 'recipient'), generateKeyPair('x25519'), {passphrase: utf8(ctx.passphrase)})
  return {pub: made.pub, key: made.key}
}

async function sealStep(ctx: DemoContext): Promise<DemoStepResult> {
  const keys = await recipientKeys(ctx)
  const sealedPath = join(ctx.dir, 'telemetry.jsonl.age')
  const outPath = join(ctx.dir, 'telemetry.unsealed.jsonl')
  const keyPassphrase = async () => utf8(ctx.passphrase)
  const s = await runSeal({file: ctx.samplePath, out: sealedPath, recipients: [keys.pub]})
  const u = await runUnseal({file: sealedPath, out: outPath, identities: [keys.key], keyPassphrase})
  const same = equalBytes(new Uint8Array(await readFile(ctx.samplePath)), new Uint8Array(await readFile(outPath)))

  // A copy with one byte changed in the middle of the payload must be rejected, and release nothing.
  const tampered = new Uint8Array(await readFile(sealedPath))
  tampered[tampered.length >> 1]! ^= 0x01
  const tamperedPath = join(ctx.dir, 'telemetry.tampered.age')
  const tamperedOut = join(ctx.dir, 'telemetry.tampered.jsonl')
  await writeFile(tamperedPath, tampered)
  let rejection = ''
  try {
    await runUnseal({file: tamperedPath, out: tamperedOut, identities: [keys.key], keyPassphrase})
  } catch (e) {
    if (!(e instanceof TcpError) || e.code !== 'rejected') throw e
    rejection = e.message
  }
  const ok = same && rejection !== '' && !existsSync(tamperedOut)
  Object.assign(ctx.artifacts, {sealedTelemetry: sealedPath})
  return {
    step: 'seal',
    ok,
    summary: ok
      ? `raw telemetry (${s.plaintextBytes} bytes) sealed to X25519 key ${s.recipientKeyIds[0]} in ${s.chunks} STREAM chunk(s), unsealed identical; a copy with one byte changed was rejected (${rejection.split(':')[0]})`
      : `unexpected: unsealed identical ${same}, tampered copy ${rejection ? 'rejected' : 'ACCEPTED'}`,
    details: {sealedBytes: s.sealedBytes, chunks: s.chunks, identityKeyId: u.identityKeyId, tamperedRejection: rejection},
  }
}

export const steps: DemoStep[] = [{name: 'seal the raw telemetry, unseal it, reject a tampered copy', run: sealStep}]
