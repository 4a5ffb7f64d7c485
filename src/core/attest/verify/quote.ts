/**
 * The quote verifier of `tcp verify` for `tcp.attest.quote-bundle/v1`: TypeScript only, no TPM, no tpm2-tools, no
 * child process, and it imports nothing from the backend (../backend/). It fails closed: every check below is
 * evaluated and reported; the bundle is accepted only when all of them passed (requireAllPassed).
 *
 * Checks (TPM 2.0 Library Part 2 section numbers in ../structures.ts):
 *   attest-structure  TPMS_ATTEST decodes completely, no trailing bytes
 *   magic             TPM_GENERATED_VALUE (0xff544347): the TPM produced the structure
 *   type              TPM_ST_ATTEST_QUOTE (0x8018)
 *   nonce             extraData equals the verifier's nonce (freshness; a stale or replayed quote fails here)
 *   pcr-selection     the quoted selection equals the one asked (opts.pcrs, else the bundle's own pcrSelection)
 *                     and the reported values cover exactly it
 *   pcr-digest        pcrDigest equals H(reported values concatenated in selection order)
 *   ak                the trusted AK (--ak) is the key the bundle names
 *   ak-attributes     the AK is a restricted signing key bound to its TPM (fixedTPM, restricted, sign)
 *   signature         TPMT_SIGNATURE over TPMS_ATTEST verifies under the trusted AK (ECDSA, high S accepted;
 *                     RSASSA-PKCS1-v1_5; RSA-PSS), with the AK's own scheme and a SHA-2 hash
 *   qualified-signer  qualifiedSigner equals the Qualified Name of the AK under the bundle's EK
 *   self-description  the bundle's optional ak.name, ak.pem, ek.name describe its ak.public and ek.public
 *   policy            (only with a policy) each golden PCR is quoted, is not resettable (16, 23), and has an allowed value
 *   event-log         replaying the event log from zero reaches the quoted value of every PCR it names (entries
 *                     after that point are not covered); every entry is in PCR 8-15 (none in resettable 16, 23)
 *
 * What it does NOT establish: that the EK belongs to a genuine TPM (check the EK certificate, or run credential
 * activation: `tcp attest challenge` / `activate`), that PCRs 0-7 mean a good boot (that is the policy's content),
 * or anything about PCRs the policy and the event log do not name.
 */
import {constants, createPublicKey, verify as cryptoVerify, type KeyObject} from 'node:crypto'
import {concatBytes, equalBytes, fromHex, fromUtf8, toHex} from '../../bytes.js'
import {TcpError} from '../../errors.js'
import {makeReport, type Check, type VerifyReport} from '../../verify/report.js'
import {coveredPrefix, decodeBundle, decodePolicy, formatPcrSpec, MEASURE_PCRS, parsePcrSpec, RESETTABLE_PCRS, type BankSelection, type DecodedBundle, type DecodedPolicy, type EventLogEntry} from '../bundle.js'
import {
  ALG,
  HASHES,
  TPM_GENERATED_VALUE,
  TPM_RH_ENDORSEMENT,
  TPM_ST_ATTEST_QUOTE,
  hashName,
  objectName,
  parseAttest,
  parsePublic,
  parseSignature,
  publicKeyOf,
  qualifiedName,
  spki,
  tpmHash,
  type Attest,
  type Public,
  type Signature,
} from '../structures.js'

export interface QuoteVerifyOptions {
  /** The trusted attestation key: PEM (SubjectPublicKeyInfo) text or a TPM2B_PUBLIC, as file bytes. */
  ak: Uint8Array
  /** The nonce this verifier issued for this quote. */
  nonce: Uint8Array
  /** Parsed JSON of a `tcp.attest.policy/v1` document, when golden values are to be enforced. */
  policy?: unknown
  /**
   * The PCR selection this verifier asked for (tpm2-tools syntax, e.g. `sha256:0,1,2,16`). Without it the selection
   * is the bundle's own `pcrSelection`, a claim of the attester: the check then only ties the quote to that claim.
   */
  pcrs?: string
}

// TPMA_OBJECT bits (Part 2, 8.3).
const FIXED_TPM = 1 << 1
const FIXED_PARENT = 1 << 4
const RESTRICTED = 1 << 16
const SIGN = 1 << 18

/**
 * Reads a trusted AK from a PEM public key or a TPM2B_PUBLIC. Given as TPM2B_PUBLIC, the whole public area is
 * trusted (attributes and scheme included), not only the key: `public` is returned for the `ak` check to compare.
 */
export function loadTrustedAk(bytes: Uint8Array): {key: KeyObject; public?: Public} {
  if (Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN')) {
    try {
      return {key: createPublicKey(fromUtf8(bytes, 'ak'))}
    } catch (e) {
      throw new TcpError('input', `ak: not a PEM public key (${(e as Error).message})`)
    }
  }
  const pub = parsePublic(bytes, 'ak (TPM2B_PUBLIC)')
  return {key: publicKeyOf(pub), public: pub}
}

/**
 * Why the trusted AK is too weak to verify anything, or undefined. RSA: at least 2048 bits and e = 65537 (the TPM
 * default, Part 2, 12.2.3.5; a small or unusual exponent is refused rather than judged). ECC: P-256/384/521 only
 * (the curves EC_SIZES knows).
 */
function weakKey(key: KeyObject): string | undefined {
  const d = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') {
    if ((d.modulusLength ?? 0) < 2048) return `the trusted AK is RSA ${d.modulusLength} bits; at least 2048 are required`
    if (d.publicExponent !== 65537n) return `the trusted AK has RSA exponent ${d.publicExponent}; only 65537 is accepted`
    return undefined
  }
  if (key.asymmetricKeyType === 'ec') return EC_SIZES[String(d.namedCurve)] ? undefined : `the trusted AK is on curve ${d.namedCurve}; P-256, P-384 or P-521 is required`
  return `the trusted AK is a ${key.asymmetricKeyType} key; RSA or ECC is required`
}

/** RSA public areas whose keyBits do not match the modulus they carry are malformed (Part 2, 12.2.3.5). */
function rsaSizeMismatch(p: Public): string | undefined {
  if (p.type !== ALG.RSA) return undefined
  return p.modulus!.length * 8 === p.keyBits ? undefined : `the AK public area says keyBits ${p.keyBits} but carries a ${p.modulus!.length * 8}-bit modulus`
}

const pass = (check: string, detail: string): Check => ({check, ok: true, detail})
const fail = (check: string, detail: string): Check => ({check, ok: false, detail})

function attempt<T>(fn: () => T): {value?: T; error?: string} {
  try {
    return {value: fn()}
  } catch (e) {
    return {error: (e as Error).message}
  }
}

/** The quoted selection as bank name -> indices, in the TPM's order. */
function quotedSelection(a: Attest): Array<{bank: string; alg: number; pcrs: number[]}> {
  return a.quote!.pcrSelect.map((s) => ({bank: HASHES[s.hash]?.name ?? hashName(s.hash), alg: s.hash, pcrs: s.pcrs}))
}

function checkSelection(a: Attest, b: DecodedBundle, asked?: BankSelection[]): Check {
  const quoted = quotedSelection(a)
  const q = quoted.map((s) => `${s.bank}:${s.pcrs.join(',')}`).join('+')
  const k = formatPcrSpec(asked ?? b.selection)
  if (q !== k) return fail('pcr-selection', `quoted ${q || '(none)'}, asked ${k}${asked ? ' by the verifier' : ''}`)
  if (asked && formatPcrSpec(b.selection) !== k) return fail('pcr-selection', `the bundle says pcrSelection ${formatPcrSpec(b.selection)}, the verifier asked ${k}`)
  const reported = [...b.values].flatMap(([bank, m]) => [...m.keys()].map((i) => `${bank}:${i}`)).sort()
  const expected = quoted.flatMap((s) => s.pcrs.map((i) => `${s.bank}:${i}`)).sort()
  if (reported.join(' ') !== expected.join(' '))
    return fail('pcr-selection', `reported values for ${reported.join(' ') || '(none)'} but the quote covers ${expected.join(' ')}`)
  return pass('pcr-selection', `quote covers ${q}`)
}

function checkDigest(a: Attest, b: DecodedBundle, hashAlg: number): Check {
  const parts: Uint8Array[] = []
  for (const s of quotedSelection(a)) {
    for (const i of s.pcrs) {
      const v = b.values.get(s.bank)?.get(i)
      if (!v) return fail('pcr-digest', `no reported value for ${s.bank} PCR ${i}`)
      parts.push(v)
    }
  }
  if (!HASHES[hashAlg] || hashAlg === ALG.SHA1) return fail('pcr-digest', `hash algorithm ${hashName(hashAlg)} is not accepted`)
  const d = tpmHash(hashAlg, concatBytes(...parts))
  if (!equalBytes(d, a.quote!.pcrDigest))
    return fail('pcr-digest', `pcrDigest ${toHex(a.quote!.pcrDigest)} != ${hashName(hashAlg)} of the reported values ${toHex(d)}`)
  return pass('pcr-digest', `${hashName(hashAlg)} of ${parts.length} reported values equals pcrDigest`)
}

/** ECDSA r and s as fixed-size big-endian halves (IEEE P1363). */
function p1363(r: Uint8Array, s: Uint8Array, size: number): Uint8Array | undefined {
  // Shorter than the curve size is left-padded; longer (even with leading zero bytes) is refused, so that the
  // signature bytes cannot be lengthened and still verify.
  const fit = (x: Uint8Array) => {
    if (x.length > size) return undefined
    const out = new Uint8Array(size)
    out.set(x, size - x.length)
    return out
  }
  const rr = fit(r)
  const ss = fit(s)
  return rr && ss ? concatBytes(rr, ss) : undefined
}

const EC_SIZES: Record<string, number> = {prime256v1: 32, secp384r1: 48, secp521r1: 66}

/** TPMT_SIGNATURE over the TPMS_ATTEST bytes under `key`. Fails closed on any mismatch of scheme and key. */
export function verifyTpmSignature(key: KeyObject, message: Uint8Array, sig: Signature, akScheme?: {scheme: number; schemeHash: number}): Check {
  const weak = weakKey(key)
  if (weak) return fail('signature', weak)
  const h = HASHES[sig.hashAlg]
  if (!h || sig.hashAlg === ALG.SHA1) return fail('signature', `hash algorithm ${hashName(sig.hashAlg)} is not accepted (sha256, sha384, sha512)`)
  if (akScheme && akScheme.scheme !== ALG.NULL && (akScheme.scheme !== sig.sigAlg || akScheme.schemeHash !== sig.hashAlg))
    return fail('signature', `signature scheme 0x${sig.sigAlg.toString(16)}/${h.name} differs from the AK's scheme 0x${akScheme.scheme.toString(16)}/${hashName(akScheme.schemeHash)}`)
  let ok: boolean
  if (sig.sigAlg === ALG.ECDSA) {
    if (key.asymmetricKeyType !== 'ec') return fail('signature', `ECDSA signature but the AK is ${key.asymmetricKeyType}`)
    const size = EC_SIZES[String(key.asymmetricKeyDetails?.namedCurve)]
    if (!size) return fail('signature', `unsupported AK curve ${key.asymmetricKeyDetails?.namedCurve}`)
    const rs = p1363(sig.r, sig.s, size)
    if (!rs) return fail('signature', `ECDSA r or s longer than the ${size} bytes of the curve`)
    // OpenSSL accepts any s in [1, n-1]: TPMs do not normalise to low S, and ECDSA does not require it.
    ok = cryptoVerify(h.name, message, {key, dsaEncoding: 'ieee-p1363'}, rs)
  } else {
    if (key.asymmetricKeyType !== 'rsa') return fail('signature', `RSA signature but the AK is ${key.asymmetricKeyType}`)
    const padding = sig.sigAlg === ALG.RSAPSS ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING
    ok = cryptoVerify(h.name, message, {key, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO}, sig.sig)
  }
  const kind = sig.sigAlg === ALG.ECDSA ? 'ECDSA' : sig.sigAlg === ALG.RSAPSS ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5'
  return ok ? pass('signature', `${kind}-${h.name.toUpperCase()} valid under the trusted AK`) : fail('signature', `${kind}-${h.name.toUpperCase()} signature does not verify under the trusted AK`)
}

function checkPolicy(a: Attest, b: DecodedBundle, policy: DecodedPolicy): Check {
  const quoted = quotedSelection(a)
  for (const g of policy.golden) {
    if (RESETTABLE_PCRS.includes(g.pcr))
      return fail('policy', `${g.bank} PCR ${g.pcr} can be reset at locality 0 (tpm2_pcrreset): a golden value there proves nothing; pin PCR 8-15`)
    if (!quoted.some((s) => s.bank === g.bank && s.pcrs.includes(g.pcr)))
      return fail('policy', `${g.bank} PCR ${g.pcr} has a golden value but is not quoted`)
    const v = b.values.get(g.bank)?.get(g.pcr)
    if (!v) return fail('policy', `${g.bank} PCR ${g.pcr}: no reported value`)
    if (!g.allowed.some((x) => equalBytes(x, v)))
      return fail('policy', `${g.bank} PCR ${g.pcr} is ${toHex(v)}, not a golden value (${g.allowed.map(toHex).join(', ')})`)
  }
  return pass('policy', `${policy.golden.length} PCR value(s) equal their golden values`)
}

/**
 * Replays the event log from all-zero PCRs, per bank and index, in log order, up to each quoted value (entries
 * appended after the quote are allowed and reported as not covered). Fails for an entry in a resettable PCR (16,
 * 23: a reset erases what the log says happened), for a PCR the quote does not cover, and when no prefix of a PCR's
 * entries gives its quoted value.
 */
export function replayEventLog(b: DecodedBundle, a: Attest): Check {
  const entries = b.eventLog.entries
  if (entries.length === 0) return pass('event-log', 'event log is empty: it vouches for no PCR')
  const reset = entries.find((e) => RESETTABLE_PCRS.includes(e.pcr))
  if (reset) return fail('event-log', `the log extends ${reset.bank} PCR ${reset.pcr}, which can be reset at locality 0 (tpm2_pcrreset): what it measured proves nothing; measure into PCR 8-15`)
  // Only 8-15 are PCRs tcp measures into: 0-7 belong to firmware, 17-22 to a dynamic launch (reset from localities
  // 1-4, which some platforms let the OS reach).
  const foreign = entries.find((e) => e.pcr < MEASURE_PCRS.min || e.pcr > MEASURE_PCRS.max)
  if (foreign) return fail('event-log', `the log extends ${foreign.bank} PCR ${foreign.pcr}; tcp measures only into PCR ${MEASURE_PCRS.min}-${MEASURE_PCRS.max}`)
  const quoted = quotedSelection(a)
  const perPcr = new Map<string, EventLogEntry[]>()
  for (const e of entries) perPcr.set(`${e.bank}:${e.pcr}`, [...(perPcr.get(`${e.bank}:${e.pcr}`) ?? []), e])
  const covered: string[] = []
  let later = 0
  for (const [key, list] of perPcr) {
    const [bank, idx] = key.split(':') as [string, string]
    const pcr = Number(idx)
    if (!quoted.some((s) => s.bank === bank && s.pcrs.includes(pcr)))
      return fail('event-log', `the log extends ${bank} PCR ${pcr}, which the quote does not cover`)
    const reported = b.values.get(bank)?.get(pcr)
    const n = reported ? coveredPrefix(list, bank, reported) : -1
    if (n < 0)
      return fail('event-log', `no prefix of the ${list.length} entries of ${bank} PCR ${pcr} replays to its quoted value ${reported ? toHex(reported) : '(none)'}: an entry was changed, dropped or reordered, or the PCR was extended outside the log`)
    covered.push(`${key} (${n} of ${list.length})`)
    later += list.length - n
  }
  return pass('event-log', `entries replay to the quoted values of ${covered.join(', ')}${later ? `; ${later} later entr${later === 1 ? 'y is' : 'ies are'} not covered by this quote` : ''}`)
}

/** The bundle's optional ak.name, ak.pem and ek.name must describe the public areas it carries. */
function selfDescription(b: DecodedBundle, akPub?: Public, ekPub?: Public): Check {
  const {ak, ek} = b.doc
  if (!akPub || !ekPub) return notEvaluated('self-description', 'a public area did not decode')
  if (ak.name !== undefined && !equalBytes(fromHex(ak.name, 'ak.name'), objectName(akPub))) return fail('self-description', `ak.name ${ak.name} is not the Name of ak.public (${toHex(objectName(akPub))})`)
  if (ek.name !== undefined && !equalBytes(fromHex(ek.name, 'ek.name'), objectName(ekPub))) return fail('self-description', `ek.name ${ek.name} is not the Name of ek.public (${toHex(objectName(ekPub))})`)
  if (ak.pem !== undefined) {
    const k = attempt(() => spki(createPublicKey(ak.pem!)))
    const mine = attempt(() => spki(publicKeyOf(akPub)))
    if (!k.value || !mine.value || !equalBytes(k.value, mine.value)) return fail('self-description', `ak.pem is not the key of ak.public${k.error ? ` (${k.error})` : ''}`)
  }
  return pass('self-description', `${[ak.name !== undefined && 'ak.name', ak.pem !== undefined && 'ak.pem', ek.name !== undefined && 'ek.name'].filter(Boolean).join(', ') || 'no optional field'} consistent with the public areas`)
}

function notEvaluated(check: string, why: string): Check {
  return fail(check, `not evaluated: ${why}`)
}

/**
 * Verifies a quote bundle (parsed JSON). Malformed JSON fields, a malformed --ak or policy are TcpError('input')
 * (exit 2); everything about the TPM bytes is a check in the report. Call requireAllPassed on the result.
 */
export function verifyQuoteBundle(doc: unknown, opts: QuoteVerifyOptions): VerifyReport {
  const b = decodeBundle(doc)
  const trustedAk = loadTrustedAk(opts.ak)
  const trusted = trustedAk.key
  // The attester's side asks for 8 to 64 bytes (TPM2B_DATA holds at most 64); a shorter nonce would make a replayed
  // quote likely to carry it, so the verifier holds itself to the same range.
  if (!(opts.nonce instanceof Uint8Array) || opts.nonce.length < 8 || opts.nonce.length > 64)
    throw new TcpError('usage', `nonce: expected 8 to 64 bytes, got ${opts.nonce instanceof Uint8Array ? opts.nonce.length : typeof opts.nonce}`)
  const policy = opts.policy === undefined ? undefined : decodePolicy(opts.policy)
  const asked = opts.pcrs === undefined ? undefined : parsePcrSpec(opts.pcrs, 'pcrs')
  const checks: Check[] = []

  const at = attempt(() => parseAttest(b.attest))
  const a = at.value
  checks.push(a ? pass('attest-structure', `TPMS_ATTEST, ${b.attest.length} bytes`) : fail('attest-structure', at.error!))
  if (a) {
    checks.push(a.magic === TPM_GENERATED_VALUE ? pass('magic', 'TPM_GENERATED_VALUE') : fail('magic', `0x${a.magic.toString(16)}, expected 0x${TPM_GENERATED_VALUE.toString(16)} (TPM_GENERATED_VALUE)`))
    checks.push(a.type === TPM_ST_ATTEST_QUOTE ? pass('type', 'TPM_ST_ATTEST_QUOTE') : fail('type', `0x${a.type.toString(16)}, expected 0x8018 (TPM_ST_ATTEST_QUOTE)`))
    checks.push(
      equalBytes(a.extraData, opts.nonce)
        ? pass('nonce', `extraData equals the nonce (${opts.nonce.length} bytes)`)
        : fail('nonce', `extraData ${toHex(a.extraData)} is not the expected nonce ${toHex(opts.nonce)} (stale or replayed quote)`),
    )
  } else for (const c of ['magic', 'type', 'nonce']) checks.push(notEvaluated(c, 'TPMS_ATTEST did not decode'))

  const sg = attempt(() => parseSignature(b.signature))
  const sig = sg.value
  if (a?.quote) {
    checks.push(checkSelection(a, b, asked))
    checks.push(sig ? checkDigest(a, b, sig.hashAlg) : notEvaluated('pcr-digest', `TPMT_SIGNATURE did not decode (${sg.error})`))
  } else for (const c of ['pcr-selection', 'pcr-digest']) checks.push(notEvaluated(c, 'no quote information'))

  const ap = attempt(() => parsePublic(b.akPublic, 'bundle.ak.public'))
  const akPub: Public | undefined = ap.value
  const ep = attempt(() => parsePublic(b.ekPublic, 'bundle.ek.public'))
  let akMatches = false
  if (akPub) {
    const k = attempt(() => publicKeyOf(akPub))
    const sameKey = !!k.value && equalBytes(spki(k.value), spki(trusted))
    // A trusted TPM2B_PUBLIC pins the whole public area: the bundle may not claim other attributes or another scheme
    // for the same key (ak-attributes below would otherwise judge the bundle's claim, not the trusted key).
    const sameArea = !trustedAk.public || equalBytes(trustedAk.public.tpmt, akPub.tpmt)
    const why = weakKey(trusted) ?? rsaSizeMismatch(akPub)
    akMatches = sameKey && sameArea && !why
    checks.push(
      akMatches
        ? pass('ak', 'the bundle names the trusted AK')
        : fail('ak', k.error ?? why ?? (sameKey ? 'the bundle\'s AK public area (attributes, scheme) differs from the trusted TPM2B_PUBLIC --ak' : 'the bundle names another AK than --ak')),
    )
    const attrs = akPub.objectAttributes
    const missing = [[FIXED_TPM, 'fixedTPM'], [FIXED_PARENT, 'fixedParent'], [RESTRICTED, 'restricted'], [SIGN, 'sign']]
      .filter(([bit]) => !(attrs & (bit as number)))
      .map(([, n]) => n)
    checks.push(missing.length === 0 ? pass('ak-attributes', 'fixedTPM, fixedParent, restricted, sign') : fail('ak-attributes', `AK lacks ${missing.join(', ')}`))
  } else {
    checks.push(fail('ak', ap.error!))
    checks.push(notEvaluated('ak-attributes', 'AK public did not decode'))
  }

  if (sig) checks.push(verifyTpmSignature(trusted, b.attest, sig, akPub && akMatches ? akPub : undefined))
  else checks.push(fail('signature', sg.error!))

  if (a && akPub && ep.value) {
    const qn = attempt(() => qualifiedName(TPM_RH_ENDORSEMENT, [ep.value!, akPub]))
    checks.push(
      qn.value && equalBytes(qn.value, a.qualifiedSigner)
        ? pass('qualified-signer', 'qualifiedSigner is the AK under the EK in the endorsement hierarchy')
        : fail('qualified-signer', qn.error ?? `qualifiedSigner ${toHex(a.qualifiedSigner)} != QN(EK/AK) ${toHex(qn.value!)}`),
    )
  } else checks.push(notEvaluated('qualified-signer', ep.error ?? ap.error ?? 'TPMS_ATTEST did not decode'))

  checks.push(selfDescription(b, akPub, ep.value))
  if (policy) checks.push(a?.quote ? checkPolicy(a, b, policy) : notEvaluated('policy', 'no quote information'))
  checks.push(a?.quote ? replayEventLog(b, a) : notEvaluated('event-log', 'no quote information'))

  return makeReport('tpm-quote-bundle', checks, {
    pcrSelection: b.doc.pcrSelection,
    policyApplied: policy !== undefined,
    selectionAskedByVerifier: asked !== undefined,
    eventLogEntries: b.eventLog.entries.length,
  })
}
