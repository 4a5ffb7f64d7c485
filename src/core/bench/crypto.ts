/**
 * Crypto throughput in one run: the core's crypto layer (src/core/crypto, and the seal streaming API when present)
 * beside raw node:crypto and noble, so the cost of the core's checks and wrappers is visible next to both engines.
 * Inputs are seeded (not secret); keys here are benchmark keys only. Figures are medians of `reps` runs, timed in
 * CPU time of the process (a 1 MiB operation outlasts a scheduler slice, so on a loaded machine the wall clock
 * measured the run queue: 25 against 1,600 MB/s for the same cipher in one run here).
 */
import {createCipheriv, createHash, createPrivateKey, sign as nodeSign, verify as nodeVerify} from 'node:crypto'
import {sha3_256 as nobleSha3} from '@noble/hashes/sha3.js'
import {chacha20poly1305 as nobleChacha, xchacha20poly1305 as nobleXChacha} from '@noble/ciphers/chacha.js'
import {ed25519 as nobleEd} from '@noble/curves/ed25519.js'
import {concatBytes} from '../bytes.js'
import {sha3_256, chacha20poly1305, xchacha20poly1305, ed25519, x25519, publicKeyObject, ED25519_PKCS8_PREFIX} from '../crypto/index.js'
import {Rng} from '../rng.js'
import {cpuMsSince, median} from './harness.js'

export interface CryptoRow {
  operation: string
  implementation: 'core' | 'node:crypto' | 'noble'
  /** MB/s (10^6 bytes) for bulk operations, operations per second for signatures. */
  value: number
  unit: 'MB/s' | 'ops/s'
  /** Core figure divided by this one (1 for the core itself). */
  coreRatio?: number
}

export interface CryptoReport {
  seed: number
  bytes: number
  reps: number
  rows: CryptoRow[]
  /** Why the seal rows are missing, when they are. */
  sealSkipped?: string
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6
const cpu = (): NodeJS.CpuUsage => process.cpuUsage()

/**
 * Median ms of each function, timed round-robin (rep 1 of every implementation, then rep 2, ...) after a warm-up
 * of at least 3 calls and 50 ms each, so that a burst of load on a shared machine hits every implementation alike.
 */
function rates(reps: number, fs: Array<() => unknown>): number[] {
  for (const f of fs) {
    const t0 = now()
    for (let i = 0; i < 3 || now() - t0 < 50; i++) f()
  }
  const ms: number[][] = fs.map(() => [])
  for (let r = 0; r < reps; r++) {
    fs.forEach((f, i) => {
      const c0 = cpu()
      f()
      ms[i]!.push(cpuMsSince(c0))
    })
  }
  return ms.map(median)
}

async function rateAsync(reps: number, f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await f()
  const ms: number[] = []
  for (let r = 0; r < reps; r++) {
    const c0 = cpu()
    await f()
    ms.push(cpuMsSince(c0))
  }
  return median(ms)
}

export async function runCrypto(o: {seed: number; bytes: number; reps: number; signOps: number; onProgress?: (s: string) => void}): Promise<CryptoReport> {
  const rng = new Rng(o.seed)
  const progress = o.onProgress ?? (() => {})
  const data = rng.bytes(o.bytes)
  const key = rng.bytes(32)
  const nonce12 = rng.bytes(12)
  const nonce24 = rng.bytes(24)
  const rows: CryptoRow[] = []
  const mbps = (ms: number) => o.bytes / 1e6 / (ms / 1000)
  const bulk = (operation: string, impls: Array<[CryptoRow['implementation'], () => unknown]>) => {
    progress(operation)
    const ms = rates(o.reps, impls.map(([, f]) => f))
    const group = impls.map(([implementation], i) => ({operation, implementation, value: mbps(ms[i]!), unit: 'MB/s' as const}))
    const core = group.find((g) => g.implementation === 'core')!.value
    for (const g of group) rows.push({...g, coreRatio: core / g.value})
  }
  bulk(`SHA3-256 ${o.bytes} B`, [
    ['core', () => sha3_256(data)],
    ['node:crypto', () => createHash('sha3-256').update(data).digest()],
    ['noble', () => nobleSha3(data)],
  ])
  bulk(`ChaCha20-Poly1305 encrypt ${o.bytes} B`, [
    ['core', () => chacha20poly1305(key, nonce12).encrypt(data)],
    ['node:crypto', () => {
      const c = createCipheriv('chacha20-poly1305', key, nonce12, {authTagLength: 16})
      return concatBytes(c.update(data), c.final(), c.getAuthTag())
    }],
    ['noble', () => nobleChacha(key, nonce12).encrypt(data)],
  ])
  bulk(`XChaCha20-Poly1305 encrypt ${o.bytes} B`, [
    ['core', () => xchacha20poly1305(key, nonce24).encrypt(data)],
    ['noble', () => nobleXChacha(key, nonce24).encrypt(data)],
  ])

  const sk = rng.bytes(32)
  const pk = ed25519.getPublicKey(sk)
  const msg = rng.bytes(64)
  const sig = ed25519.sign(msg, sk)
  const priv = createPrivateKey({key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, sk)), format: 'der', type: 'pkcs8'})
  const pubKo = publicKeyObject(pk)
  const ops = (operation: string, impls: Array<[CryptoRow['implementation'], () => unknown]>) => {
    progress(operation)
    const ms = rates(o.reps, impls.map(([, f]) => () => {
      for (let i = 0; i < o.signOps; i++) f()
    }))
    const group = impls.map(([implementation], i) => ({operation, implementation, value: o.signOps / (ms[i]! / 1000), unit: 'ops/s' as const}))
    const core = group.find((g) => g.implementation === 'core')!.value
    for (const g of group) rows.push({...g, coreRatio: core / g.value})
  }
  ops('Ed25519 sign 64 B', [
    ['core', () => ed25519.sign(msg, sk)],
    ['node:crypto', () => nodeSign(null, msg, priv)],
    ['noble', () => nobleEd.sign(msg, sk)],
  ])
  ops('Ed25519 verify 64 B', [
    ['core', () => ed25519.verify(sig, msg, pk)],
    ['node:crypto', () => nodeVerify(null, msg, pubKo, sig)],
    ['noble', () => nobleEd.verify(sig, msg, pk)],
  ])

  let sealSkipped: string | undefined
  try {
    const seal = await import('../seal/index.js')
    const secret = rng.bytes(32)
    const pub = x25519.getPublicKey(secret)
    progress('seal')
    const sealedMs = await rateAsync(o.reps, () => seal.sealBytes(data, {recipients: [pub]}))
    rows.push({operation: `seal (X25519, STREAM) ${o.bytes} B`, implementation: 'core', value: mbps(sealedMs), unit: 'MB/s', coreRatio: 1})
    const sealed = await seal.sealBytes(data, {recipients: [pub]})
    const openMs = await rateAsync(o.reps, () => seal.unsealBytes(sealed, {identity: secret}))
    rows.push({operation: `unseal (X25519, STREAM) ${o.bytes} B`, implementation: 'core', value: mbps(openMs), unit: 'MB/s', coreRatio: 1})
  } catch (e) {
    sealSkipped = `seal API not usable here: ${(e as Error).message}`
  }
  return {seed: o.seed, bytes: o.bytes, reps: o.reps, rows, ...(sealSkipped ? {sealSkipped} : {})}
}
