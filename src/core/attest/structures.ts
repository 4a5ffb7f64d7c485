/**
 * TPM 2.0 structures the verifier reads, decoded from their canonical big-endian marshalling (TPM 2.0 Library,
 * Part 2 "Structures"): TPMS_ATTEST (10.12.12) with TPMS_QUOTE_INFO (10.12.4), TPMT_SIGNATURE (11.3.4),
 * TPM2B_PUBLIC / TPMT_PUBLIC (12.2.4, 12.2.5) for RSA and ECC keys, and object Names (Part 1, 16).
 *
 * Bytes in, plain data out: no TPM, no tpm2-tools, no child process. Every decoder rejects truncated input and
 * trailing bytes with TcpError('input') naming the structure and the offset. What this does NOT do: decide whether
 * anything is trustworthy; that is the verifier's job (verify/quote.ts).
 */
import {createHash, createPublicKey, type KeyObject} from 'node:crypto'
import {concatBytes, toHex} from '../bytes.js'
import {TcpError} from '../errors.js'

// TPM_GENERATED_VALUE (Part 2, 6.2) and TPM_ST_ATTEST_QUOTE (Part 2, 6.9).
export const TPM_GENERATED_VALUE = 0xff544347
export const TPM_ST_ATTEST_QUOTE = 0x8018
/** TPM_RH_ENDORSEMENT (Part 2, 7.4): the Qualified Name of the endorsement hierarchy is its handle. */
export const TPM_RH_ENDORSEMENT = 0x4000000b

// TPM_ALG_ID values (Part 2, 6.3).
export const ALG = {
  RSA: 0x0001,
  SHA1: 0x0004,
  HMAC: 0x0005,
  AES: 0x0006,
  XOR: 0x000a,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  NULL: 0x0010,
  RSASSA: 0x0014,
  RSAES: 0x0015,
  RSAPSS: 0x0016,
  OAEP: 0x0017,
  ECDSA: 0x0018,
  ECDH: 0x0019,
  ECDAA: 0x001a,
  SM2: 0x001b,
  ECSCHNORR: 0x001c,
  ECMQV: 0x001d,
  KDF1_SP800_56A: 0x0020,
  KDF2: 0x0021,
  KDF1_SP800_108: 0x0022,
  ECC: 0x0023,
  SYMCIPHER: 0x0025,
  CFB: 0x0043,
} as const

/** Hash algorithms by TPM_ALG_ID: node:crypto name and digest size. */
export const HASHES: Record<number, {name: string; size: number}> = {
  [ALG.SHA1]: {name: 'sha1', size: 20},
  [ALG.SHA256]: {name: 'sha256', size: 32},
  [ALG.SHA384]: {name: 'sha384', size: 48},
  [ALG.SHA512]: {name: 'sha512', size: 64},
}

export function hashAlgByName(name: string): number | undefined {
  for (const [id, h] of Object.entries(HASHES)) if (h.name === name) return Number(id)
  return undefined
}

export function hashName(alg: number): string {
  return HASHES[alg]?.name ?? `0x${alg.toString(16).padStart(4, '0')}`
}

/** Digest with a TPM hash algorithm; unsupported algorithms are an 'unsupported' error. */
export function tpmHash(alg: number, ...parts: Uint8Array[]): Uint8Array {
  const h = HASHES[alg]
  if (!h) throw new TcpError('unsupported', `hash algorithm ${hashName(alg)} is not supported`)
  const c = createHash(h.name)
  for (const p of parts) c.update(p)
  return new Uint8Array(c.digest())
}

// TPM_ECC_CURVE (Part 2, 6.4): curves node:crypto can verify on.
const CURVES: Record<number, {jwk: string; size: number}> = {
  0x0003: {jwk: 'P-256', size: 32},
  0x0004: {jwk: 'P-384', size: 48},
  0x0005: {jwk: 'P-521', size: 66},
}

/** A cursor over marshalled TPM bytes; every read checks the remaining length. */
export class TpmReader {
  private off = 0
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get offset(): number {
    return this.off
  }

  private need(n: number, field: string): void {
    if (this.off + n > this.buf.length)
      throw new TcpError('input', `${this.what}: truncated at ${field} (offset ${this.off}, need ${n} bytes, have ${this.buf.length - this.off})`)
  }

  u8(field: string): number {
    this.need(1, field)
    return this.buf[this.off++]!
  }

  u16(field: string): number {
    this.need(2, field)
    const v = (this.buf[this.off]! << 8) | this.buf[this.off + 1]!
    this.off += 2
    return v
  }

  u32(field: string): number {
    this.need(4, field)
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.off, 4).getUint32(0, false)
    this.off += 4
    return v
  }

  u64(field: string): bigint {
    this.need(8, field)
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.off, 8).getBigUint64(0, false)
    this.off += 8
    return v
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field)
    const v = this.buf.slice(this.off, this.off + n)
    this.off += n
    return v
  }

  /** A TPM2B_*: UINT16 size, then that many bytes. */
  tpm2b(field: string): Uint8Array {
    return this.bytes(this.u16(`${field}.size`), field)
  }

  end(): void {
    if (this.off !== this.buf.length)
      throw new TcpError('input', `${this.what}: ${this.buf.length - this.off} trailing bytes after offset ${this.off}`)
  }
}

export interface PcrSelection {
  /** TPM_ALG_ID of the bank. */
  hash: number
  /** Selected PCR indices, ascending. */
  pcrs: number[]
}

/** TPML_PCR_SELECTION (Part 2, 10.9.7): count, then TPMS_PCR_SELECTION {hash, sizeofSelect, pcrSelect bitmap}. */
export function readPcrSelection(r: TpmReader, field: string): PcrSelection[] {
  const count = r.u32(`${field}.count`)
  if (count > 16) throw new TcpError('input', `${field}.count: expected at most 16 banks, got ${count}`)
  const out: PcrSelection[] = []
  for (let i = 0; i < count; i++) {
    const hash = r.u16(`${field}[${i}].hash`)
    const size = r.u8(`${field}[${i}].sizeofSelect`)
    const bitmap = r.bytes(size, `${field}[${i}].pcrSelect`)
    const pcrs: number[] = []
    for (let b = 0; b < size * 8; b++) if (bitmap[b >> 3]! & (1 << (b & 7))) pcrs.push(b)
    out.push({hash, pcrs})
  }
  return out
}

export interface Attest {
  magic: number
  type: number
  qualifiedSigner: Uint8Array
  extraData: Uint8Array
  clock: bigint
  resetCount: number
  restartCount: number
  safe: boolean
  firmwareVersion: bigint
  /** Present when type is TPM_ST_ATTEST_QUOTE. */
  quote?: {pcrSelect: PcrSelection[]; pcrDigest: Uint8Array}
}

/**
 * TPMS_ATTEST (Part 2, 10.12.12) as `tpm2_quote -m` writes it (the bare structure, no TPM2B size). The attested
 * union is decoded only for quotes; for another type the remaining bytes are left unread and `quote` is undefined.
 */
export function parseAttest(bytes: Uint8Array): Attest {
  const r = new TpmReader(bytes, 'TPMS_ATTEST')
  const magic = r.u32('magic')
  const type = r.u16('type')
  const qualifiedSigner = r.tpm2b('qualifiedSigner')
  const extraData = r.tpm2b('extraData')
  const clock = r.u64('clockInfo.clock')
  const resetCount = r.u32('clockInfo.resetCount')
  const restartCount = r.u32('clockInfo.restartCount')
  const safe = r.u8('clockInfo.safe') === 1
  const firmwareVersion = r.u64('firmwareVersion')
  const a: Attest = {magic, type, qualifiedSigner, extraData, clock, resetCount, restartCount, safe, firmwareVersion}
  if (type === TPM_ST_ATTEST_QUOTE) {
    const pcrSelect = readPcrSelection(r, 'quote.pcrSelect')
    const pcrDigest = r.tpm2b('quote.pcrDigest')
    r.end()
    a.quote = {pcrSelect, pcrDigest}
  }
  return a
}

export type Signature =
  | {sigAlg: typeof ALG.ECDSA; hashAlg: number; r: Uint8Array; s: Uint8Array}
  | {sigAlg: typeof ALG.RSASSA | typeof ALG.RSAPSS; hashAlg: number; sig: Uint8Array}

/** TPMT_SIGNATURE (Part 2, 11.3.4) as `tpm2_quote -s` writes it, for ECDSA, RSASSA and RSAPSS. */
export function parseSignature(bytes: Uint8Array): Signature {
  const r = new TpmReader(bytes, 'TPMT_SIGNATURE')
  const sigAlg = r.u16('sigAlg')
  const hashAlg = r.u16('hash')
  let out: Signature
  if (sigAlg === ALG.ECDSA) out = {sigAlg, hashAlg, r: r.tpm2b('signatureR'), s: r.tpm2b('signatureS')}
  else if (sigAlg === ALG.RSASSA || sigAlg === ALG.RSAPSS) out = {sigAlg, hashAlg, sig: r.tpm2b('sig')}
  else throw new TcpError('unsupported', `TPMT_SIGNATURE: signature algorithm 0x${sigAlg.toString(16).padStart(4, '0')} is not supported (ECDSA, RSASSA, RSAPSS)`)
  r.end()
  return out
}

/** Marshals a TPMT_SIGNATURE back to bytes (tests and vector tooling build variants with it). */
export function encodeSignature(s: Signature): Uint8Array {
  const u16 = (n: number) => new Uint8Array([n >> 8, n & 0xff])
  const b2 = (b: Uint8Array) => concatBytes(u16(b.length), b)
  if (s.sigAlg === ALG.ECDSA) return concatBytes(u16(s.sigAlg), u16(s.hashAlg), b2(s.r), b2(s.s))
  return concatBytes(u16(s.sigAlg), u16(s.hashAlg), b2(s.sig))
}

export interface Public {
  type: number
  nameAlg: number
  objectAttributes: number
  authPolicy: Uint8Array
  /** Signing scheme and its hash (ALG.NULL when the key leaves it to the command). */
  scheme: number
  schemeHash: number
  /** ECC: curve id and point; RSA: key bits, exponent (0 means 65537) and modulus. */
  curve?: number
  x?: Uint8Array
  y?: Uint8Array
  keyBits?: number
  exponent?: number
  modulus?: Uint8Array
  /** The marshalled TPMT_PUBLIC (what the Name hashes). */
  tpmt: Uint8Array
}

function readSymDef(r: TpmReader, field: string): void {
  const alg = r.u16(`${field}.algorithm`)
  if (alg === ALG.NULL) return
  if (alg === ALG.XOR) throw new TcpError('unsupported', `${field}: XOR symmetric definitions are not supported`)
  r.u16(`${field}.keyBits`)
  r.u16(`${field}.mode`)
}

function readScheme(r: TpmReader, field: string): {scheme: number; schemeHash: number} {
  const scheme = r.u16(`${field}.scheme`)
  if (scheme === ALG.NULL) return {scheme, schemeHash: ALG.NULL}
  const schemeHash = r.u16(`${field}.hashAlg`)
  // ECDAA carries a count after the hash (Part 2, 11.2.3.2).
  if (scheme === ALG.ECDAA) r.u16(`${field}.count`)
  return {scheme, schemeHash}
}

/** TPM2B_PUBLIC (Part 2, 12.2.5) of an RSA or ECC key, as `tpm2_createek -u` and `tpm2_readpublic -o` write it. */
export function parsePublic(bytes: Uint8Array, what = 'TPM2B_PUBLIC'): Public {
  const outer = new TpmReader(bytes, what)
  const tpmt = outer.tpm2b('publicArea')
  outer.end()
  const r = new TpmReader(tpmt, `${what}.publicArea`)
  const type = r.u16('type')
  const nameAlg = r.u16('nameAlg')
  const objectAttributes = r.u32('objectAttributes')
  const authPolicy = r.tpm2b('authPolicy')
  let p: Public
  if (type === ALG.RSA) {
    readSymDef(r, 'parameters.symmetric')
    const {scheme, schemeHash} = readScheme(r, 'parameters.scheme')
    const keyBits = r.u16('parameters.keyBits')
    const exponent = r.u32('parameters.exponent')
    const modulus = r.tpm2b('unique.rsa')
    p = {type, nameAlg, objectAttributes, authPolicy, scheme, schemeHash, keyBits, exponent, modulus, tpmt}
  } else if (type === ALG.ECC) {
    readSymDef(r, 'parameters.symmetric')
    const {scheme, schemeHash} = readScheme(r, 'parameters.scheme')
    const curve = r.u16('parameters.curveID')
    readScheme(r, 'parameters.kdf')
    const x = r.tpm2b('unique.ecc.x')
    const y = r.tpm2b('unique.ecc.y')
    p = {type, nameAlg, objectAttributes, authPolicy, scheme, schemeHash, curve, x, y, tpmt}
  } else throw new TcpError('unsupported', `${what}: key type 0x${type.toString(16).padStart(4, '0')} is not supported (RSA, ECC)`)
  r.end()
  return p
}

/** The Name of an object (Part 1, 16): nameAlg (UINT16) || H_nameAlg(TPMT_PUBLIC). */
export function objectName(p: Public): Uint8Array {
  return concatBytes(new Uint8Array([p.nameAlg >> 8, p.nameAlg & 0xff]), tpmHash(p.nameAlg, p.tpmt))
}

/**
 * The Qualified Name of an object (Part 1, 16): nameAlg || H_nameAlg(QN(parent) || Name). The QN of a hierarchy is
 * its 4-byte handle. `chain` goes from the primary key down to the object.
 */
export function qualifiedName(hierarchy: number, chain: Public[]): Uint8Array {
  let qn: Uint8Array = new Uint8Array([hierarchy >>> 24, (hierarchy >>> 16) & 0xff, (hierarchy >>> 8) & 0xff, hierarchy & 0xff])
  for (const p of chain) {
    qn = concatBytes(new Uint8Array([p.nameAlg >> 8, p.nameAlg & 0xff]), tpmHash(p.nameAlg, qn, objectName(p)))
  }
  return qn
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url')

/** The node:crypto public key of a TPM RSA or ECC key. */
export function publicKeyOf(p: Public): KeyObject {
  try {
    if (p.type === ALG.ECC) {
      const c = CURVES[p.curve!]
      if (!c) throw new TcpError('unsupported', `ECC curve 0x${p.curve!.toString(16)} is not supported (P-256, P-384, P-521)`)
      if (p.x!.length !== c.size || p.y!.length !== c.size)
        throw new TcpError('input', `ECC point: expected ${c.size}-byte coordinates, got ${p.x!.length} and ${p.y!.length}`)
      return createPublicKey({key: {kty: 'EC', crv: c.jwk, x: b64url(p.x!), y: b64url(p.y!)}, format: 'jwk'})
    }
    const e = p.exponent === 0 ? 65537 : p.exponent!
    let eh = e.toString(16)
    if (eh.length % 2) eh = '0' + eh
    return createPublicKey({key: {kty: 'RSA', n: b64url(p.modulus!), e: Buffer.from(eh, 'hex').toString('base64url')}, format: 'jwk'})
  } catch (e) {
    if (e instanceof TcpError) throw e
    throw new TcpError('input', `TPM public key: not a valid key (${(e as Error).message})`)
  }
}

/** DER SubjectPublicKeyInfo of a key, for comparisons. */
export function spki(k: KeyObject): Uint8Array {
  return new Uint8Array(k.export({type: 'spki', format: 'der'}))
}

export const nameHex = (b: Uint8Array): string => toHex(b)
