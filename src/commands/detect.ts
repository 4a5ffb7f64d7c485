import {Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {loadTrust} from '../cli/trust.js'
import {EXIT, TcpError} from '../core/errors.js'
import {readJsonFile, writeFileAtomic} from '../core/io.js'
import {DETECTOR_NAMES, type DetectorName} from '../core/detect/types.js'
import type {DetectOptions} from '../core/detect/engine.js'

export default class Detect extends TcpCommand {
  static override summary = 'Find drifting, coordinated and cloned agents across a fleet (exit 3 on findings)'
  static override description = `Reads a fleet's telemetry (JSONL or CSV: agent, time, numeric features), standardises every agent
against a reference (the fleet's median over the first --window observations, each agent's own window with
--reference self, or a signed baseline), and runs four detectors: slow drift per agent (backward CUSUM,
Benjamini-Hochberg across agents), fleet shift (change point of the fleet mean), coordinated onset (agents' change
points clustered in time) and clones (near-identical behaviour through SimHash and the LSH index). --fpr is the
probability that an honest fleet gets any finding, split equally across the detectors. See docs/detect.md.`

  static override examples = [
    '<%= config.bin %> sample --scenario sleeper --agents 1000 --observations 120 --seed 7 --out fleet.jsonl --truth truth.json',
    '<%= config.bin %> detect --from fleet.jsonl --svg timeline.svg',
    '<%= config.bin %> detect --from fleet.csv --baseline fleet.dsse.json --pub alice.pub --fpr 0.001 --json',
  ]

  static override flags = {
    from: Flags.string({description: 'telemetry of the fleet (JSONL or CSV with agent, time and numeric features)', required: true}),
    window: Flags.integer({description: 'reference window and time resolution, in observations', default: 60, min: 2}),
    fpr: Flags.string({description: 'false-positive rate of the whole run on an honest fleet', default: '0.01'}),
    reference: Flags.string({description: 'what "normal" is without a baseline: the fleet median, or each agent\'s own first window', options: ['fleet', 'self'], default: 'fleet', exclusive: ['baseline']}),
    detector: Flags.string({description: 'run only this detector (repeatable)', options: [...DETECTOR_NAMES], multiple: true}),
    baseline: Flags.string({description: 'a signed fleet baseline (DSSE envelope) giving each feature\'s mean and sd'}),
    pub: Flags.string({description: 'a trusted Ed25519 public key for --baseline (repeatable)', multiple: true, exclusive: ['trust'], dependsOn: ['baseline']}),
    trust: Flags.string({description: 'a trust directory for --baseline', dependsOn: ['baseline']}),
    threshold: Flags.integer({description: 'distinct trusted keys that must have signed the baseline', default: 1, min: 1}),
    svg: Flags.string({description: 'write the fleet timeline as SVG to this file'}),
    force: Flags.boolean({description: 'overwrite an existing --svg file'}),
    seed: Flags.integer({description: 'seed of the SimHash hyperplanes and LSH tables', default: 1, min: 0}),
  }

  async run() {
    const {flags} = await this.parse(Detect)
    const fpr = /^(0?\.\d+|\d+(\.\d+)?(e-?\d+)?)$/i.test(flags.fpr) ? Number(flags.fpr) : NaN
    if (!(fpr > 0 && fpr < 0.5)) throw new TcpError('usage', `--fpr: expected a number between 0 and 0.5, got ${JSON.stringify(flags.fpr)}`)
    const {detectFleet, readFleet, renderSvg, renderText} = await import('../core/detect/index.js')
    let reference: DetectOptions['reference'] = flags.reference as 'fleet' | 'self'
    let trustSource: string | undefined
    if (flags.baseline) {
      const {openSignedBaseline} = await import('../core/envelope/verify.js')
      const trust = await loadTrust(flags, () => this.tcpConfig())
      trustSource = trust.source
      const {baseline} = openSignedBaseline(await readJsonFile(flags.baseline, {what: 'signed baseline'}), {trust, threshold: flags.threshold})
      if (baseline.agent) throw new TcpError('usage', `--baseline: describes one agent (${baseline.agent}); tcp detect needs a fleet baseline`)
      const feats = Object.entries(baseline.features)
      reference = {
        from: `signed baseline "${baseline.subject}" v${baseline.version}, signatures verified with ${trust.source}`,
        mean: Object.fromEntries(feats.map(([k, f]) => [k, f.mean])),
        sd: Object.fromEntries(feats.map(([k, f]) => [k, f.sd])),
      }
    }
    const progress = await this.progress(`reading ${flags.from}`)
    const input = await readFleet(flags.from)
    const report = detectFleet(input.fleet, {window: flags.window, fpr, reference, detectors: flags.detector as DetectorName[] | undefined, seed: flags.seed, onProgress: (s) => progress.update(s)})
    progress.stop()
    if (flags.svg) await writeFileAtomic(flags.svg, renderSvg(report), {force: flags.force, what: 'timeline'})
    for (const line of renderText(report)) this.log(line)
    // An agent that withholds one observation would otherwise leave the run clean: not being examined is a finding.
    if (input.shortAgents.length) this.log(`FINDING not-examined: ${input.shortAgents.length} agent(s) sent fewer than ${report.observations} observations and were NOT examined: ${input.shortAgents.slice(0, 10).join(', ')}${input.shortAgents.length > 10 ? ', ...' : ''}`)
    if (input.truncatedAgents) this.note(`note: ${input.truncatedAgents} agent(s) had more than ${report.observations} observations; their last ${report.observations} were used`)
    if (report.findings.length || input.shortAgents.length) this.status = EXIT.findings
    return {
      ...report,
      input: {path: flags.from, format: input.format, lines: input.lines, truncatedAgents: input.truncatedAgents, shortAgents: input.shortAgents},
      seed: flags.seed,
      ...(trustSource ? {trust: trustSource} : {}),
      ...(flags.svg ? {written: {timeline: flags.svg}} : {}),
    }
  }
}
