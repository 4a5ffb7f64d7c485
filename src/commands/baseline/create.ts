import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag} from '../../cli/flags.js'
import {readJsonFile, writeFileAtomic} from '../../core/io.js'
import {createBaseline} from '../../core/baseline/index.js'
import {TcpError} from '../../core/errors.js'
import {describeSource, loadObservations} from '../../cli/observations.js'
import {openSignedBaseline, unverifiedBaseline} from '../../core/envelope/verify.js'
import {loadTrust} from '../../cli/trust.js'

export default class BaselineCreate extends TcpCommand {
  static override summary = 'Build a behavioral baseline (per-feature statistics) from observed telemetry'
  static override description = `Reads JSONL or CSV (with a header: time, optional agent, numeric features). Every malformed line is
reported with its line number (exit 2). Per feature: count, mean, sample variance (Welford), min, max, and the
fixed-point form used by zero-knowledge proofs. With --previous, the new baseline is the next version of that one
and records its SHA3-256 (a chain that tcp verify --previous checks). Sign the result with tcp sign.`

  static override examples = [
    '<%= config.bin %> baseline create --from telemetry.jsonl --subject fleet/agent-01 --agent agent-01 --out b1.json',
    '<%= config.bin %> baseline create --from agent-01.log --pub agent-01.pub --subject fleet/agent-01 --out b1.json   # a verified log',
    '<%= config.bin %> baseline create --from week2.csv --subject fleet/agent-01 --previous b1.dsse.json --not-after 2027-01-01T00:00:00Z --out b2.json',
  ]

  static override flags = {
    from: Flags.string({description: 'observations (JSONL or CSV), or a tcp.log/v1 log (verified first: --pub/--trust)', required: true}),
    subject: Flags.string({description: 'what the baseline describes, e.g. fleet/agent-01', required: true}),
    agent: Flags.string({description: 'use only the observations of this agent'}),
    'not-after': Flags.string({description: 'expiry (ISO time); tcp verify rejects the baseline after it'}),
    previous: Flags.string({description: 'the previous signed baseline of this subject (chain)'}),
    pub: Flags.string({description: 'a trusted key: --previous and a log given as --from must verify under it (repeatable)', multiple: true, exclusive: ['trust']}),
    trust: Flags.string({description: 'a trust directory: --previous and a log given as --from must verify under it'}),
    out: Flags.string({char: 'o', description: 'output baseline JSON (unsigned)', required: true}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(BaselineCreate)
    const {set: obs, source} = await loadObservations(flags.from, {...flags, config: async () => ({})})
    if (source) this.log(describeSource(source))
    if (!source && !flags.previous && (flags.pub || flags.trust)) throw new TcpError('usage', '--pub/--trust apply to --previous or to a log given as --from')
    const previous = flags.previous ? await this.previousBaseline(flags.previous, flags) : null
    const b = createBaseline(obs, {subject: flags.subject, agent: flags.agent ?? null, notAfter: flags['not-after'] ?? null, previous})
    await writeFileAtomic(flags.out, JSON.stringify(b, null, 2) + '\n', {force: flags.force, what: 'baseline'})
    this.log(`baseline ${b.subject} v${b.version}: ${b.window.observations} observations, ${Object.keys(b.features).length} features -> ${flags.out}`)
    for (const [name, f] of Object.entries(b.features)) this.log(`  ${name.padEnd(20)} mean ${String(f.mean).padEnd(14)} sd ${f.sd}`)
    return source ? {...b, logSource: source} : b
  }

  /** The previous version: verified when trust is given, otherwise read with a warning (tcp verify --previous checks the link). */
  private async previousBaseline(path: string, flags: {pub?: string[]; trust?: string}) {
    const doc = await readJsonFile(path, {what: 'previous baseline'})
    if (!flags.pub && !flags.trust) {
      this.note(`warning: the signatures of ${path} were not checked (pass --pub or --trust to check them)`)
      return unverifiedBaseline(doc, path)
    }
    return openSignedBaseline(doc, {trust: await loadTrust(flags, async () => ({}))}).baseline
  }
}
