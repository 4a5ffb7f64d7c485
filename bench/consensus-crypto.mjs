#!/usr/bin/env node
// Per-operation costs behind `--crypto model` of tcp consensus (MEASURED_US in src/core/consensus/crypto.ts):
// Ed25519 sign/verify through tcp's node:crypto wrapper, and BLS12-381 (noble, long signatures: G1 keys, G2
// signatures) sign, aggregate-verify (two pairings), public-key and signature additions, and the model mode's tag
// (SipHash-2-4 of one vote under a 128-bit key). Medians of --runs repeats.
// Keys come from a seeded generator (simulation keys). Usage: node bench/consensus-crypto.mjs [--runs 3] [--json]
// (run `npm run build` first).
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {bls12_381 as bls} from '@noble/curves/bls12-381.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {runs: {type: 'string', default: '3'}, json: {type: 'boolean'}}})
const runs = Number(opt.runs)
const {ed25519} = await import(join(root, 'dist', 'core', 'crypto', 'ed25519.js'))
const {Rng} = await import(join(root, 'dist', 'core', 'rng.js'))
const {voteMessage} = await import(join(root, 'dist', 'core', 'consensus', 'crypto.js'))
const {siphash24Words} = await import(join(root, 'dist', 'core', 'consensus', 'siphash.js'))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const us = (fn, n) => {
  const t = performance.now()
  for (let i = 0; i < n; i++) fn(i)
  return ((performance.now() - t) * 1000) / n
}

const rng = new Rng(1)
const sipKeys = new Uint32Array(4 * 1024).map(() => rng.u32())
const B = bls.longSignatures
const blsKeys = Array.from({length: 64}, () => B.keygen(rng.bytes(48)))
const msg = voteMessage(1, 3, 0, 1)
const H = B.hash(msg)
const edSk = Array.from({length: 64}, () => rng.bytes(32))
const edPk = edSk.map((k) => ed25519.getPublicKey(k))
const edSig = edSk.map((k) => ed25519.sign(msg, k))
const blsSig = blsKeys.map((k) => B.sign(H, k.secretKey))
const aggSig = B.aggregateSignatures(blsSig)
const aggPk = B.aggregatePublicKeys(blsKeys.map((k) => k.publicKey))
if (!B.verify(aggSig, H, aggPk)) throw new Error('aggregate BLS signature did not verify')
const pks = Array.from({length: 10_000}, (_, i) => blsKeys[i % 64].publicKey)
const sigs = Array.from({length: 2_000}, (_, i) => blsSig[i % 64])

const rows = {modelTagSipHash: [], ed25519Sign: [], ed25519Verify: [], blsHashToG2: [], blsSign: [], blsVerifyAggregate: [], blsAddPublicKey: [], blsAddSignature: []}
for (let r = 0; r < runs; r++) {
  rows.modelTagSipHash.push(us((i) => siphash24Words(sipKeys, 4 * (i & 1023), 7, i, 1, 1), 1_000_000))
  rows.ed25519Sign.push(us((i) => ed25519.sign(msg, edSk[i % 64]), 2000))
  rows.ed25519Verify.push(us((i) => ed25519.verify(edSig[i % 64], msg, edPk[i % 64]), 2000))
  rows.blsHashToG2.push(us(() => B.hash(msg), 20))
  rows.blsSign.push(us((i) => B.sign(H, blsKeys[i % 64].secretKey), 30))
  rows.blsVerifyAggregate.push(us(() => B.verify(aggSig, H, aggPk), 10))
  rows.blsAddPublicKey.push(us(() => B.aggregatePublicKeys(pks), 1) / pks.length)
  rows.blsAddSignature.push(us(() => B.aggregateSignatures(sigs), 1) / sigs.length)
}
const out = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, {medianUs: Number(median(v).toFixed(2)), runs: v.map((x) => Number(x.toFixed(2)))}]))
if (opt.json) console.log(JSON.stringify({runs, microseconds: out}, null, 2))
else {
  console.log(`per-operation cost, median of ${runs} runs (microseconds)`)
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(20)} ${String(v.medianUs).padStart(10)}   runs: ${v.runs.join(', ')}`)
}
