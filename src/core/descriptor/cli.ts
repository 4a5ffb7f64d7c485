/**
 * The jobs behind `tcp descriptor encode` and `tcp descriptor decode`: inputs as the command receives them, results
 * as its --json prints them.
 */
import {fromHex, toHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {readFileBytes, readFileText, writeFileAtomic} from '../io.js'
import {DESCRIPTOR_LENGTH, decodeDescriptor, encodeDescriptor, parseFlags, type DecodedDescriptor} from './format.js'
import {decodeSet, encodeSet, parseSetSpec, type DecodedSet} from './set.js'

export interface EncodeJob {
  command?: string
  flags?: string
  execMs?: number
  memoryMb?: number
  outputKb?: number
  /** JSON-lines spec of a set (see set.ts). */
  set?: string
  out?: string
  force?: boolean
}

export interface EncodeResult {
  count: number
  bytes: number
  /** Hex of the descriptor (one tool) or of the whole set. */
  hex: string
  out?: string
}

export async function encodeJob(j: EncodeJob): Promise<EncodeResult> {
  let bytes: Uint8Array
  if (j.set !== undefined) bytes = encodeSet(parseSetSpec(await readFileText(j.set, {what: 'descriptor spec'}), `descriptor spec ${j.set}`))
  else {
    if (j.command === undefined) throw new TcpError('usage', 'command: required unless --set is given')
    bytes = encodeDescriptor({
      command: j.command,
      flags: parseFlags(j.flags ?? '0', 'flags'),
      execMs: j.execMs ?? 0,
      memoryMb: j.memoryMb ?? 0,
      outputKb: j.outputKb ?? 0,
    })
  }
  if (j.out !== undefined) await writeFileAtomic(j.out, bytes, {force: j.force, what: 'descriptor file'})
  return {count: bytes.length / DESCRIPTOR_LENGTH, bytes: bytes.length, hex: toHex(bytes), ...(j.out !== undefined ? {out: j.out} : {})}
}

/** One descriptor decodes to its fields; a file of several to a set. Invalid input: TcpError('rejected'). */
export async function decodeJob(j: {hex?: string; file?: string}): Promise<DecodedDescriptor | DecodedSet> {
  if (j.hex === undefined && j.file === undefined) throw new TcpError('usage', 'give a HEX argument or --file (neither was given)')
  if (j.hex !== undefined && j.file !== undefined) throw new TcpError('usage', 'give a HEX argument or --file, not both')
  if (j.hex !== undefined) return decodeDescriptor(fromHex(j.hex.trim(), 'descriptor hex'))
  const bytes = await readFileBytes(j.file!, {what: 'descriptor file', maxBytes: 64 * 1024 * 1024})
  if (bytes.length === DESCRIPTOR_LENGTH) return decodeDescriptor(bytes)
  return decodeSet(bytes)
}
