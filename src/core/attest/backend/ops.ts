/**
 * The attester side of `tcp attest`, on a TPM reached through tpm2-tools: init (EK + AK, persisted), measure (PCR
 * extend + event log), quote (bundle), and both halves of credential activation (challenge needs no TPM).
 *
 * Without a resource manager every loaded object holds one of three transient slots, so the keys live at persistent
 * handles and every step ends with `tpm2_flushcontext -t` (and flushes its own session). Tool outputs are written to
 * a private temporary folder and copied into the state folder atomically (src/core/io.ts).
 *
 * What this does NOT guarantee: that extending a PCR and appending the log entry happen atomically (a crash between
 * the two leaves a log that no longer replays, which the verifier then rejects), or that the TPM is genuine.
 */
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {concatBytes, equalBytes, fromBase64, fromHex, toBase64, toHex} from '../../bytes.js'
import {sha256, randomBytes} from '../../crypto/index.js'
import {TcpError} from '../../errors.js'
import {readFileBytes, readJsonFile, writeFileAtomic} from '../../io.js'
import {
  CHALLENGE_TYPE,
  EVENT_LOG_TYPE,
  MEASURE_PCRS,
  TPM_QUOTE_TYPE,
  coveredPrefix,
  formatPcrSpec,
  parseEventLog,
  parsePcrSpec,
  replayLog,
  type BankSelection,
  type EventLog,
  type EventLogEntry,
  type QuoteBundle,
} from '../bundle.js'
import {ALG, HASHES, hashAlgByName, objectName, parseAttest, parsePublic, tpmHash, type Public} from '../structures.js'
import {checkEkCertificate, type EkCertResult} from '../verify/ekcert.js'
import {runTool, TpmToolError} from './tpm2-tools.js'

export const STATE_TYPE = 'tcp.attest.state/v1'
export type AkAlg = 'ecc' | 'rsa' | 'rsapss'
export type EkAlg = 'rsa' | 'ecc'

export interface AttestState {
  type: typeof STATE_TYPE
  ekHandle: string
  akHandle: string
  ekAlg: EkAlg
  akAlg: AkAlg
}

/** TCG EK Credential Profile handles and NV indices; the AK handle is ours. */
const EK_HANDLE: Record<EkAlg, string> = {rsa: '0x81010001', ecc: '0x81010002'}
const EK_CERT_NV: Record<EkAlg, string> = {rsa: '0x1c00002', ecc: '0x1c0000a'}
export const AK_HANDLE = '0x81010020'
/** tpm2-tools signature scheme of each AK kind (the AK is created with it, and quotes must ask for the same). */
const SCHEME: Record<AkAlg, string> = {ecc: 'ecdsa', rsa: 'rsassa', rsapss: 'rsapss'}

export const FILES = {
  state: 'state.json',
  ekPub: 'ek.pub',
  ekName: 'ek.name',
  ekCert: 'ek-cert.der',
  akPub: 'ak.pub',
  akPem: 'ak.pem',
  akName: 'ak.name',
  eventLog: 'eventlog.json',
} as const

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tcp-attest-'))
  try {
    return await fn(dir)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

async function flushTransient(tcti: string): Promise<void> {
  await runTool('tpm2_flushcontext', ['-t'], {tcti})
}

/**
 * Runs `fn` and flushes every transient object afterwards, also when `fn` failed: a tool that loaded an object and
 * then failed (tpm2_createek whose EvictControl is refused) leaves it in one of the three slots. On the failure path
 * a failing flush is ignored so that the caller sees the first error.
 */
async function thenFlush<T>(tcti: string, fn: () => Promise<T>): Promise<T> {
  let out: T
  try {
    out = await fn()
  } catch (e) {
    await flushTransient(tcti).catch(() => {})
    throw e
  }
  await flushTransient(tcti)
  return out
}

async function handles(tcti: string, kind: 'handles-persistent' | 'handles-nv-index'): Promise<Set<string>> {
  const r = await runTool('tpm2_getcap', [kind], {tcti})
  const out = new Set<string>()
  for (const m of r.stdout.matchAll(/0x([0-9a-f]+)/gi)) out.add(`0x${m[1]!.toLowerCase().replace(/^0+/, '')}`)
  return out
}

export async function readState(stateDir: string): Promise<AttestState> {
  const p = join(stateDir, FILES.state)
  if (!(existsSync(p))) throw new TcpError('not_found', `attestation state not found: ${p} (run tcp attest init --state ${stateDir})`)
  const s = (await readJsonFile(p, {what: 'attestation state'})) as AttestState
  if (s?.type !== STATE_TYPE || typeof s.akHandle !== 'string' || typeof s.ekHandle !== 'string')
    throw new TcpError('input', `attestation state ${p}: expected "${STATE_TYPE}" with ekHandle and akHandle`)
  return s
}

function akAlgOf(p: Public): AkAlg {
  if (p.type === ALG.ECC) return 'ecc'
  return p.scheme === ALG.RSAPSS ? 'rsapss' : 'rsa'
}

export interface InitResult {
  stateDir: string
  ekHandle: string
  akHandle: string
  ekAlg: EkAlg
  akAlg: AkAlg
  createdEk: boolean
  createdAk: boolean
  akName: string
  ekName: string
  ekCertificate: string | null
  /** The state files this call wrote, by role (the keys of FILES): every public part, state.json, the certificate
   * when the TPM holds one, the event log when it was absent. */
  written: Partial<Record<keyof typeof FILES, string>>
}

/** Creates (or reuses) the EK and a persisted AK, and writes their public parts to the state folder. */
export async function init(stateDir: string, opts: {tcti: string; akAlg?: AkAlg; ekAlg?: EkAlg}): Promise<InitResult> {
  const {tcti} = opts
  const prior = (existsSync(join(stateDir, FILES.state))) ? await readState(stateDir) : undefined
  if (prior && opts.ekAlg && opts.ekAlg !== prior.ekAlg)
    throw new TcpError('usage', `ek-alg: the state folder ${stateDir} uses an ${prior.ekAlg} EK, asked ${opts.ekAlg} (use another --state)`)
  const ekAlg = prior?.ekAlg ?? opts.ekAlg ?? 'rsa'
  const akAlg = opts.akAlg ?? prior?.akAlg ?? 'ecc'
  const ekHandle = prior?.ekHandle ?? EK_HANDLE[ekAlg]
  const akHandle = prior?.akHandle ?? AK_HANDLE
  const persistent = await handles(tcti, 'handles-persistent')
  const createdEk = !persistent.has(ekHandle)
  const createdAk = !persistent.has(akHandle)
  return withTemp(async (tmp) => {
    const written: InitResult['written'] = {}
    const put = async (role: keyof typeof FILES, data: Uint8Array | string) => {
      const path = join(stateDir, FILES[role])
      await writeFileAtomic(path, data, {force: true, what: `state file ${FILES[role]}`})
      written[role] = path
    }
    if (createdEk) await thenFlush(tcti, () => runTool('tpm2_createek', ['-c', ekHandle, '-G', ekAlg, '-u', join(tmp, 'ek.created')], {tcti}))
    if (createdAk) {
      const scheme = SCHEME[akAlg]
      const g = akAlg === 'ecc' ? 'ecc' : 'rsa'
      const ctx = join(tmp, 'ak.ctx')
      await thenFlush(tcti, async () => {
        await runTool('tpm2_createak', ['-C', ekHandle, '-c', ctx, '-G', g, '-g', 'sha256', '-s', scheme, '-u', join(tmp, 'ak.created')], {tcti})
        await runTool('tpm2_evictcontrol', ['-C', 'o', '-c', ctx, akHandle], {tcti})
      })
    }
    await runTool('tpm2_readpublic', ['-c', ekHandle, '-o', join(tmp, 'ek.pub'), '-n', join(tmp, 'ek.name')], {tcti})
    await runTool('tpm2_readpublic', ['-c', akHandle, '-o', join(tmp, 'ak.pub'), '-n', join(tmp, 'ak.name')], {tcti})
    await runTool('tpm2_readpublic', ['-c', akHandle, '-f', 'pem', '-o', join(tmp, 'ak.pem')], {tcti})
    const akPub = parsePublic(new Uint8Array(await readFile(join(tmp, 'ak.pub'))), 'AK public')
    if (!createdAk && akAlgOf(akPub) !== akAlg && opts.akAlg)
      throw new TcpError('usage', `ak-alg: the AK already at ${akHandle} is ${akAlgOf(akPub)}, asked ${akAlg} (use another TPM or evict it first)`)
    const ekPub = parsePublic(new Uint8Array(await readFile(join(tmp, 'ek.pub'))), 'EK public')
    for (const role of ['ekPub', 'ekName', 'akPub', 'akName', 'akPem'] as const) await put(role, new Uint8Array(await readFile(join(tmp, FILES[role]))))
    let ekCertificate: string | null = null
    const nv = await handles(tcti, 'handles-nv-index')
    const idx = EK_CERT_NV[ekAlg]
    if (nv.has(idx)) {
      await runTool('tpm2_nvread', [idx, '-C', 'o', '-o', join(tmp, 'ekcert')], {tcti})
      await put('ekCert', new Uint8Array(await readFile(join(tmp, 'ekcert'))))
      ekCertificate = join(stateDir, FILES.ekCert)
    }
    const state: AttestState = {type: STATE_TYPE, ekHandle, akHandle, ekAlg, akAlg: akAlgOf(akPub)}
    await put('state', JSON.stringify(state, null, 2) + '\n')
    if (!(existsSync(join(stateDir, FILES.eventLog)))) await put('eventLog', JSON.stringify({type: EVENT_LOG_TYPE, entries: []}, null, 2) + '\n')
    return {
      stateDir,
      ekHandle,
      akHandle,
      ekAlg,
      akAlg: state.akAlg,
      createdEk,
      createdAk,
      akName: toHex(objectName(akPub)),
      ekName: toHex(objectName(ekPub)),
      ekCertificate,
      written,
    }
  })
}

async function readEventLog(stateDir: string): Promise<EventLog> {
  const p = join(stateDir, FILES.eventLog)
  if (!(existsSync(p))) return {type: EVENT_LOG_TYPE, entries: []}
  return parseEventLog(await readJsonFile(p, {what: 'event log'}), `event log ${p}`)
}

export interface MeasureResult {
  file: string
  pcr: number
  bank: 'sha256'
  digest: string
  seq: number
  eventLog: string
}

/**
 * Extends sha256 PCR `pcr` (8-15: not resettable, see MEASURE_PCRS) with SHA-256(file) and appends the entry to
 * the state folder's event log. The log is append-only and must explain the PCR whole: before extending, the PCR's
 * value must equal the replay of the log's entries for it, so a PCR that the boot chain (or anything else) also
 * extends is refused rather than measured into with a log no verifier could replay.
 */
export async function measure(stateDir: string, file: string, pcr: number, opts: {tcti: string}): Promise<MeasureResult> {
  if (!Number.isInteger(pcr) || pcr < MEASURE_PCRS.min || pcr > MEASURE_PCRS.max)
    throw new TcpError('usage', `pcr: expected ${MEASURE_PCRS.min}..${MEASURE_PCRS.max} (PCRs no software can reset; 0-7 belong to firmware, 16 and 23 can be reset by anyone with TPM access), got ${pcr}`)
  await readState(stateDir)
  const log = await readEventLog(stateDir)
  const digest = toHex(sha256(await readFileBytes(file, {what: 'file to measure'})))
  await withTemp(async (tmp) => {
    const now = (await pcrRead([{bank: 'sha256', pcrs: [pcr]}], tmp, opts.tcti)).get('sha256')!.get(pcr)!
    const logged = log.entries.filter((e) => e.bank === 'sha256' && e.pcr === pcr)
    if (coveredPrefix(logged, 'sha256', now) !== logged.length)
      throw new TcpError('input', `sha256 PCR ${pcr} holds ${toHex(now)}, which the ${logged.length} entries of the event log for it do not replay to: something else extends this PCR (the boot chain, or a measurement the log lost); choose another PCR of ${MEASURE_PCRS.min}-${MEASURE_PCRS.max} with --pcr`)
  })
  await runTool('tpm2_pcrextend', [`${pcr}:sha256=${digest}`], {tcti: opts.tcti})
  const seq = log.entries.length
  const entry: EventLogEntry = {seq, pcr, bank: 'sha256', digest, file: basename(file), time: new Date().toISOString()}
  log.entries.push(entry)
  const p = join(stateDir, FILES.eventLog)
  await writeFileAtomic(p, JSON.stringify(log, null, 2) + '\n', {force: true, what: 'event log'})
  return {file, pcr, bank: 'sha256', digest, seq, eventLog: p}
}

type PcrValues = Map<string, Map<number, Uint8Array>>

/** Reads the selected PCRs, one tpm2_pcrread per bank so that the order of the binary output is unambiguous. */
async function pcrRead(sel: BankSelection[], tmp: string, tcti: string): Promise<PcrValues> {
  const out: PcrValues = new Map()
  for (const b of sel) {
    const f = join(tmp, `pcrs-${b.bank}.bin`)
    await runTool('tpm2_pcrread', [`${b.bank}:${b.pcrs.join(',')}`, '-o', f], {tcti})
    const bytes = new Uint8Array(await readFile(f))
    const size = HASHES[hashAlgByName(b.bank)!]!.size
    if (bytes.length !== size * b.pcrs.length)
      throw new TcpError('dependency', `tpm2_pcrread: expected ${size * b.pcrs.length} bytes for ${b.bank}:${b.pcrs.join(',')}, got ${bytes.length} (is the ${b.bank} bank enabled?)`)
    out.set(b.bank, new Map(b.pcrs.map((i, k) => [i, bytes.slice(k * size, (k + 1) * size)])))
  }
  return out
}

function sameValues(a: PcrValues, b: PcrValues): boolean {
  for (const [bank, m] of a) for (const [i, v] of m) if (!equalBytes(v, b.get(bank)?.get(i) ?? new Uint8Array())) return false
  return true
}

/** True when every PCR the log names and the read covers has the replayed value. */
function logMatches(log: EventLog, values: PcrValues): boolean {
  for (const [key, v] of replayLog(log)) {
    const [bank, idx] = key.split(':') as [string, string]
    const got = values.get(bank)?.get(Number(idx))
    if (got && !equalBytes(got, v)) return false
  }
  return true
}

export interface QuoteResult {
  bundle: QuoteBundle
  attempts: number
  /** The PCR file `tpm2_quote -o` wrote (tpm2-tools' own layout), kept only for cross-checks with tpm2_checkquote. */
  toolPcrFile: Uint8Array
}

/**
 * Quotes the selected PCRs with the AK over `nonce` and reads the values so that they match the quote: read, quote,
 * read again; when the values moved (or do not hash to the quoted digest) try again, at most `maxAttempts` times.
 */
export interface QuoteOptions {
  tcti: string
  /** Attempts before giving up when the PCRs keep moving (default 3). */
  maxAttempts?: number
  /** Called between the first read and the quote of each attempt (tests use it to move a PCR at that moment). */
  beforeQuote?: (attempt: number) => Promise<void>
}

export async function quote(stateDir: string, nonce: Uint8Array, pcrSpec: string, opts: QuoteOptions): Promise<QuoteResult> {
  if (nonce.length < 8 || nonce.length > 64) throw new TcpError('usage', `nonce: expected 8 to 64 bytes (TPM2B_DATA), got ${nonce.length}`)
  const sel = parsePcrSpec(pcrSpec)
  const spec = formatPcrSpec(sel)
  const state = await readState(stateDir)
  const read = (f: string) => readFileBytes(join(stateDir, f), {what: `state file ${f}`})
  const [akPub, akPem, ekPub] = await Promise.all([read(FILES.akPub), read(FILES.akPem), read(FILES.ekPub)])
  const {tcti} = opts
  const max = opts.maxAttempts ?? 3
  return withTemp(async (tmp) => {
    for (let attempt = 1; attempt <= max; attempt++) {
      const before = await pcrRead(sel, tmp, tcti)
      await opts.beforeQuote?.(attempt)
      const msg = join(tmp, 'attest.bin')
      const sig = join(tmp, 'sig.bin')
      const scheme = SCHEME[state.akAlg] ?? 'ecdsa'
      await runTool('tpm2_quote', ['-c', state.akHandle, '-l', spec, '-q', toHex(nonce), '-m', msg, '-s', sig, '-o', join(tmp, 'quote.pcrs'), '-g', 'sha256', '--scheme', scheme], {tcti})
      const after = await pcrRead(sel, tmp, tcti)
      const attest = new Uint8Array(await readFile(msg))
      const a = parseAttest(attest)
      const values = sel.flatMap((b) => b.pcrs.map((i) => before.get(b.bank)!.get(i)!))
      if (!sameValues(before, after) || !a.quote || !equalBytes(tpmHash(ALG.SHA256, concatBytes(...values)), a.quote.pcrDigest)) continue
      // The log is read after the quote; a measurement caught between its extend and its log append shows up as a
      // log that does not replay to the quoted values: try again rather than hand out an inconsistent bundle.
      const fullLog = await readEventLog(stateDir)
      if (!logMatches(fullLog, before)) continue
      // Only entries for quoted PCRs travel: the others cannot be checked against this quote.
      const eventLog: EventLog = {type: EVENT_LOG_TYPE, entries: fullLog.entries.filter((e) => sel.some((b) => b.bank === e.bank && b.pcrs.includes(e.pcr)))}
      const pcrs: QuoteBundle['pcrs'] = {}
      for (const [bank, m] of before) pcrs[bank] = Object.fromEntries([...m].map(([i, v]) => [String(i), toHex(v)]))
      const akP = parsePublic(akPub, 'AK public')
      const bundle: QuoteBundle = {
        type: TPM_QUOTE_TYPE,
        createdAt: new Date().toISOString(),
        nonce: toHex(nonce),
        pcrSelection: spec,
        pcrs,
        attest: toBase64(attest),
        signature: toBase64(new Uint8Array(await readFile(sig))),
        ak: {public: toBase64(akPub), pem: new TextDecoder().decode(akPem), name: toHex(objectName(akP))},
        ek: {public: toBase64(ekPub), name: toHex(objectName(parsePublic(ekPub, 'EK public')))},
        eventLog,
      }
      return {bundle, attempts: attempt, toolPcrFile: new Uint8Array(await readFile(join(tmp, 'quote.pcrs')))}
    }
    throw new TcpError('dependency', `quote: PCR values kept changing during ${max} attempts; retry when the system is quiet`)
  })
}

export interface Challenge {
  type: typeof CHALLENGE_TYPE
  ekName: string
  akName: string
  /** tpm2_makecredential output (TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET in the tpm2-tools file format). */
  credential: string
}

/** Reads an AK Name given as hex or as the binary file `tpm2_readpublic -n` writes. */
export async function readAkName(value: string): Promise<Uint8Array> {
  if (/^(0x)?[0-9a-fA-F]{8,}$/.test(value) && !(existsSync(value))) return fromHex(value, 'ak-name')
  const b = await readFileBytes(value, {what: 'AK name file'})
  const text = new TextDecoder().decode(b).trim()
  return /^[0-9a-fA-F]+$/.test(text) ? fromHex(text, 'ak-name') : b
}

/**
 * Verifier side of credential activation (TPM 2.0 Part 1, 24): seals a fresh 32-byte secret to the EK such that only
 * a TPM holding both that EK and a key with Name `akName` can recover it. Runs tpm2_makecredential with `-T none`:
 * no TPM is needed. With `ekCert`, the certificate must certify this EK and chain to one of `cas` (verify/ekcert.ts).
 */
export async function makeChallenge(
  ekPublic: Uint8Array,
  akName: Uint8Array,
  opts: {ekCert?: Uint8Array; cas?: Uint8Array[]; now?: Date} = {},
): Promise<{challenge: Challenge; secret: Uint8Array; ekCertificate: EkCertResult | null}> {
  const ek = parsePublic(ekPublic, 'ek (TPM2B_PUBLIC)')
  // With an EK certificate, the EK must be certified by a trusted CA before any secret is sealed to it.
  const ekCertificate = opts.ekCert ? checkEkCertificate(opts.ekCert, ekPublic, opts.cas ?? [], opts.now) : null
  const alg = (akName[0]! << 8) | akName[1]!
  if (akName.length < 3 || !HASHES[alg] || akName.length !== 2 + HASHES[alg]!.size)
    throw new TcpError('input', `ak-name: expected nameAlg (2 bytes) and a digest, got ${akName.length} bytes starting ${toHex(akName.subarray(0, 2))}`)
  const secret = randomBytes(32)
  return withTemp(async (tmp) => {
    await writeFile(join(tmp, 'ek.pub'), ekPublic)
    await writeFile(join(tmp, 'secret'), secret, {mode: 0o600})
    await runTool('tpm2_makecredential', ['-T', 'none', '-u', join(tmp, 'ek.pub'), '-s', join(tmp, 'secret'), '-n', toHex(akName), '-o', join(tmp, 'cred')], {tcti: 'none', noTpm: true})
    const credential = toBase64(new Uint8Array(await readFile(join(tmp, 'cred'))))
    return {challenge: {type: CHALLENGE_TYPE, ekName: toHex(objectName(ek)), akName: toHex(akName), credential}, secret, ekCertificate}
  })
}

/** Attester side: asks the TPM to release the challenge's secret; it does only if the AK and the EK are both its own. */
export async function activate(stateDir: string, challenge: Challenge, opts: {tcti: string}): Promise<Uint8Array> {
  if (challenge?.type !== CHALLENGE_TYPE || typeof challenge.credential !== 'string')
    throw new TcpError('input', `challenge: expected a "${CHALLENGE_TYPE}" document with a credential`)
  const cred = fromBase64(challenge.credential, 'challenge.credential')
  const state = await readState(stateDir)
  const {tcti} = opts
  return withTemp(async (tmp) => {
    const session = join(tmp, 'session.ctx')
    await writeFile(join(tmp, 'cred'), cred)
    await runTool('tpm2_startauthsession', ['--policy-session', '-S', session], {tcti})
    try {
      await runTool('tpm2_policysecret', ['-S', session, '-c', 'e'], {tcti})
      await runTool('tpm2_activatecredential', ['-c', state.akHandle, '-C', state.ekHandle, '-i', join(tmp, 'cred'), '-o', join(tmp, 'out'), '-P', `session:${session}`], {tcti})
    } catch (e) {
      if (e instanceof TpmToolError && e.tool === 'tpm2_activatecredential')
        throw new TcpError('rejected', `activation refused by the TPM: the challenge is not for this TPM's EK and AK (${e.reason})`)
      throw e
    } finally {
      await runTool('tpm2_flushcontext', [session], {tcti}).catch(() => {})
    }
    return new Uint8Array(await readFile(join(tmp, 'out')))
  })
}
