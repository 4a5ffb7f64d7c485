/**
 * Verification of signed envelopes against a trust store. Fails closed: a report passes only when every check
 * ran and passed. Checks, in order:
 *   signatures  each signature is verified over the DSSE PAE with the trusted key its keyid names, or, when the
 *               keyid (an unauthenticated hint) names none, with the trusted keys, bounded (keyhint.ts);
 *   threshold   at least N DISTINCT trusted, unrevoked, currently valid keys signed this payload;
 *   and by payload type:
 *   baseline    the payload is a well-formed tcp baseline;  not-expired  now <= notAfter;
 *   chain       (with a previous signed baseline) same subject, version = previous + 1, previous = its digest,
 *               and the previous envelope itself verifies under the same trust;
 *   statement   the payload is an in-toto Statement v1;  subject-digest  (with the original file) its sha256 and/or
 *               sha3_256 match a subject; the Statement need not be canonical JSON (baselines must be).
 * What it does NOT establish: that a key in the trust store is honest, or that a baseline describes good behaviour.
 */
import {equalBytes, fromBase64, toHex} from '../bytes.js'
import {parseJson} from '../json.js'
import {TcpError} from '../errors.js'
import {ed25519} from '../crypto/ed25519.js'
import {baselineBytes, baselineDigest, parseBaseline} from '../baseline/baseline.js'
import {BASELINE_PAYLOAD_TYPE, type Baseline} from '../baseline/types.js'
import {makeReport, requireAllPassed, type Check, type VerifyReport} from '../verify/report.js'
import {pae, parseEnvelope, payloadText} from './dsse.js'
import {INTOTO_PAYLOAD_TYPE, matchSubject, parseStatement} from './statement.js'
import {ROTATION_PAYLOAD_TYPE, rotationPayloadChecks} from '../keys/rotate.js'
import {keyUnusableReason, type TrustStore, type TrustedKey} from './trust.js'
import {candidateKeys, hintlessReason, type KeyCandidates} from './keyhint.js'

export interface EnvelopeVerifyOptions {
  trust: TrustStore
  threshold?: number
  /** Verification time (ms since epoch); default now. */
  now?: number
  /** The original file an in-toto statement names. */
  file?: {name: string; bytes: Uint8Array}
  /** The previous signed baseline (envelope document) the chain must link to. */
  previous?: unknown
  /** Put the baseline's SHA3-256 into the report (default true; batch verification skips it). */
  reportDigest?: boolean
}

export interface SignatureCount {
  checks: Check[]
  signers: string[]
  /** Signatures that claim a trusted key (or no key) and do not verify: evidence of tampering. */
  invalid: number
  /** Signatures by keys outside the trust store: ignored, never counted. */
  untrusted: number
}

/** What has to be verified for one envelope: each signature with the trusted keys it may belong to. */
export interface SignatureJobs {
  body: Uint8Array
  payloadType: string
  msg: Uint8Array
  jobs: Array<{keyid: string; sig: Uint8Array} & KeyCandidates>
}

export function signatureJobs(doc: unknown, trust: TrustStore): SignatureJobs {
  const {envelope, body} = parseEnvelope(doc)
  const hints = candidateKeys(envelope.signatures.map((s) => s.keyid), trust)
  const jobs = envelope.signatures.map((s, i) => ({keyid: s.keyid, sig: fromBase64(s.sig), ...hints[i]!}))
  return {body, payloadType: envelope.payloadType, msg: pae(envelope.payloadType, body), jobs}
}

/** Counts distinct trusted keys with a valid signature over PAE(payloadType, body). */
export function countTrustedSignatures(doc: unknown, trust: TrustStore, threshold: number, now: number): SignatureCount & {body: Uint8Array; payloadType: string} {
  const sj = signatureJobs(doc, trust)
  const good = sj.jobs.map((j) => j.candidates.find((k) => ed25519.verify(j.sig, sj.msg, k.publicKey)))
  return tallySignatures(sj, good, trust, threshold, now)
}

/** The same count with the signatures verified on the thread pool. */
export async function countTrustedSignaturesAsync(doc: unknown, trust: TrustStore, threshold: number, now: number): Promise<SignatureCount & {body: Uint8Array; payloadType: string}> {
  const sj = signatureJobs(doc, trust)
  const good = await Promise.all(
    sj.jobs.map(async (j) => {
      const oks = await Promise.all(j.candidates.map((k) => ed25519.verifyAsync(j.sig, sj.msg, k.publicKey)))
      return j.candidates[oks.indexOf(true)]
    }),
  )
  return tallySignatures(sj, good, trust, threshold, now)
}

/** The verdict on the signatures, given for each one the trusted key it verified under (or undefined). */
function tallySignatures(sj: SignatureJobs, good: Array<TrustedKey | undefined>, trust: TrustStore, threshold: number, now: number): SignatureCount & {body: Uint8Array; payloadType: string} {
  const {body, payloadType} = sj
  const signers = new Set<string>()
  const problems: string[] = []
  let invalid = 0
  let untrusted = 0
  for (const [i, s] of sj.jobs.entries()) {
    const ok = good[i]
    const ignored = ok ? undefined : hintlessReason(s.keyid, s)
    if (ignored) {
      problems.push(`signature ${i}: ${ignored}`)
      untrusted++
      continue
    }
    if (!ok) {
      problems.push(`signature ${i}${s.keyid ? ` by ${s.keyid}` : ''}: invalid`)
      invalid++
      continue
    }
    const why = keyUnusableReason(ok, trust, now)
    if (why) problems.push(`signature ${i}: ${why}`)
    else signers.add(ok.keyId)
  }
  const list = [...signers]
  // An invalid signature that claims a trusted key fails the envelope even when enough others are valid: someone
  // changed the payload or the signature, and co-signers must not paper over it.
  const checks: Check[] = [
    {
      check: 'signatures',
      ok: invalid === 0 && list.length > 0,
      detail: [list.length ? `valid signature(s) by trusted keys ${list.join(', ')}` : 'no valid signature by a trusted key', ...problems].join('; '),
    },
    {
      check: 'threshold',
      ok: list.length >= threshold,
      detail: `${list.length} of ${threshold} required distinct trusted signer(s)${list.length < threshold && problems.length ? ` (${problems.join('; ')})` : ''}`,
    },
  ]
  return {checks, signers: list, invalid, untrusted, body, payloadType}
}

function parsePayloadJson(body: Uint8Array, what: string): unknown {
  return parseJson(payloadText(body, what), what)
}

/** Checks a baseline payload: schema, expiry and (optionally) its link to the previous version. */
/**
 * The baseline of a payload that is exactly its own canonical form, read without the strict reader's
 * duplicate-member scan (a third of the work of a batch line): canonical bytes never repeat a member name, and if the
 * payload did, JSON.parse would keep one of them and the canonical form of what it kept would differ from the
 * payload. undefined when anything is off: the strict path then finds the problem and names it.
 */
function canonicalBaseline(body: Uint8Array): Baseline | undefined {
  try {
    const b = parseBaseline(JSON.parse(payloadText(body, 'baseline payload')), 'baseline payload')
    return equalBytes(body, baselineBytes(b)) ? b : undefined
  } catch {
    return undefined
  }
}

function baselineChecks(body: Uint8Array, opts: EnvelopeVerifyOptions, now: number, threshold: number): {checks: Check[]; baseline?: Baseline} {
  let baseline = canonicalBaseline(body)
  if (!baseline) {
    try {
      baseline = parseBaseline(parsePayloadJson(body, 'baseline payload'), 'baseline payload')
    } catch (e) {
      return {checks: [{check: 'baseline', ok: false, detail: (e as Error).message}]}
    }
    // The signed bytes must BE the canonical form: then the digest, the chain and every reader agree on one document.
    return {checks: [{check: 'baseline', ok: false, detail: 'the payload is not the canonical (RFC 8785) form of a baseline'}]}
  }
  const checks: Check[] = [{check: 'baseline', ok: true, detail: `${baseline.subject} version ${baseline.version}`}]
  if (baseline.notAfter === null) checks.push({check: 'not-expired', ok: true, detail: 'no expiry set'})
  else {
    const ok = now <= Date.parse(baseline.notAfter)
    checks.push({check: 'not-expired', ok, detail: ok ? `valid until ${baseline.notAfter}` : `expired at ${baseline.notAfter}`})
  }
  if (opts.previous !== undefined) checks.push(chainCheck(baseline, opts, now, threshold))
  return {checks, baseline}
}

function chainCheck(baseline: Baseline, opts: EnvelopeVerifyOptions, now: number, threshold: number): Check {
  const prevCount = countTrustedSignatures(opts.previous, opts.trust, threshold, now)
  if (prevCount.payloadType !== BASELINE_PAYLOAD_TYPE) return {check: 'chain', ok: false, detail: 'the previous artifact is not a signed baseline'}
  if (!prevCount.checks.every((c) => c.ok)) return {check: 'chain', ok: false, detail: `the previous baseline does not verify: ${prevCount.checks.find((c) => !c.ok)!.detail}`}
  const prev = parseBaseline(parsePayloadJson(prevCount.body, 'previous baseline'), 'previous baseline')
  if (prev.subject !== baseline.subject) return {check: 'chain', ok: false, detail: `subject "${baseline.subject}" differs from the previous "${prev.subject}"`}
  if (baseline.version <= prev.version) return {check: 'chain', ok: false, detail: `rollback: version ${baseline.version} is not newer than the previous version ${prev.version}`}
  if (baseline.version !== prev.version + 1) return {check: 'chain', ok: false, detail: `version ${baseline.version} does not follow the previous version ${prev.version}`}
  const digest = toHex(baselineDigest(prev))
  if (baseline.previous !== digest) return {check: 'chain', ok: false, detail: `fork: previous digest ${baseline.previous} is not the previous baseline's ${digest}`}
  return {check: 'chain', ok: true, detail: `links to version ${prev.version} (${digest.slice(0, 16)}...)`}
}

/** The statement's checks, and the subjects whose contents were not compared (no `file` given). */
function statementChecks(body: Uint8Array, opts: EnvelopeVerifyOptions): {checks: Check[]; notChecked?: string[]} {
  let st
  try {
    st = parseStatement(parsePayloadJson(body, 'statement payload'), 'statement payload')
  } catch (e) {
    return {checks: [{check: 'statement', ok: false, detail: (e as Error).message}]}
  }
  const checks: Check[] = [{check: 'statement', ok: true, detail: `in-toto statement about ${st.subject.map((s) => s.name).join(', ')}`}]
  if (opts.file) {
    const match = matchSubject(st, opts.file.bytes)
    checks.push({check: 'subject-digest', ok: Boolean(match), detail: match ? `${match.algorithms.join(' and ')} of ${opts.file.name} match subject ${match.name}` : `neither sha256 nor sha3_256 of ${opts.file.name} matches a subject`})
    return {checks}
  }
  return {checks, notChecked: st.subject.map((s) => s.name)}
}

function thresholdOf(opts: EnvelopeVerifyOptions): number {
  const threshold = opts.threshold ?? 1
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new TcpError('usage', `--threshold: expected a positive integer, got ${threshold}`)
  if (threshold > opts.trust.keys.length)
    throw new TcpError('usage', `--threshold ${threshold} is more than the ${opts.trust.keys.length} trusted key(s): it can never be met`)
  return threshold
}

type Count = SignatureCount & {body: Uint8Array; payloadType: string}

/** The report on one envelope (tcp verify's `dsse-envelope` kind; docs/schemas/tcp.verify.v1.schema.json). */
export interface EnvelopeReport extends VerifyReport {
  payloadType: string
  /** Key ids of the distinct trusted keys whose signatures verified. */
  signerKeyIds: string[]
  threshold: number
  /** Subjects of an in-toto statement whose contents were not compared (no `file` given). */
  notChecked?: string[]
  /** A baseline's subject, version and SHA3-256 (hex). */
  subject?: string
  version?: number
  digest?: string
}

/** Everything after the signatures: the payload's own checks, by payload type. */
function reportFromCount(count: Count, opts: EnvelopeVerifyOptions, now: number, threshold: number): EnvelopeReport & {baseline?: Baseline} {
  const checks = [...count.checks]
  let baseline: Baseline | undefined
  let notChecked: string[] | undefined
  if (count.payloadType === BASELINE_PAYLOAD_TYPE) {
    if (opts.file) throw new TcpError('usage', '--file applies to signed files (in-toto statements), not to baselines')
    const b = baselineChecks(count.body, opts, now, threshold)
    checks.push(...b.checks)
    baseline = b.baseline
  } else if (count.payloadType === INTOTO_PAYLOAD_TYPE) {
    if (opts.previous !== undefined) throw new TcpError('usage', '--previous applies to signed baselines only')
    const st = statementChecks(count.body, opts)
    checks.push(...st.checks)
    notChecked = st.notChecked
  } else if (count.payloadType === ROTATION_PAYLOAD_TYPE) {
    checks.push(...rotationPayloadChecks(count.body, count.signers))
  } else checks.push({check: 'payload-type', ok: false, detail: `unknown payload type "${count.payloadType}"`})
  const extra: Record<string, unknown> = {payloadType: count.payloadType, signerKeyIds: count.signers, threshold}
  // Who signed which digest is verified; that the file on disk has that digest is not, without `file`.
  if (notChecked) extra.notChecked = notChecked
  if (baseline) Object.assign(extra, {subject: baseline.subject, version: baseline.version}, opts.reportDigest === false ? {} : {digest: toHex(baselineDigest(baseline))})
  const report = makeReport('dsse-envelope', checks, extra) as EnvelopeReport
  return baseline ? {...report, baseline} : report
}

export function verifyEnvelopeReport(doc: unknown, opts: EnvelopeVerifyOptions): EnvelopeReport & {baseline?: Baseline} {
  const threshold = thresholdOf(opts)
  const now = opts.now ?? Date.now()
  return reportFromCount(countTrustedSignatures(doc, opts.trust, threshold, now), opts, now, threshold)
}

/** Verifies and returns the baseline of a signed envelope; any failed check is TcpError('rejected'). */
export function openSignedBaseline(doc: unknown, opts: EnvelopeVerifyOptions): {baseline: Baseline; digest: Uint8Array; report: EnvelopeReport} {
  const r = verifyEnvelopeReport(doc, opts)
  const {baseline, ...report} = r
  requireAllPassed(report)
  if (!baseline) throw new TcpError('rejected', `rejected: payload type ${String(report.payloadType)} is not a baseline`, report)
  return {baseline, digest: baselineDigest(baseline), report}
}

/** Reads the baseline out of an envelope WITHOUT verifying anything (for --previous of create, and --skip-verify). */
export function unverifiedBaseline(doc: unknown, what = 'signed baseline'): Baseline {
  const {envelope, body} = parseEnvelope(doc, what)
  if (envelope.payloadType !== BASELINE_PAYLOAD_TYPE) throw new TcpError('input', `${what}: payload type is "${envelope.payloadType}", not a baseline`)
  return parseBaseline(parsePayloadJson(body, `${what} payload`), `${what} payload`)
}

export interface BatchResult {
  total: number
  verified: number
  /** Lines that are not readable envelopes (exit 2 for the batch), and envelopes that fail a check (exit 1). */
  malformed: number
  rejected: Array<{index: number; reason: string}>
}

export interface BatchOptions extends EnvelopeVerifyOptions {
  /** Threads to verify on, this one included (default: the cores node reports, at most 8; 1 = this thread only). */
  threads?: number
}

/** Lines per unit of work a thread claims: small enough to balance two cores, large enough to amortise a claim. */
const CHUNK_LINES = 256
const MAX_THREADS = 8

/**
 * What a batch thread gets: the batch as UTF-8 bytes in shared memory, the byte ranges of its chunks (whole lines)
 * with the number of each chunk's first line, and a shared counter from which every thread claims the next chunk.
 */
export interface BatchShare {
  bytes: SharedArrayBuffer
  chunks: Array<[start: number, end: number, firstLine: number]>
  next: Int32Array
  opts: EnvelopeVerifyOptions
  threshold: number
  now: number
  what: string
}

/** Verifies chunks claimed from `share.next` until none is left (on the main thread and in every worker). */
export function runBatchChunks(share: BatchShare): BatchResult {
  const r: BatchResult = {total: 0, verified: 0, malformed: 0, rejected: []}
  const buf = Buffer.from(share.bytes)
  for (let i = Atomics.add(share.next, 0, 1); i < share.chunks.length; i = Atomics.add(share.next, 0, 1)) {
    const [from, to, firstLine] = share.chunks[i]!
    const text = buf.toString('utf8', from, to)
    let start = 0
    let line = firstLine - 1
    while (start < text.length) {
      let end = text.indexOf('\n', start)
      if (end < 0) end = text.length
      line++
      const raw = text.slice(start, end)
      start = end + 1
      if (raw.trim() === '') continue
      r.total++
      verifyBatchLine(raw, line, share, r)
    }
  }
  return r
}

/** One line of a batch: every check of verifyEnvelopeReport, the verdict added to `r`. */
function verifyBatchLine(raw: string, line: number, share: BatchShare, r: BatchResult): void {
  const {opts, threshold, now, what} = share
  try {
    const doc = parseJson(raw, `${what}:${line}`)
    const report = reportFromCount(countTrustedSignatures(doc, opts.trust, threshold, now), opts, now, threshold)
    if (report.ok) r.verified++
    else {
      const c = report.checks.find((x) => !x.ok)!
      r.rejected.push({index: line, reason: `${what}:${line}: ${c.check}: ${c.detail}`})
    }
  } catch (e) {
    const msg = (e as Error).message
    r.rejected.push({index: line, reason: msg.startsWith(`${what}:${line}`) ? msg : `${what}:${line}: ${msg}`})
    if (!(e instanceof TcpError) || e.exitCode !== 1) r.malformed++
  }
}

/**
 * Verifies many envelopes against one trust store (JSON Lines input of `tcp verify --batch`). Every envelope gets
 * the full checks of verifyEnvelopeReport; one bad line is reported with its line number and does not stop the rest.
 * The lines are cut into chunks that this thread and worker threads (one per further core) claim in turn, each
 * doing the whole work of its lines (parse, signatures, payload checks), so the batch uses every core.
 */
export async function verifyEnvelopeBatch(text: string, options: BatchOptions, what = 'batch'): Promise<BatchResult> {
  const {threads: wanted, ...rest} = options
  const opts: EnvelopeVerifyOptions = {...rest, reportDigest: false}
  const threshold = thresholdOf(opts)
  const now = opts.now ?? Date.now()
  if (wanted !== undefined && (!Number.isSafeInteger(wanted) || wanted < 1)) throw new TcpError('usage', `threads: expected a positive integer, got ${wanted}`)
  const length = Buffer.byteLength(text)
  const bytes = new SharedArrayBuffer(length)
  const buf = Buffer.from(bytes)
  buf.write(text, 'utf8')
  const chunks: BatchShare['chunks'] = []
  let start = 0
  let line = 1
  while (start < length) {
    let end = start
    let lines = 0
    while (end < length && lines < CHUNK_LINES) {
      const nl = buf.indexOf(10, end)
      end = nl < 0 ? length : nl + 1
      lines++
    }
    chunks.push([start, end, line])
    line += lines
    start = end
  }
  // Only public key material crosses to the workers, whatever else the caller's key objects carry.
  const trust: TrustStore = {...opts.trust, keys: opts.trust.keys.map((k) => {
    const {secretKey: _secret, ...pub} = k as TrustedKey & {secretKey?: unknown}
    return pub
  })}
  const share: BatchShare = {bytes, chunks, next: new Int32Array(new SharedArrayBuffer(4)), opts: {...opts, trust}, threshold, now, what}
  const {availableParallelism} = await import('node:os')
  const threads = Math.min(wanted ?? Math.min(availableParallelism(), MAX_THREADS), chunks.length)
  const workers = threads > 1 ? await startBatchWorkers(share, threads - 1) : []
  const parts = [runBatchChunks(share), ...(await Promise.all(workers))]
  const r: BatchResult = {total: 0, verified: 0, malformed: 0, rejected: []}
  for (const p of parts) {
    r.total += p.total
    r.verified += p.verified
    r.malformed += p.malformed
    r.rejected.push(...p.rejected)
  }
  r.rejected.sort((a, b) => a.index - b.index)
  return r
}

async function startBatchWorkers(share: BatchShare, n: number): Promise<Array<Promise<BatchResult>>> {
  const {Worker} = await import('node:worker_threads')
  // Built: batch-worker.js beside this file. Run from the TypeScript sources (tests): batch-worker.ts, loaded
  // through tsx, whose hooks a worker does not inherit.
  const ts = import.meta.url.endsWith('.ts')
  const url = new URL(ts ? './batch-worker.ts' : './batch-worker.js', import.meta.url)
  return Array.from({length: n}, () => {
    const w = ts
      ? new Worker(`import('tsx/esm/api').then((t) => t.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`, {eval: true, workerData: share})
      : new Worker(url, {workerData: share})
    return new Promise<BatchResult>((resolve, reject) => {
      let result: BatchResult | undefined
      w.once('message', (m: BatchResult) => (result = m))
      w.once('error', (e) => reject(new TcpError('internal', `batch worker: ${e.message}`)))
      w.once('exit', (code) => (result ? resolve(result) : reject(new TcpError('internal', `batch worker exited ${code} without a result`))))
    })
  })
}
