import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {passphraseSource} from '../../cli/passphrase.js'
import {readPrivateKeyFile} from '../../core/keys/files.js'
import {assertAbsent, readFileText, readJsonFile, writeFileAtomic} from '../../core/io.js'
import {createBaseline, createBaselineFromFile, filterAgent, parseObservations} from '../../core/baseline/index.js'
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
    '<%= config.bin %> baseline create --per-agent --from obs.jsonl --subject fleet --key recorder.key --out-dir leaves/   # one signed baseline per agent, for tcp aggregate',
  ]

  static override flags = {
    from: Flags.string({description: 'observations (JSONL or CSV), or a tcp.log/v1 log (verified first: --pub/--trust); with --per-agent, repeatable', required: true, multiple: true}),
    subject: Flags.string({description: 'what the baseline describes, e.g. fleet/agent-01', required: true}),
    agent: Flags.string({description: 'use only the observations of this agent'}),
    'not-after': Flags.string({description: 'expiry (ISO time); tcp verify rejects the baseline after it'}),
    previous: Flags.string({description: 'the previous signed baseline of this subject (chain)'}),
    pub: Flags.string({description: 'a trusted key: --previous and a log given as --from must verify under it (repeatable)', multiple: true, exclusive: ['trust']}),
    trust: Flags.string({description: 'a trust directory: --previous and a log given as --from must verify under it'}),
    out: Flags.string({char: 'o', description: 'output baseline JSON (unsigned)', exactlyOne: ['out', 'out-dir']}),
    'per-agent': Flags.boolean({description: 'one signed baseline per agent (with exact moments for tcp aggregate), written to --out-dir', dependsOn: ['out-dir', 'key'], exclusive: ['agent', 'previous']}),
    'out-dir': Flags.string({description: 'with --per-agent: the directory of AGENT.dsse.json files', dependsOn: ['per-agent'], exactlyOne: ['out', 'out-dir']}),
    key: Flags.string({char: 'k', description: 'with --per-agent: the signing key (the agents\' recorder)', dependsOn: ['per-agent']}),
    'passphrase-file': passphraseFileFlag,
    decimals: Flags.integer({description: 'with --per-agent: observations are quantised to this many decimals for exact merging', default: 3, min: 0, max: 9}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(BaselineCreate)
    if (flags['per-agent']) return this.perAgent(flags as typeof flags & {'out-dir': string; key: string})
    if (flags.from.length !== 1) throw new TcpError('usage', '--from: give one file (several only with --per-agent)')
    const from = flags.from[0]!
    const out = flags.out!
    if (!flags.force) await assertAbsent(out, 'baseline') // before reading the observations, not after
    const {isLogFile} = await import('../../core/log/observe.js')
    const isLog = await isLogFile(from)
    if (!isLog && !flags.previous && (flags.pub || flags.trust)) throw new TcpError('usage', '--pub/--trust apply to --previous or to a log given as --from')
    const prev = flags.previous ? await this.previousBaseline(flags.previous, flags) : null
    const opts = {subject: flags.subject, agent: flags.agent ?? null, notAfter: flags['not-after'] ?? null, previous: prev?.baseline ?? null}
    // A log is verified first and is as large as its agent's history; plain telemetry streams at any size.
    const fromLog = isLog ? await loadObservations(from, {...flags, config: async () => ({})}) : null
    if (fromLog?.source) this.log(describeSource(fromLog.source))
    const b = fromLog ? createBaseline(fromLog.set, opts) : await createBaselineFromFile(from, {...opts, agent: flags.agent})
    const source = fromLog?.source
    await writeFileAtomic(out, JSON.stringify(b, null, 2) + '\n', {force: flags.force, what: 'baseline'})
    this.log(`baseline ${b.subject} v${b.version}: ${b.window.observations} observations, ${Object.keys(b.features).length} features -> ${flags.out}`)
    for (const [name, f] of Object.entries(b.features)) this.log(`  ${name.padEnd(20)} mean ${String(f.mean).padEnd(14)} sd ${f.sd}`)
    // --previous and a log are verified under the same --pub/--trust: name it (docs/json.md rule 6).
    const trust = prev?.trust ?? source?.trust
    return {...b, ...(source ? {logSource: source} : {}), ...(trust ? {trust} : {}), written: {baseline: out}}
  }

  private async perAgent(flags: {from: string[]; subject: string; 'out-dir': string; key: string; 'passphrase-file'?: string; decimals: number; 'not-after'?: string; force: boolean}) {
    const {perAgentBaselines, writePerAgent} = await import('../../core/aggregate/agents.js')
    const sets = []
    for (const f of flags.from) sets.push(parseObservations(await readFileText(f, {what: 'observations'}), f))
    const features = sets[0]!.features
    const odd = sets.find((s) => [...s.features].sort().join() !== [...features].sort().join())
    if (odd) throw new TcpError('input', `--from: the files do not have the same features (${[...features].sort().join(', ')} vs ${[...odd.features].sort().join(', ')})`)
    const key = await readPrivateKeyFile(flags.key, passphraseSource({passphraseFile: flags['passphrase-file']}))
    const baselines = perAgentBaselines({features, rows: sets.flatMap((s) => s.rows)}, {subject: flags.subject, decimals: flags.decimals, notAfter: flags['not-after'] ?? null})
    await writePerAgent(baselines, key, flags['out-dir'], flags.force)
    this.log(`${baselines.length} per-agent baselines signed by key ${key.keyId} -> ${flags['out-dir']}`)
    return {agents: baselines.length, keyId: key.keyId, decimals: flags.decimals, written: {baselines: flags['out-dir']}}
  }

  /** The previous version: verified when trust is given, otherwise read with a warning (tcp verify --previous checks the link). */
  private async previousBaseline(path: string, flags: {pub?: string[]; trust?: string}) {
    const doc = await readJsonFile(path, {what: 'previous baseline'})
    if (!flags.pub && !flags.trust) {
      this.note(`warning: the signatures of ${path} were not checked (pass --pub or --trust to check them)`)
      return {baseline: unverifiedBaseline(doc, path)}
    }
    const trust = await loadTrust(flags, async () => ({}))
    return {baseline: openSignedBaseline(doc, {trust}).baseline, trust: trust.source}
  }
}
