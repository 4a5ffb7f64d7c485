/**
 * TCP tool descriptors, binary format v2: 24 bytes, big-endian.
 *
 *   0-3   magic "TCP\x02" (0x54435002)
 *   4-5   version, 2
 *   6-9   the first 4 bytes of MD5 of the command string (UTF-8)
 *   10-13 security flags (bits below; 16-31 vendor)
 *   14-15 typical execution time, ms
 *   16-17 memory, MB
 *   18-19 output size, KB
 *   20-21 length of the command string in bytes
 *   22-23 CRC-32 (IEEE) of bytes 0-21, low 16 bits
 *
 * Risk is the highest set bit among 0-4 (UNKNOWN when none) and the policy follows from it: CRITICAL -> REJECT,
 * HIGH_RISK -> REQUIRE_APPROVAL, MEDIUM_RISK -> CAUTION, anything else (SAFE, LOW_RISK and UNKNOWN) -> APPROVE, as
 * the v2 format defines it. What a descriptor does NOT guarantee: authenticity (the checksum catches accidents, a
 * forger recomputes it; sign a descriptor set with `tcp sign` for that) or uniqueness of the command (a 32-bit MD5
 * prefix collides after about 2^16 commands and can be forced at will).
 */
import {createHash} from 'node:crypto'
import {assertBytes, toHex, utf8} from '../bytes.js'
import {TcpError} from '../errors.js'
import {crc32, crc32Bitwise} from './crc32.js'

export const DESCRIPTOR_LENGTH = 24
export const DESCRIPTOR_MAGIC = 0x54435002
export const DESCRIPTOR_VERSION = 2

export const FLAGS = {
  SAFE: 1 << 0,
  LOW_RISK: 1 << 1,
  MEDIUM_RISK: 1 << 2,
  HIGH_RISK: 1 << 3,
  CRITICAL: 1 << 4,
  REQUIRES_ROOT: 1 << 6,
  DESTRUCTIVE: 1 << 7,
  NETWORK_ACCESS: 1 << 8,
  FILE_MODIFICATION: 1 << 9,
  SYSTEM_MODIFICATION: 1 << 10,
  PRIVILEGE_ESCALATION: 1 << 11,
} as const
export type FlagName = keyof typeof FLAGS

export const RISKS = ['UNKNOWN', 'SAFE', 'LOW_RISK', 'MEDIUM_RISK', 'HIGH_RISK', 'CRITICAL'] as const
export type Risk = (typeof RISKS)[number]
export const POLICIES = ['APPROVE', 'CAUTION', 'REQUIRE_APPROVAL', 'REJECT'] as const
export type Policy = (typeof POLICIES)[number]

/** Policy codes of the hot path: an index into POLICIES; negative codes are the reasons a descriptor is invalid. */
export const POLICY_CODE = {APPROVE: 0, CAUTION: 1, REQUIRE_APPROVAL: 2, REJECT: 3} as const
export const INVALID_CODE = {length: -1, magic: -2, version: -3, checksum: -4} as const

// Index 1 + highest set bit of flags & 0x1f, 0 when none, for each of the 32 values of the five risk bits.
const RISK_INDEX = new Uint8Array(32)
const POLICY_OF_RISK5 = new Int8Array(32)
for (let v = 0; v < 32; v++) {
  const r = v === 0 ? 0 : 32 - Math.clz32(v)
  RISK_INDEX[v] = r
  POLICY_OF_RISK5[v] = r === 5 ? 3 : r === 4 ? 2 : r === 3 ? 1 : 0
}

export function riskOf(flags: number): Risk {
  return RISKS[RISK_INDEX[flags & 0x1f]!]!
}

export function policyOf(flags: number): Policy {
  return POLICIES[POLICY_OF_RISK5[flags & 0x1f]!]!
}

/** Names of the set flags; undefined bits 5 and 12-15 as RESERVED_n, bits 16-31 as VENDOR_n. */
export function flagNames(flags: number): string[] {
  const names: string[] = []
  for (let bit = 0; bit < 32; bit++) {
    if (((flags >>> bit) & 1) === 0) continue
    const known = (Object.keys(FLAGS) as FlagName[]).find((n) => FLAGS[n] === 1 << bit)
    names.push(known ?? (bit >= 16 ? `VENDOR_${bit}` : `RESERVED_${bit}`))
  }
  return names
}

/** Parses "0x6d0", "1744" or "CRITICAL,REQUIRES_ROOT" (names and numbers may be mixed) into a 32-bit value. */
export function parseFlags(spec: string | number | readonly (string | number)[], name = 'flags'): number {
  const parts = typeof spec === 'number' ? [spec] : typeof spec === 'string' ? spec.split(/[,|\s]+/).filter(Boolean) : [...spec]
  let v = 0
  for (const p of parts) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) throw new TcpError('input', `${name}: expected a 32-bit unsigned value, got ${p}`)
      v |= p
    } else if (/^(0x[0-9a-f]+|\d+)$/i.test(p)) {
      const n = Number(p)
      if (n > 0xffffffff) throw new TcpError('input', `${name}: expected a 32-bit unsigned value, got ${p}`)
      v |= n
    } else {
      const key = p.toUpperCase() as FlagName
      if (!(key in FLAGS)) throw new TcpError('input', `${name}: unknown flag ${JSON.stringify(p)} (known: ${Object.keys(FLAGS).join(', ')})`)
      v |= FLAGS[key]
    }
  }
  return v >>> 0
}

export interface DescriptorFields {
  command: string
  flags: number
  execMs: number
  memoryMb: number
  outputKb: number
}

function u16(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new TcpError('input', `${name}: expected an integer from 0 to 65535, got ${v}`)
  return v
}

/** The first four bytes of MD5 of the command (MD5 only as the format's identifier, never for security). */
export function commandHash(command: string): Uint8Array {
  return new Uint8Array(createHash('md5').update(utf8(command)).digest().subarray(0, 4))
}

export function encodeDescriptor(f: DescriptorFields): Uint8Array {
  if (typeof f.command !== 'string' || f.command.length === 0) throw new TcpError('input', 'command: expected a non-empty string')
  const cmd = utf8(f.command)
  if (cmd.length > 0xffff) throw new TcpError('input', `command: expected at most 65535 bytes, got ${cmd.length}`)
  const flags = parseFlags(f.flags)
  const out = new Uint8Array(DESCRIPTOR_LENGTH)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, DESCRIPTOR_MAGIC)
  dv.setUint16(4, DESCRIPTOR_VERSION)
  out.set(commandHash(f.command), 6)
  dv.setUint32(10, flags)
  dv.setUint16(14, u16('execMs', f.execMs))
  dv.setUint16(16, u16('memoryMb', f.memoryMb))
  dv.setUint16(18, u16('outputKb', f.outputKb))
  dv.setUint16(20, cmd.length)
  dv.setUint16(22, crc32(out, 0, 22) & 0xffff)
  return out
}

/** 0 when magic, version and the given CRC-32 (low 16 bits) fit the descriptor at `off`, else an INVALID_CODE. */
function structureCode(buf: Uint8Array, off: number, crc16: number): number {
  const magic = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0
  const version = (buf[off + 4]! << 8) | buf[off + 5]!
  const sum = (buf[off + 22]! << 8) | buf[off + 23]!
  if (magic !== DESCRIPTOR_MAGIC) return INVALID_CODE.magic
  if (version !== DESCRIPTOR_VERSION) return INVALID_CODE.version
  return crc16 === sum ? 0 : INVALID_CODE.checksum
}

/**
 * The hot path: checks and decides one descriptor at `off` in `buf` without allocating. Returns a POLICY_CODE
 * (0-3) or an INVALID_CODE (negative). The checksum loop always runs over all 22 bytes; the only branches are the
 * validity tests, which depend on public structure, not on the fields. The CRC table lookups are indexed by data
 * (cache-timing visible in principle; `tcp bench ct` measures it, and `decideDescriptorCt` avoids them).
 */
export function decideDescriptor(buf: Uint8Array, off: number): number {
  if (off < 0 || off + DESCRIPTOR_LENGTH > buf.length) return INVALID_CODE.length
  const bad = structureCode(buf, off, crc32(buf, off, off + 22) & 0xffff)
  return bad !== 0 ? bad : POLICY_OF_RISK5[buf[off + 13]! & 0x1f]!
}

/**
 * `decideDescriptor` with the bitwise CRC-32 and the policy computed by masks: no table lookup indexed by the
 * descriptor's bytes, for callers that treat descriptors as secret. Same results; slower (see `tcp bench paths`).
 */
export function decideDescriptorCt(buf: Uint8Array, off: number): number {
  if (off < 0 || off + DESCRIPTOR_LENGTH > buf.length) return INVALID_CODE.length
  const bad = structureCode(buf, off, crc32Bitwise(buf, off, off + 22) & 0xffff)
  const r = buf[off + 13]! & 0x1f
  const b4 = (r >>> 4) & 1
  const b3 = (r >>> 3) & 1
  const b2 = (r >>> 2) & 1
  const policy = b4 * 3 + (1 - b4) * (b3 * 2 + (1 - b3) * b2) // 3 if bit 4, else 2 if bit 3, else 1 if bit 2, else 0
  return bad !== 0 ? bad : policy
}

export interface DecodedDescriptor {
  version: number
  commandHash: string
  flags: number
  flagNames: string[]
  risk: Risk
  policy: Policy
  execMs: number
  memoryMb: number
  outputKb: number
  commandLength: number
  checksum: number
  valid: boolean
  /** Why the descriptor is invalid (absent when valid). */
  reason?: string
}

/**
 * Decodes every field and says whether the descriptor is valid, and why not; an invalid one has policy REJECT
 * (its other fields are reported as read). Throws only for a non-byte input.
 */
export function inspectDescriptor(bytes: Uint8Array): DecodedDescriptor {
  assertBytes('descriptor', bytes)
  if (bytes.length !== DESCRIPTOR_LENGTH) {
    return {
      version: 0, commandHash: '', flags: 0, flagNames: [], risk: 'UNKNOWN', policy: 'REJECT', execMs: 0, memoryMb: 0,
      outputKb: 0, commandLength: 0, checksum: 0, valid: false,
      reason: `descriptor: expected ${DESCRIPTOR_LENGTH} bytes, got ${bytes.length}`,
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const flags = dv.getUint32(10)
  const d: DecodedDescriptor = {
    version: dv.getUint16(4),
    commandHash: toHex(bytes.subarray(6, 10)),
    flags,
    flagNames: flagNames(flags),
    risk: riskOf(flags),
    policy: policyOf(flags),
    execMs: dv.getUint16(14),
    memoryMb: dv.getUint16(16),
    outputKb: dv.getUint16(18),
    commandLength: dv.getUint16(20),
    checksum: dv.getUint16(22),
    valid: true,
  }
  const code = decideDescriptor(bytes, 0)
  if (code === INVALID_CODE.magic) d.reason = `magic: expected 54435002 ("TCP\\x02"), got ${toHex(bytes.subarray(0, 4))}`
  else if (code === INVALID_CODE.version) d.reason = `version: expected ${DESCRIPTOR_VERSION}, got ${d.version}`
  else if (code === INVALID_CODE.checksum)
    d.reason = `checksum: expected ${(crc32(bytes, 0, 22) & 0xffff).toString(16).padStart(4, '0')}, got ${d.checksum.toString(16).padStart(4, '0')}`
  if (d.reason) {
    d.valid = false
    d.policy = 'REJECT' // fail closed: whatever its flags say, a descriptor that does not check out is refused
  }
  return d
}

/** Decodes a descriptor or throws TcpError('rejected') naming the reason, with the decoded fields as details. */
export function decodeDescriptor(bytes: Uint8Array): DecodedDescriptor {
  const d = inspectDescriptor(bytes)
  if (!d.valid) throw new TcpError('rejected', d.reason!, d)
  return d
}

/** True when `command` is the command the descriptor names (MD5 prefix and length); 2^-32 false matches by chance. */
export function describesCommand(bytes: Uint8Array, command: string): boolean {
  const d = decodeDescriptor(bytes)
  return d.commandHash === toHex(commandHash(command)) && d.commandLength === utf8(command).length
}
