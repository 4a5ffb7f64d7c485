/**
 * The documents of `tcp attest`, shared by the TPM backend (which writes them) and the verifier (which reads them):
 * the quote bundle (`tcp.attest.quote-bundle/v1`), the event log kept in the state folder, the golden-value policy,
 * and the PCR selection syntax of tpm2-tools (`sha256:0,1,2,16`). Parsing only: a malformed document is a one-line
 * TcpError('input') naming the field (exit 2). Whether the content is trustworthy is decided in verify/quote.ts.
 */
import {equalBytes, fromBase64, fromHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {parseTime} from '../time.js'
import {TPM_QUOTE_TYPE} from '../verify/detect.js'
import {hashAlgByName, HASHES, tpmHash} from './structures.js'

export const EVENT_LOG_TYPE = 'tcp.attest.event-log/v1'
export const POLICY_TYPE = 'tcp.attest.policy/v1'
export const CHALLENGE_TYPE = 'tcp.attest.challenge/v1'
export {TPM_QUOTE_TYPE}

/** One bank of a PCR selection, in the order tpm2-tools and the TPM use (indices ascending). */
export interface BankSelection {
  bank: string
  pcrs: number[]
}

/** Parses `sha256:0,1,2+sha1:0` (the tpm2-tools syntax). Indices 0..23, no duplicates; sorted ascending. */
export function parsePcrSpec(spec: string, what = 'pcrs'): BankSelection[] {
  if (typeof spec !== 'string' || spec.trim() === '') throw new TcpError('usage', `${what}: expected e.g. sha256:0,1,2,16, got ${JSON.stringify(spec)}`)
  const out: BankSelection[] = []
  for (const part of spec.split('+')) {
    const m = /^([a-z0-9]+):(\d{1,2}(?:,\d{1,2})*)$/.exec(part.trim())
    if (!m) throw new TcpError('usage', `${what}: "${part}" is not BANK:N,N,... (e.g. sha256:0,1,2,16)`)
    const bank = m[1]!
    if (hashAlgByName(bank) === undefined) throw new TcpError('usage', `${what}: unknown PCR bank "${bank}" (sha1, sha256, sha384, sha512)`)
    if (out.some((b) => b.bank === bank)) throw new TcpError('usage', `${what}: bank ${bank} appears twice`)
    const pcrs = m[2]!.split(',').map(Number)
    for (const p of pcrs) if (p > 23) throw new TcpError('usage', `${what}: PCR index ${p} is out of range 0..23`)
    if (new Set(pcrs).size !== pcrs.length) throw new TcpError('usage', `${what}: a PCR index appears twice in ${bank}`)
    out.push({bank, pcrs: [...pcrs].sort((a, b) => a - b)})
  }
  return out
}

export function formatPcrSpec(sel: BankSelection[]): string {
  return sel.map((b) => `${b.bank}:${b.pcrs.join(',')}`).join('+')
}

/**
 * Where `tcp attest measure` may extend: PCRs 8-15, which no software can reset (TCG PC Client Platform TPM Profile,
 * PCR attributes: only a TPM reset, i.e. a reboot, zeroes them), as IMA (PCR 10) and keylime rely on. PCR 16 (debug)
 * and 23 (application) can be reset at locality 0 by anyone who can talk to the TPM (`tpm2_pcrreset 16`), so a host
 * could measure a bad file, reset, measure the good one and show the good value: a golden value or an event log
 * there proves nothing, and the verifier refuses both.
 */
export const MEASURE_PCRS = {min: 8, max: 15} as const
/** The default PCR of `tcp attest measure`: 15 (8-9 carry the boot loader, 10 IMA, 11-13 systemd-stub, 14 shim). */
export const DEFAULT_MEASURE_PCR = 15
/** PCRs that TPM2_PCR_Reset can zero from locality 0 (PC Client profile): nothing measured there can be trusted. */
export const RESETTABLE_PCRS: readonly number[] = [16, 23]

/** One measurement appended by `tcp attest measure`: PCR[pcr] := H(PCR[pcr] || digest) in `bank`. */
export interface EventLogEntry {
  seq: number
  pcr: number
  bank: string
  /** Hex digest that was extended. */
  digest: string
  /** What was measured (file name as given) and when. */
  file?: string
  time?: string
}

export interface EventLog {
  type: typeof EVENT_LOG_TYPE
  entries: EventLogEntry[]
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TcpError('input', `${what}: expected a JSON object`)
  return v as Record<string, unknown>
}

function str(o: Record<string, unknown>, k: string, what: string): string {
  const v = o[k]
  if (typeof v !== 'string') throw new TcpError('input', `${what}.${k}: expected a string, got ${v === null ? 'null' : typeof v}`)
  return v
}

export function parseEventLog(v: unknown, what = 'eventLog'): EventLog {
  const o = obj(v, what)
  if (o.type !== EVENT_LOG_TYPE) throw new TcpError('input', `${what}.type: expected "${EVENT_LOG_TYPE}", got ${JSON.stringify(o.type)}`)
  if (!Array.isArray(o.entries)) throw new TcpError('input', `${what}.entries: expected an array`)
  const entries = o.entries.map((e, i): EventLogEntry => {
    const w = `${what}.entries[${i}]`
    const x = obj(e, w)
    const pcr = x.pcr
    if (typeof pcr !== 'number' || !Number.isInteger(pcr) || pcr < 0 || pcr > 23) throw new TcpError('input', `${w}.pcr: expected an integer 0..23, got ${JSON.stringify(pcr)}`)
    const bank = str(x, 'bank', w)
    const alg = hashAlgByName(bank)
    if (alg === undefined) throw new TcpError('input', `${w}.bank: unknown bank ${JSON.stringify(bank)}`)
    const digest = str(x, 'digest', w)
    fromHex(digest, `${w}.digest`, HASHES[alg]!.size)
    if (x.seq !== undefined && !(Number.isSafeInteger(x.seq) && (x.seq as number) >= 0)) throw new TcpError('input', `${w}.seq: expected a non-negative integer, got ${JSON.stringify(x.seq)}`)
    const seq = (x.seq as number | undefined) ?? i
    const out: EventLogEntry = {seq, pcr, bank, digest: digest.toLowerCase()}
    // Labels (not bound to the digest, see docs/readme/attest.md) must still be what they say they are.
    if (x.file !== undefined) out.file = str(x, 'file', w)
    if (x.time !== undefined) parseTime((out.time = str(x, 'time', w)), `${w}.time`)
    return out
  })
  return {type: EVENT_LOG_TYPE, entries}
}

/**
 * Replays an event log from all-zero PCRs (the value after a TPM reset): PCR := H_bank(PCR || digest), entry by
 * entry in log order. Returns "bank:index" -> final value for every PCR the log names.
 */
export function replayLog(log: EventLog): Map<string, Uint8Array> {
  const state = new Map<string, Uint8Array>()
  for (const e of log.entries) {
    const alg = hashAlgByName(e.bank)!
    const key = `${e.bank}:${e.pcr}`
    state.set(key, tpmHash(alg, state.get(key) ?? new Uint8Array(HASHES[alg]!.size), fromHex(e.digest, 'digest')))
  }
  return state
}

/**
 * Replays the log of one PCR from zero until the running value equals `quoted` (keylime's rule for the IMA log: the
 * log may have grown after the quote). Returns how many of that PCR's entries the quote covers, or -1 when no
 * prefix of the log gives the quoted value (an entry was changed, dropped or reordered, or something that is not
 * in the log extended the PCR).
 */
export function coveredPrefix(entries: EventLogEntry[], bank: string, quoted: Uint8Array): number {
  const alg = hashAlgByName(bank)!
  let v: Uint8Array = new Uint8Array(HASHES[alg]!.size)
  if (equalBytes(v, quoted)) return 0
  for (let i = 0; i < entries.length; i++) {
    v = tpmHash(alg, v, fromHex(entries[i]!.digest, 'digest'))
    if (equalBytes(v, quoted)) return i + 1
  }
  return -1
}

/** The quote bundle: what `tcp attest quote` writes and `tcp verify` checks. */
export interface QuoteBundle {
  type: typeof TPM_QUOTE_TYPE
  createdAt?: string
  /** The nonce the attester was asked to quote (hex); the verifier compares extraData with ITS nonce, not this. */
  nonce: string
  /** The selection that was asked, in tpm2-tools syntax. */
  pcrSelection: string
  /** Reported PCR values: bank -> index -> hex value. */
  pcrs: Record<string, Record<string, string>>
  /** TPMS_ATTEST exactly as `tpm2_quote -m` wrote it (base64). */
  attest: string
  /** TPMT_SIGNATURE exactly as `tpm2_quote -s` wrote it (base64). */
  signature: string
  ak: {public: string; pem?: string; name?: string}
  ek: {public: string; name?: string}
  eventLog: EventLog
}

export interface DecodedBundle {
  doc: QuoteBundle
  attest: Uint8Array
  signature: Uint8Array
  akPublic: Uint8Array
  ekPublic: Uint8Array
  selection: BankSelection[]
  /** bank -> index -> value bytes. */
  values: Map<string, Map<number, Uint8Array>>
  eventLog: EventLog
}

/** Decodes the JSON layer of a bundle; any missing or malformed field is TcpError('input'). */
export function decodeBundle(v: unknown, what = 'bundle'): DecodedBundle {
  const o = obj(v, what)
  if (o.type !== TPM_QUOTE_TYPE) throw new TcpError('input', `${what}.type: expected "${TPM_QUOTE_TYPE}", got ${JSON.stringify(o.type)}`)
  const nonce = str(o, 'nonce', what)
  fromHex(nonce, `${what}.nonce`)
  const pcrSelection = str(o, 'pcrSelection', what)
  const selection = parsePcrSpec(pcrSelection, `${what}.pcrSelection`)
  const pcrsObj = obj(o.pcrs, `${what}.pcrs`)
  const values = new Map<string, Map<number, Uint8Array>>()
  for (const [bank, m] of Object.entries(pcrsObj)) {
    const alg = hashAlgByName(bank)
    if (alg === undefined) throw new TcpError('input', `${what}.pcrs: unknown bank ${JSON.stringify(bank)}`)
    const inner = new Map<number, Uint8Array>()
    for (const [k, hex] of Object.entries(obj(m, `${what}.pcrs.${bank}`))) {
      if (!/^(?:[0-9]|1[0-9]|2[0-3])$/.test(k)) throw new TcpError('input', `${what}.pcrs.${bank}: key ${JSON.stringify(k)} is not a PCR index 0..23`)
      if (typeof hex !== 'string') throw new TcpError('input', `${what}.pcrs.${bank}.${k}: expected a hex string`)
      inner.set(Number(k), fromHex(hex, `${what}.pcrs.${bank}.${k}`, HASHES[alg]!.size))
    }
    values.set(bank, inner)
  }
  const attest = fromBase64(str(o, 'attest', what), `${what}.attest`)
  const signature = fromBase64(str(o, 'signature', what), `${what}.signature`)
  const ak = obj(o.ak, `${what}.ak`)
  const ek = obj(o.ek, `${what}.ek`)
  const akPublic = fromBase64(str(ak, 'public', `${what}.ak`), `${what}.ak.public`)
  const ekPublic = fromBase64(str(ek, 'public', `${what}.ek`), `${what}.ek.public`)
  // Fields the verifier does not need are still checked when present: a bundle's description of itself must not
  // be malformed (and the names and PEM must describe the public areas: see the `self-description` check).
  if (ak.pem !== undefined && (typeof ak.pem !== 'string' || !/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\r?\n?$/.test(ak.pem)))
    throw new TcpError('input', `${what}.ak.pem: expected a PEM public key (-----BEGIN PUBLIC KEY-----), got ${typeof ak.pem === 'string' ? 'other text' : JSON.stringify(ak.pem)?.slice(0, 40)}`)
  for (const [o, w] of [[ak, 'ak'], [ek, 'ek']] as const) if (o.name !== undefined) fromHex(str(o, 'name', `${what}.${w}`), `${what}.${w}.name`)
  if (o.createdAt !== undefined) parseTime(o.createdAt, `${what}.createdAt`)
  const eventLog = parseEventLog(o.eventLog, `${what}.eventLog`)
  return {doc: o as unknown as QuoteBundle, attest, signature, akPublic, ekPublic, selection, values, eventLog}
}

/** Golden values: bank -> index -> allowed hex values (one or several). */
export interface Policy {
  type: typeof POLICY_TYPE
  pcrs: Record<string, Record<string, string | string[]>>
}

export interface DecodedPolicy {
  golden: Array<{bank: string; pcr: number; allowed: Uint8Array[]}>
}

export function decodePolicy(v: unknown, what = 'policy'): DecodedPolicy {
  const o = obj(v, what)
  if (o.type !== POLICY_TYPE) throw new TcpError('input', `${what}.type: expected "${POLICY_TYPE}", got ${JSON.stringify(o.type)}`)
  const golden: DecodedPolicy['golden'] = []
  for (const [bank, m] of Object.entries(obj(o.pcrs, `${what}.pcrs`))) {
    const alg = hashAlgByName(bank)
    if (alg === undefined) throw new TcpError('input', `${what}.pcrs: unknown bank ${JSON.stringify(bank)}`)
    for (const [k, val] of Object.entries(obj(m, `${what}.pcrs.${bank}`))) {
      if (!/^(?:[0-9]|1[0-9]|2[0-3])$/.test(k)) throw new TcpError('input', `${what}.pcrs.${bank}: key ${JSON.stringify(k)} is not a PCR index 0..23`)
      const list = Array.isArray(val) ? val : [val]
      if (list.length === 0) throw new TcpError('input', `${what}.pcrs.${bank}.${k}: expected at least one value`)
      const allowed = list.map((h, i) => {
        if (typeof h !== 'string') throw new TcpError('input', `${what}.pcrs.${bank}.${k}[${i}]: expected a hex string`)
        return fromHex(h, `${what}.pcrs.${bank}.${k}`, HASHES[alg]!.size)
      })
      golden.push({bank, pcr: Number(k), allowed})
    }
  }
  if (golden.length === 0) throw new TcpError('input', `${what}.pcrs: names no PCR value`)
  return {golden}
}
