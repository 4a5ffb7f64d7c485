import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {passphraseFileFlag} from '../../cli/flags.js'
import {passphraseSource} from '../../cli/passphrase.js'
import {TcpError} from '../../core/errors.js'
import {readFileText} from '../../core/io.js'
import {readPrivateKeyFile} from '../../core/keys/files.js'
import {parseObservations} from '../../core/baseline/observations.js'

export default class LogAppend extends TcpCommand {
  static override summary = 'Append observations to an agent\'s signed, hash-chained log (tcp.log/v1)'
  static override description = `Each observation (JSONL or CSV, as tcp baseline create reads) becomes an entry chained by SHA3-256 to the
one before; a checkpoint signed with --key commits every --checkpoint-every entries and the end of the append.
--saw adds the last committed entry of another agent's log to this agent's vector clock. The existing log is
verified under --key first. A torn or uncommitted tail (a crash) is refused until --repair drops it.`

  static override examples = [
    '<%= config.bin %> log append --key a1.key --log a1.log --agent agent-01 --from obs.jsonl',
    'tail -1 obs.jsonl | <%= config.bin %> log append --key a1.key --log a1.log --from - --saw a2.log --saw a3.log',
  ]

  static override flags = {
    key: Flags.string({char: 'k', description: 'the agent\'s signing key (.key); default: "key" from the tcp configuration'}),
    log: Flags.string({description: 'the log file (created when absent)', required: true}),
    from: Flags.string({description: 'observations (JSONL or CSV), or - for stdin'}),
    saw: Flags.string({description: 'another agent\'s log this agent has seen (repeatable)', multiple: true}),
    agent: Flags.string({description: 'agent name of a new log (default: the observations\' "agent")'}),
    'checkpoint-every': Flags.integer({description: 'sign a checkpoint after every N entries (1: every entry)', default: 1000, min: 1}),
    window: Flags.integer({description: 'commit each aligned window of N entries in a checkpoint (proof binding hook)', default: 0, min: 0, max: 4096}),
    repair: Flags.boolean({description: 'drop a torn or uncommitted tail (reported) instead of refusing'}),
    'passphrase-file': passphraseFileFlag,
  }

  async run() {
    const {flags} = await this.parse(LogAppend)
    const keyPath = flags.key ?? (await this.tcpConfig()).key
    if (!keyPath) throw new TcpError('usage', 'no signing key: pass --key PATH.key or set "key" in the tcp configuration')
    if (!flags.from && !flags.saw?.length) throw new TcpError('usage', 'nothing to append: give --from OBS (or -) and/or --saw LOG')
    const key = await readPrivateKeyFile(keyPath, passphraseSource({passphraseFile: flags['passphrase-file']}))
    if (key.type !== 'ed25519') throw new TcpError('unsupported', `key ${keyPath}: a log is signed with an Ed25519 key, got ${key.type}`)
    const text = flags.from === '-' ? await readStdin() : flags.from ? await readFileText(flags.from, {what: 'observations'}) : ''
    const obs = text.trim() ? parseObservations(text, flags.from ?? 'observations').rows : []
    const agent = flags.agent ?? obs.find((r) => r.agent)?.agent ?? undefined
    const {appendToLog} = await import('../../core/log/append.js')
    const r = appendToLog({log: flags.log, key, agent, observations: obs, saw: flags.saw, checkpointEvery: flags['checkpoint-every'], window: flags.window, repair: flags.repair})
    if (r.repaired) this.note(`repaired: dropped ${r.repaired.droppedLines} uncommitted line(s), ${r.repaired.droppedBytes} bytes, after the last checkpoint`)
    const merged = Object.entries(r.merged).map(([a, [s]]) => `${a}@${s}`)
    this.log(`appended ${r.appended} entr${r.appended === 1 ? 'y' : 'ies'} to ${r.log} (agent ${r.agent}, key ${r.keyId}, ${r.checkpoints} checkpoint(s)); head seq ${r.head!.seq} ${r.head!.hash}${merged.length ? `; clock now includes ${merged.join(', ')}` : ''}`)
    const {log, ...result} = r
    return {...result, written: {log}}
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
