import {Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {forceFlag} from '../cli/flags.js'
import {loadTrust, parseAt, trustFlags} from '../cli/trust.js'
import {EXIT, TcpError} from '../core/errors.js'
import {readFileText, readJsonFile, writeFileAtomic, assertAbsent} from '../core/io.js'
import {SIZES, parseSize} from '../core/zk/statement.js'

export default class Prove extends TcpCommand {
  static override summary = 'Prove in zero knowledge that a window of one feature stays within a signed baseline'
  static override description = `Verifies the baseline's signatures first (--pub or --trust, as tcp verify), judges the window with the exact
rule of tcp baseline check, and when it passes writes a Groth16 proof bundle: the window's mean and variance are
within the baseline's bounds at k, every value fits the baseline's bit width, and the window is bound by a
Poseidon commitment; nothing else about it is revealed (the number of observations n is public). A window outside
the bounds gets no proof: exit 3 and the bound it breaks. Needs tcp zk setup for the size first. With a tcp.log/v1
log as --window (verified first, under the same trust), the proof is over one checkpointed window of it and is
bound to it: tcp verify PROOF --log LOG checks that binding.`

  static override examples = [
    '<%= config.bin %> prove --baseline b1.dsse.json --pub alice.pub --window last-hour.jsonl --feature latency_ms --out proof.json',
    '<%= config.bin %> prove --baseline b1.dsse.json --pub alice.pub --window w.jsonl --feature latency_ms --nonce "$NONCE_FROM_VERIFIER" --opening w.opening.json --out proof.json',
    '<%= config.bin %> prove --baseline b1.dsse.json --pub alice.pub --pub agent-03.pub --window agent-03.log --feature latency_ms --out proof.json   # bound to a checkpointed window',
    '<%= config.bin %> prove --baseline b1.dsse.json --trust ./trust --window w.jsonl --agent agent-03 --feature call_rate --k 2.5 --size 64 --out p.json --json',
  ]

  static override flags = {
    baseline: Flags.string({description: 'the signed baseline (DSSE envelope)', required: true}),
    window: Flags.string({description: 'observations (JSONL or CSV), or a tcp.log/v1 log (verified first; the proof is bound to one checkpointed window)', required: true}),
    'window-from': Flags.integer({description: 'with a log: prove the checkpointed window starting at this seq (default: the last one)', min: 0}),
    feature: Flags.string({description: 'the feature to prove', required: true}),
    agent: Flags.string({description: 'use only the observations of this agent'}),
    k: Flags.string({description: 'mean bound in standard errors (the verifier must use the same k)', default: '3'}),
    size: Flags.integer({description: `circuit size, ${SIZES.join(', ')} (default: the smallest that holds the window)`}),
    out: Flags.string({char: 'o', description: 'output proof bundle (JSON)', required: true}),
    nonce: Flags.string({description: "the verifier's challenge (1 to 256 characters), bound into the proof: tcp verify --nonce checks it"}),
    opening: Flags.string({description: 'also write the opening of the commitment (values and salt, mode 0600: keep it private) for an auditor (tcp zk open)'}),
    force: forceFlag,
    ...trustFlags,
    at: Flags.string({description: 'judge the baseline expiry as of this ISO time instead of now'}),
  }

  async run() {
    const {flags} = await this.parse(Prove)
    const {openSignedBaseline} = await import('../core/envelope/verify.js')
    const {filterAgent, parseObservations} = await import('../core/baseline/observations.js')
    const {proveWindowValues} = await import('../core/zk/prove.js')
    const {resolveCacheDir} = await import('../core/zk/artifacts.js')
    if (!flags.force) await assertAbsent(flags.out, 'proof bundle') // before minutes of proving, not after
    if (!flags.force && flags.opening) await assertAbsent(flags.opening, 'opening')
    const trust = await loadTrust(flags, () => this.tcpConfig())
    const {baseline, digest, report: signed} = openSignedBaseline(await readJsonFile(flags.baseline, {what: 'signed baseline'}), {trust, threshold: flags.threshold, now: parseAt(flags.at)})
    const {isLogFile} = await import('../core/log/observe.js')
    const bound = (await isLogFile(flags.window)) ? (await import('../core/zk/bind.js')).logWindowForProof(flags.window, {log: {trust, now: parseAt(flags.at)}, from: flags['window-from'], baseline, digest, feature: flags.feature}) : null
    if (!bound && flags['window-from'] !== undefined) throw new TcpError('usage', '--window-from needs --window LOG (a tcp.log/v1 log)')
    if (bound && flags.agent && flags.agent !== bound.agent) throw new TcpError('usage', `--agent ${flags.agent}: ${flags.window} is the log of ${bound.agent}`)
    if (bound) (await import('../core/log/observe.js')).requireIndependentBaseline(signed.signerKeyIds, bound.keys, flags.threshold, flags.window)
    if (bound) this.log(`verified log ${flags.window} (agent ${bound.agent}, trust ${trust.source}): head seq ${bound.head.seq} ${bound.head.hash}; proving checkpointed window ${bound.window.from}..${bound.window.to} (checkpoint line ${bound.window.checkpointLine})`)
    const obs = bound ? bound.set : filterAgent(parseObservations(await readFileText(flags.window, {what: 'window'}), flags.window), flags.agent, flags.window)
    const p = await this.progress('proving')
    const r = await proveWindowValues({cacheDir: resolveCacheDir(this.config.cacheDir), baseline, digest, feature: flags.feature, observations: obs, salt: bound?.salt, k: flags.k, nonce: flags.nonce, size: flags.size === undefined ? undefined : parseSize(flags.size)}).finally(() => p.stop())
    if (!r.proved) {
      this.log(`findings: no proof: ${r.breaks}`)
      this.log(`trust: ${trust.source}`)
      this.status = EXIT.findings
      return {...r.summary, trust: trust.source, ...logOf(bound)}
    }
    if (flags.opening) await writeFileAtomic(flags.opening, JSON.stringify(r.opening, null, 2) + '\n', {force: flags.force, mode: 0o600, what: 'opening'})
    await writeFileAtomic(flags.out, JSON.stringify(r.bundle, null, 2) + '\n', {force: flags.force, what: 'proof bundle'})
    this.log(`proved ${flags.feature} within baseline ${baseline.subject} v${baseline.version} at k = ${flags.k}: n = ${r.bundle.n}, size ${r.bundle.circuit.size}, ${r.proveSeconds.toFixed(2)} s; wrote ${flags.out}`)
    this.log(`trust: ${trust.source}`)
    return {...r.summary, written: {bundle: flags.out, ...(flags.opening ? {opening: flags.opening} : {})}, trust: trust.source, ...logOf(bound)}
  }
}

const logOf = (b: {agent: string; head: {seq: number; hash: string}; window: object} | null) => (b ? {log: {agent: b.agent, head: {seq: b.head.seq, hash: b.head.hash}, window: b.window}} : {})
