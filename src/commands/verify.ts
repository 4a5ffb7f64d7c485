import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {readFileBytes, readJsonFile} from '../core/io.js'
import {loadTrust, parseAt, trustFlags} from '../cli/trust.js'
import {detectArtifact} from '../core/verify/detect.js'
import {TcpError} from '../core/errors.js'
import {requireAllPassed, type VerifyReport} from '../core/verify/report.js'
import type {BatchResult} from '../core/envelope/verify.js'

export default class Verify extends TcpCommand {
  static override configMayRunCode = false
  static override summary = 'Verify any tcp artifact: a signed envelope, a zero-knowledge proof bundle, a TPM quote'
  static override description = `The one verification verb of the toolkit. It detects what ARTIFACT is and runs every check; it exits 0
only when all of them pass, 1 when any fails (the first failed check is named; --json lists them all), and 2 when
the input cannot be read.`

  static override examples = [
    '<%= config.bin %> verify baseline.dsse.json --pub alice.pub',
    '<%= config.bin %> verify baseline.dsse.json --trust ./trust --threshold 2 --previous baseline-v1.dsse.json',
    '<%= config.bin %> verify report.dsse.json --pub alice.pub --file report.pdf',
    '<%= config.bin %> verify --batch envelopes.jsonl --trust ./trust     # one envelope per line',
    '<%= config.bin %> verify proof.json --baseline b1.dsse.json --pub alice.pub   # a zero-knowledge proof bundle',
    '<%= config.bin %> verify quote.json --ak state/ak.pem --nonce 5f2c...   # a TPM quote bundle',
  ]

  static override args = {
    artifact: Args.string({description: 'the artifact to verify (JSON); omit with --batch'}),
  }

  static override flags = {
    // Signed envelopes (and the baselines that proofs refer to)
    ...trustFlags,
    batch: Flags.string({description: 'verify every DSSE envelope of this JSON Lines file (one per line) in one process', exclusive: ['file', 'previous', 'baseline', 'ak']}),
    file: Flags.string({description: 'the original file the envelope names: its digest must match'}),
    previous: Flags.string({description: 'the previous signed baseline: the chain must link to it'}),
    at: Flags.string({description: 'verify as of this ISO time instead of now (expiry and trust windows)'}),
    // TPM quote bundles (tcp attest quote)
    ak: Flags.string({description: 'TPM quote: the trusted attestation key (ak.pem, or ak.pub as TPM2B_PUBLIC)'}),
    nonce: Flags.string({description: 'TPM quote: the nonce (hex) this verifier issued; extraData must equal it'}),
    policy: Flags.string({description: 'TPM quote: golden PCR values (tcp.attest.policy/v1) the quoted PCRs must have'}),
    pcrs: Flags.string({description: 'TPM quote: the PCR selection this verifier asked for, e.g. sha256:0,1,2,3,4,5,6,7,16 (default: the bundle\'s own)'}),
    // Zero-knowledge proof bundles (tcp prove)
    baseline: Flags.string({description: 'proof bundle: the signed baseline it claims (checked with --pub/--trust)'}),
    k: Flags.string({description: 'proof bundle: the k this verifier requires (bounds are recomputed with it)', default: '3'}),
    'vkey-sha3': Flags.string({description: 'proof bundle: a pinned verification key SHA3-256 (hex); repeatable', multiple: true}),
    vkey: Flags.string({description: 'proof bundle: a pinned verification key file (verification_key.json of a trusted setup)'}),
  }

  async run(): Promise<VerifyReport | BatchResult> {
    const {args, flags} = await this.parse(Verify)
    if (flags.batch) {
      if (args.artifact) throw new TcpError('usage', 'give either an ARTIFACT or --batch FILE, not both')
      return this.batch(flags.batch, flags)
    }
    if (!args.artifact) throw new TcpError('usage', 'missing ARTIFACT (or --batch FILE); see tcp verify --help')
    const doc = await readJsonFile(args.artifact, {what: 'artifact'})
    const kind = detectArtifact(doc, `artifact ${args.artifact}`)
    this.refuseForeignFlags(kind)
    let report: VerifyReport
    switch (kind) {
      case 'dsse-envelope': {
        const {verifyEnvelopeReport} = await import('../core/envelope/verify.js')
        const trust = await loadTrust(flags, () => this.tcpConfig())
        const file = flags.file ? {name: flags.file, bytes: await readFileBytes(flags.file, {what: 'original file'})} : undefined
        const previous = flags.previous ? await readJsonFile(flags.previous, {what: 'previous baseline'}) : undefined
        const {baseline: _b, ...r} = verifyEnvelopeReport(doc, {trust, threshold: flags.threshold, now: parseAt(flags.at), file, previous})
        report = r
        break
      }

      case 'zk-proof-bundle': {
        if (!flags.baseline) throw new TcpError('usage', 'a proof bundle needs --baseline SIGNED (the signed baseline it claims)')
        const {verifySignedProofBundle} = await import('../core/zk/verify.js')
        const {verificationKeySha3} = await import('../core/zk/setup.js')
        const {resolveCacheDir} = await import('../core/zk/artifacts.js')
        const vkeySha3 = [...(flags['vkey-sha3'] ?? [])]
        if (flags.vkey) vkeySha3.push(verificationKeySha3(await readJsonFile(flags.vkey, {what: 'verification key'})))
        const trust = await loadTrust(flags, () => this.tcpConfig())
        const signed = await readJsonFile(flags.baseline, {what: 'signed baseline'})
        report = await verifySignedProofBundle(doc, signed, {trust, threshold: flags.threshold, now: parseAt(flags.at), k: flags.k, vkeySha3, cacheDir: resolveCacheDir(this.config.cacheDir)})
        break
      }

      case 'tpm-quote-bundle': {
        if (!flags.ak || !flags.nonce) throw new TcpError('usage', 'a TPM quote bundle needs --ak AK.pem and --nonce HEX')
        const {verifyQuoteBundle} = await import('../core/attest/verify/quote.js')
        const {fromHex} = await import('../core/bytes.js')
        const ak = await readFileBytes(flags.ak, {what: 'attestation key'})
        const policy = flags.policy ? await readJsonFile(flags.policy, {what: 'policy'}) : undefined
        report = verifyQuoteBundle(doc, {ak, nonce: fromHex(flags.nonce, 'nonce'), policy, pcrs: flags.pcrs})
        break
      }

      default:
        throw new TcpError('unsupported', `artifact ${args.artifact}: verification of ${kind} is not available yet`)
    }
    requireAllPassed(report)
    const signers = Array.isArray(report.signers) && report.signers.length ? ` (signed by ${(report.signers as string[]).join(', ')})` : ''
    this.log(`verified ${report.kind}${signers}: ${report.checks.map((c) => `${c.check} ok`).join(', ')}`)
    return report
  }

  /** A flag that does not apply to this kind of artifact is an error: silently ignoring --previous would let a CI
   * script believe a chain was checked. */
  private refuseForeignFlags(kind: string): void {
    const applies: Record<string, string[]> = {
      'dsse-envelope': ['pub', 'trust', 'threshold', 'file', 'previous', 'at'],
      'zk-proof-bundle': ['pub', 'trust', 'threshold', 'at', 'baseline', 'k', 'vkey', 'vkey-sha3'],
      'tpm-quote-bundle': ['ak', 'nonce', 'policy', 'pcrs'],
    }
    const ok = new Set([...(applies[kind] ?? []), 'json'])
    const given = this.argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!)
    const foreign = given.find((f) => !ok.has(f))
    if (foreign) throw new TcpError('usage', `--${foreign} does not apply to a ${kind}`)
  }

  private async batch(path: string, flags: {pub?: string[]; trust?: string; threshold: number; at?: string}): Promise<BatchResult> {
    const {verifyEnvelopeBatch} = await import('../core/envelope/verify.js')
    const {readFileText} = await import('../core/io.js')
    const trust = await loadTrust(flags, () => this.tcpConfig())
    const r = await verifyEnvelopeBatch(await readFileText(path, {what: 'batch file'}), {trust, threshold: flags.threshold, now: parseAt(flags.at)}, path)
    if (r.total === 0) throw new TcpError('input', `batch file ${path}: no envelopes`)
    if (r.malformed > 0) throw new TcpError('input', `${r.malformed} of ${r.total} lines are not readable envelopes; first: ${r.rejected.find((x) => x)!.reason}`, r)
    if (r.rejected.length > 0) throw new TcpError('rejected', `rejected ${r.rejected.length} of ${r.total} envelopes; first: ${r.rejected[0]!.reason}`, r)
    this.log(`verified ${r.verified} of ${r.total} envelopes`)
    return r
  }
}
