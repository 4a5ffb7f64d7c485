/**
 * Descriptor sets: many tools in one file, the unit that gets signed (`tcp sign set.tcpd --key K.key`) and checked
 * (`tcp verify set.tcpd.dsse.json --pub K.pub --file set.tcpd`).
 *
 * File format (`.tcpd`): the plain concatenation of N 24-byte v2 descriptors, N >= 1, no header and no padding, in
 * the order of the spec. The file length must be a multiple of 24. Each record carries its own magic and checksum,
 * so a hot path can decide on a record straight from the file's bytes (`decideDescriptor(buf, 24 * i)`).
 *
 * Spec format (input of `tcp descriptor encode --set`): JSON lines, one tool each:
 *   {"command":"rm","flags":["CRITICAL","REQUIRES_ROOT"],"execMs":10000,"memoryMb":1000,"outputKb":50}
 * where `flags` is a number, a string ("0x6d0", "CRITICAL,DESTRUCTIVE") or an array of names and numbers.
 * What a set does NOT guarantee by itself: that it is complete or current; only a signature says who issued it.
 */
import {assertBytes} from '../bytes.js'
import {TcpError} from '../errors.js'
import {parseJson} from '../io.js'
import {DESCRIPTOR_LENGTH, encodeDescriptor, inspectDescriptor, parseFlags, type DecodedDescriptor, type DescriptorFields} from './format.js'

export interface SetSpecLine extends DescriptorFields {
  line: number
}

export function parseSetSpec(text: string, what = 'descriptor spec'): SetSpecLine[] {
  const out: SetSpecLine[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    if (raw === '') continue
    const where = `${what} line ${i + 1}`
    const o = parseJson(raw, where)
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TcpError('input', `${where}: expected a JSON object`)
    const r = o as Record<string, unknown>
    for (const k of ['execMs', 'memoryMb', 'outputKb'] as const)
      if (typeof r[k] !== 'number') throw new TcpError('input', `${where}: ${k}: expected a number, got ${JSON.stringify(r[k])}`)
    if (typeof r.command !== 'string') throw new TcpError('input', `${where}: command: expected a string, got ${JSON.stringify(r.command)}`)
    const f = r.flags
    if (!(typeof f === 'number' || typeof f === 'string' || Array.isArray(f)))
      throw new TcpError('input', `${where}: flags: expected a number, a string or an array, got ${JSON.stringify(f)}`)
    out.push({
      line: i + 1,
      command: r.command,
      flags: parseFlags(f as string | number | (string | number)[], `${where}: flags`),
      execMs: r.execMs as number,
      memoryMb: r.memoryMb as number,
      outputKb: r.outputKb as number,
    })
  }
  if (out.length === 0) throw new TcpError('input', `${what}: no descriptors (expected one JSON object per line)`)
  return out
}

export function encodeSet(tools: readonly DescriptorFields[]): Uint8Array {
  if (tools.length === 0) throw new TcpError('input', 'descriptor set: expected at least one tool')
  const out = new Uint8Array(tools.length * DESCRIPTOR_LENGTH)
  tools.forEach((t, i) => {
    try {
      out.set(encodeDescriptor(t), i * DESCRIPTOR_LENGTH)
    } catch (e) {
      if (e instanceof TcpError) throw new TcpError(e.code, `tool ${i + 1} (${JSON.stringify(t.command)}): ${e.message}`)
      throw e
    }
  })
  return out
}

export interface DecodedSet {
  count: number
  valid: boolean
  descriptors: Array<DecodedDescriptor & {index: number}>
  /** Invalid records by index (0-based) with their reason. */
  invalid: Array<{index: number; reason: string}>
}

/** Decodes every record of a set. A length that is not a positive multiple of 24 is itself invalid. */
export function inspectSet(bytes: Uint8Array): DecodedSet {
  assertBytes('descriptor set', bytes)
  if (bytes.length === 0 || bytes.length % DESCRIPTOR_LENGTH !== 0) {
    const reason = `descriptor set: expected a positive multiple of ${DESCRIPTOR_LENGTH} bytes, got ${bytes.length}`
    return {count: 0, valid: false, descriptors: [], invalid: [{index: -1, reason}]}
  }
  const descriptors: DecodedSet['descriptors'] = []
  const invalid: DecodedSet['invalid'] = []
  for (let i = 0; i * DESCRIPTOR_LENGTH < bytes.length; i++) {
    const d = inspectDescriptor(bytes.subarray(i * DESCRIPTOR_LENGTH, (i + 1) * DESCRIPTOR_LENGTH))
    descriptors.push({index: i, ...d})
    if (!d.valid) invalid.push({index: i, reason: d.reason!})
  }
  return {count: descriptors.length, valid: invalid.length === 0, descriptors, invalid}
}

/** Decodes a set or throws TcpError('rejected') naming the first bad record, with the full report as details. */
export function decodeSet(bytes: Uint8Array): DecodedSet {
  const s = inspectSet(bytes)
  if (!s.valid) {
    const first = s.invalid[0]!
    const where = first.index < 0 ? '' : `record ${first.index} (bytes ${first.index * DESCRIPTOR_LENGTH}-${first.index * DESCRIPTOR_LENGTH + 23}): `
    const more = s.invalid.length > 1 ? ` (and ${s.invalid.length - 1} more invalid records)` : ''
    throw new TcpError('rejected', `${where}${first.reason}${more}`, s)
  }
  return s
}
