import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {loadTrust, parseAt, trustFlags} from '../../cli/trust.js'
import {EXIT, TcpError} from '../../core/errors.js'
import {readJsonFile} from '../../core/io.js'
import {checkWindow} from '../../core/baseline/index.js'
import {describeSource, loadObservations} from '../../cli/observations.js'
import {openSignedBaseline} from '../../core/envelope/verify.js'

export default class BaselineCheck extends TcpCommand {
  static override summary = 'Check a window of observations against a signed baseline (exit 3 on deviation)'
  static override description = `Verifies the baseline's signatures first (--pub or --trust, as tcp verify), then computes per
feature the z-score of the window mean, z = (mean - mu) / (sigma / sqrt(n)). A feature deviates when |z| > k, when
its variance exceeds 4x the baseline's, or when a value is outside the baseline's fixed-point range. The verdict
uses exact integer arithmetic, the same rule tcp prove proves. Exit 3 names the deviating features.`

  static override examples = [
    '<%= config.bin %> baseline check --baseline b1.dsse.json --pub alice.pub --window last-hour.jsonl',
    '<%= config.bin %> baseline check --baseline b1.dsse.json --pub alice.pub --pub agent-01.pub --window agent-01.log   # a verified log',
    '<%= config.bin %> baseline check --baseline b1.dsse.json --trust ./trust --window w.csv --agent agent-05 --k 2.5 --json',
  ]

  static override flags = {
    baseline: Flags.string({description: 'the signed baseline (DSSE envelope)', required: true}),
    window: Flags.string({description: 'observations to check (JSONL or CSV), or a tcp.log/v1 log (verified first under the same trust)', required: true}),
    agent: Flags.string({description: 'check only the observations of this agent'}),
    k: Flags.string({description: 'deviation threshold in standard errors of the mean', default: '3'}),
    ...trustFlags,
    at: Flags.string({description: 'judge expiry as of this ISO time instead of now'}),
  }

  async run() {
    const {flags} = await this.parse(BaselineCheck)
    const trust = await loadTrust(flags, () => this.tcpConfig())
    const {baseline, report: signed} = openSignedBaseline(await readJsonFile(flags.baseline, {what: 'signed baseline'}), {trust, threshold: flags.threshold, now: parseAt(flags.at)})
    // A baseline of one agent judges that agent's observations only.
    if (baseline.agent && flags.agent && flags.agent !== baseline.agent)
      throw new TcpError('usage', `--agent ${flags.agent}: the baseline describes agent ${baseline.agent}`)
    const agent = flags.agent ?? baseline.agent ?? undefined
    const {set: obs, source} = await loadObservations(flags.window, {...flags, agent, now: parseAt(flags.at), config: () => this.tcpConfig()})
    if (source) {
      const {requireIndependentBaseline} = await import('../../core/log/observe.js')
      requireIndependentBaseline(signed.signerKeyIds, source.keyIds, flags.threshold, source.log)
      this.log(describeSource(source))
    }
    const r = {...checkWindow(baseline, obs, flags.k), ...(source ? {logSource: source} : {})}
    for (const f of r.features) this.log(`${f.deviates ? 'DEVIATES' : 'ok      '} ${f.feature.padEnd(20)} z = ${f.z.toFixed(2).padStart(7)}  ${f.reasons.join('; ')}`)
    if (r.deviating.length) {
      this.log(`findings: ${r.deviating.length} feature(s) deviate beyond k = ${r.k}: ${r.deviating.join(', ')}`)
      this.status = EXIT.findings
    } else this.log(`within baseline ${r.subject} at k = ${r.k} (${r.observations} observations)`)
    this.log(`trust: ${trust.source}`)
    return {...r, trust: trust.source}
  }
}
