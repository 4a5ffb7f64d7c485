import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {readJsonFile} from '../core/io.js'
import {detectArtifact} from '../core/verify/detect.js'
import {TcpError} from '../core/errors.js'
import {requireAllPassed, type VerifyReport} from '../core/verify/report.js'

export default class Verify extends TcpCommand {
  static override summary = 'Verify any tcp artifact: a signed envelope, a zero-knowledge proof bundle, a TPM quote'
  static override description = `The one verification verb of the toolkit. It detects what ARTIFACT is and runs every check; it exits 0
only when all of them pass, 1 when any fails (the first failed check is named; --json lists them all), and 2 when
the input cannot be read.`

  static override examples = [
    '<%= config.bin %> verify baseline.dsse.json --pub alice.pub',
    '<%= config.bin %> verify baseline.dsse.json --trust ./trust --threshold 2 --previous baseline-v1.dsse.json',
    '<%= config.bin %> verify report.dsse.json --pub alice.pub --file report.pdf',
  ]

  static override args = {
    artifact: Args.string({description: 'the artifact to verify (JSON)', required: true}),
  }

  static override flags = {
    // Signed envelopes (and the baselines that proofs refer to)
    pub: Flags.string({description: 'a trusted public key (.pub); repeat for several', multiple: true, exclusive: ['trust']}),
    trust: Flags.string({description: 'a trust directory of .pub files (optionally with trust.json)'}),
    threshold: Flags.integer({description: 'distinct trusted keys that must have signed', default: 1, min: 1}),
    file: Flags.string({description: 'the original file the envelope names: its digest must match'}),
    previous: Flags.string({description: 'the previous signed baseline: the chain must link to it'}),
    at: Flags.string({description: 'verify as of this ISO time instead of now (expiry and trust windows)'}),
  }

  async run(): Promise<VerifyReport> {
    const {args, flags} = await this.parse(Verify)
    const doc = await readJsonFile(args.artifact, {what: 'artifact'})
    const kind = detectArtifact(doc, `artifact ${args.artifact}`)
    let report: VerifyReport
    switch (kind) {
      default:
        throw new TcpError('unsupported', `artifact ${args.artifact}: verification of ${kind} is not available yet`)
    }
    requireAllPassed(report)
    this.log(`verified ${report.kind}: ${report.checks.map((c) => c.check).join(', ')}`)
    return report
  }
}
