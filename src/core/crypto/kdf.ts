/**
 * Key derivation. scrypt (RFC 7914) and HKDF (RFC 5869) on node:crypto; same results as @noble/hashes' scrypt and
 * hkdf (tested). scrypt parameters travel with the data they protect so that they can be raised later.
 */
import {hkdfSync, scrypt as scryptCallback, scryptSync} from 'node:crypto'
import {assertBytes} from '../bytes.js'
import {TcpError} from '../errors.js'

export interface ScryptParams {
  N: number
  r: number
  p: number
}

/** Default for key files and passphrase seals: N = 2^17, r = 8 (128 MiB, about 0.3-0.5 s here). */
export const SCRYPT_DEFAULT: ScryptParams = {N: 2 ** 17, r: 8, p: 1}
/** Upper bounds accepted from a file: a hostile file must not make us allocate gigabytes. */
const MAX_LOG_N = 22
const MAX_MEMORY = 2 ** 30
const MAX_WORK = 64 * SCRYPT_DEFAULT.N * SCRYPT_DEFAULT.r * SCRYPT_DEFAULT.p

export function checkScryptParams(p: unknown): ScryptParams {
  const o = p as Record<string, unknown>
  if (!o || typeof o !== 'object') throw new TcpError('input', 'kdf params: expected an object {N, r, p}')
  const {N, r} = o
  const pp = o.p
  if (typeof N !== 'number' || !Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** MAX_LOG_N)
    throw new TcpError('input', `kdf params: N must be a power of two from 2 to 2^${MAX_LOG_N}, got ${String(N)}`)
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1 || r > 32)
    throw new TcpError('input', `kdf params: r must be an integer from 1 to 32, got ${String(r)}`)
  if (typeof pp !== 'number' || !Number.isSafeInteger(pp) || pp < 1 || pp > 16)
    throw new TcpError('input', `kdf params: p must be an integer from 1 to 16, got ${String(pp)}`)
  // Parameters come from files that are not yet authenticated: bound memory (128 N r bytes) to 1 GiB and work
  // (N r p) to 64x the default, so a hostile file cannot make us allocate or compute without limit.
  if (128 * N * r > MAX_MEMORY) throw new TcpError('input', `kdf params: N=${N}, r=${r} need ${(128 * N * r) / 2 ** 20} MiB, over the limit of 1024 MiB`)
  if (N * r * pp > MAX_WORK) throw new TcpError('input', `kdf params: N*r*p = ${N * r * pp} is over the limit of ${MAX_WORK}`)
  return {N, r, p: pp}
}

export function scrypt(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, dkLen = 32): Uint8Array {
  assertBytes('passphrase', passphrase)
  assertBytes('salt', salt)
  const {N, r, p} = checkScryptParams(params)
  const maxmem = 128 * N * r * p + 64 * 1024 * 1024
  return new Uint8Array(scryptSync(passphrase, salt, dkLen, {N, r, p, maxmem}))
}

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertBytes('ikm', ikm)
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length))
}

/**
 * scrypt on libuv's thread pool: the same bytes as scrypt(), but the event loop keeps running (a spinner moves,
 * timers fire) during the second or so it takes.
 */
export function scryptAsync(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, dkLen = 32): Promise<Uint8Array> {
  assertBytes('passphrase', passphrase)
  assertBytes('salt', salt)
  const {N, r, p} = checkScryptParams(params)
  const maxmem = 128 * N * r * p + 64 * 1024 * 1024
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase, salt, dkLen, {N, r, p, maxmem}, (err, key) => (err ? reject(new TcpError('internal', `scrypt: ${err.message}`)) : resolve(new Uint8Array(key)))),
  )
}
