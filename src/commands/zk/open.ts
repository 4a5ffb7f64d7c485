import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {readJsonFile} from '../../core/io.js'

export default class ZkOpen extends TcpCommand {
  static override summary = 'Check the opening of a proof commitment (tcp prove --opening) and show the window behind it'
  static override description = `Recomputes the commitment from the opening's values, salt, n, feature index, circuit size and baseline digest
(the function documented in docs/zk-setup.md) and compares it with the opening's, and with --bundle, with the
proof bundle's commitment, baseline, feature, n and size. Exit 0 when they agree, 1 otherwise. It does not verify
the proof: run tcp verify on the bundle as well.`

  static override examples = ['<%= config.bin %> zk open w.opening.json --bundle proof.json']

  static override args = {opening: Args.string({description: 'the opening (JSON) written by tcp prove --opening', required: true})}
  static override flags = {bundle: Flags.string({description: 'the proof bundle the opening must match'})}

  async run() {
    const {args, flags} = await this.parse(ZkOpen)
    const {checkOpening} = await import('../../core/zk/commitment.js')
    const {requireAllPassed} = await import('../../core/verify/report.js')
    const opening = await readJsonFile(args.opening, {what: 'opening'})
    const bundle = flags.bundle ? ((await readJsonFile(flags.bundle, {what: 'proof bundle'})) as Record<string, unknown>) : undefined
    const report = checkOpening(opening, bundle)
    for (const c of report.checks) this.log(`${c.check} ${c.ok ? 'ok' : 'FAILED'}: ${c.detail ?? ''}`)
    requireAllPassed(report)
    this.log(`window of ${String(report.n)} fixed-point values of "${String(report.feature)}": ${(report.values as string[]).join(', ')}`)
    return report
  }
}
