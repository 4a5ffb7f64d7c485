import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {loadTrust, parseAt, trustFlags} from '../cli/trust.js'
import {VERIFY_FLAGS, VERIFY_KINDS} from '../cli/verify/index.js'
import {atFlag} from '../cli/verify/dsse-envelope.js'
import {readArtifact} from '../core/verify/detect.js'
import {TcpError} from '../core/errors.js'
import {requireAllPassed, type VerifyReport} from '../core/verify/report.js'
import type {BatchResult} from '../core/envelope/verify.js'
import type {TrustStore} from '../core/envelope/trust.js'
import {noDash} from '../cli/stdio.js'

const BATCH_FLAGS = ['pub', 'trust', 'threshold', 'at']
type BatchFlags = {pub?: string[]; trust?: string; threshold: number; at?: string}

export default class Verify extends TcpCommand {
  static override reportOnRejection = true
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
    '<%= config.bin %> verify agent-01.log --trust ./trust --fleet ./logs --fresh-within 5m   # a tcp.log/v1 agent log',
    '<%= config.bin %> verify agent-01.log --trust ./trust --fleet ./logs --witnessed-within 30s --witness recorder   # and no fleet log has a tail older than 30 s that the recorder\'s log does not fix',
    '<%= config.bin %> verify tree/root.dsse.json --pub agg.pub --leaf-pub recorder.pub --audit tree/ --sample 32   # an aggregation root: nodes by agg, leaves by the recorder',
    '<%= config.bin %> verify incl.json --root tree/root.dsse.json --pub agg.pub   # an agent\'s inclusion proof',
  ]

  static override args = {
    artifact: Args.string({description: 'the artifact to verify (JSON); omit with --batch'}),
  }

  static override flags = {
    ...VERIFY_FLAGS,
    ...trustFlags,
    at: atFlag,
    batch: Flags.string({description: 'verify every DSSE envelope of this JSON Lines file (one per line) in one process'}),
  }

  async run(): Promise<{report: VerifyReport | (BatchResult & {trust: string})}> {
    const {args, flags} = await this.parse(Verify)
    noDash(args.artifact, 'artifact')
    if (flags.batch) {
      if (args.artifact) throw new TcpError('usage', 'give either an ARTIFACT or --batch FILE, not both')
      this.refuseForeignFlags('--batch', ['batch', ...BATCH_FLAGS])
      return {report: await this.batch(flags.batch, flags as BatchFlags)}
    }
    if (!args.artifact) throw new TcpError('usage', 'missing ARTIFACT (or --batch FILE); see tcp verify --help')
    const {kind, doc} = await readArtifact(args.artifact)
    const verifier = VERIFY_KINDS[kind]
    this.refuseForeignFlags(`a ${kind}`, Object.keys(verifier.flags))
    let store: TrustStore | undefined
    const trust = async () => (store ??= await loadTrust(flags, () => this.tcpConfig()))
    const report = await verifier.verify({artifact: args.artifact, doc, flags, config: () => this.tcpConfig(), trust, cacheDir: this.config.cacheDir})
    if (report.trust === undefined && store) report.trust = store.source
    requireAllPassed(report)
    const signers = Array.isArray(report.signerKeyIds) && report.signerKeyIds.length ? ` (signed by ${(report.signerKeyIds as string[]).join(', ')})` : ''
    this.log(`verified ${report.kind}${signers}: ${report.checks.map((c) => `${c.check} ok`).join(', ')}`)
    this.log(`trust: ${report.trust}`)
    if (typeof report.leafTrust === 'string') this.log(`leaf trust: ${report.leafTrust}`)
    if (Array.isArray(report.caveats)) for (const c of report.caveats as string[]) this.log(`not checked: ${c}`)
    if (Array.isArray(report.notChecked)) this.log(`not checked: the contents of ${report.notChecked.join(', ')} (pass --file FILE to compare its SHA3-256)`)
    return {report}
  }

  /** A flag that does not apply to this kind of artifact is an error: silently ignoring --previous would let a CI
   * script believe a chain was checked. */
  private refuseForeignFlags(what: string, applies: string[]): void {
    const ok = new Set([...applies, 'json'])
    const given = this.argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!)
    const foreign = given.find((f) => !ok.has(f))
    if (foreign) throw new TcpError('usage', `--${foreign} does not apply to ${what}`)
  }

  private async batch(path: string, flags: {pub?: string[]; trust?: string; threshold: number; at?: string}): Promise<{ok: boolean} & BatchResult & {trust: string}> {
    const {verifyEnvelopeBatch} = await import('../core/envelope/verify.js')
    const {readFileText} = await import('../core/io.js')
    const trust = await loadTrust(flags, () => this.tcpConfig())
    const b = await verifyEnvelopeBatch(await readFileText(path, {what: 'batch file'}), {trust, threshold: flags.threshold, now: parseAt(flags.at)}, path)
    // ok as in every report (docs/json.md rule 3): a script reads report.ok whether it verified one artifact or a batch.
    const r = {ok: b.total > 0 && b.verified === b.total, ...b, trust: trust.source}
    if (r.total === 0) throw new TcpError('input', `batch file ${path}: no envelopes`)
    if (r.malformed > 0) throw new TcpError('input', `${r.malformed} of ${r.total} lines are not readable envelopes; first: ${r.rejected.find((x) => x)!.reason}`, r)
    if (r.rejected.length > 0) throw new TcpError('rejected', `rejected ${r.rejected.length} of ${r.total} envelopes; first: ${r.rejected[0]!.reason}`, r)
    this.log(`verified ${r.verified} of ${r.total} envelopes`)
    this.log(`trust: ${r.trust}`)
    return r
  }
}
