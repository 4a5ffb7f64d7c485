import {Args} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'

export default class LogShow extends TcpCommand {
  static override summary = 'Describe a tcp.log/v1 file: agent, entries, head, time span, agents referenced'
  static override description = `Reads the log's structure and hash chain; it does NOT check signatures (tcp verify LOG --pub KEY does).
Structural problems are counted and the first is named.`

  static override examples = ['<%= config.bin %> log show a1.log', '<%= config.bin %> log show a1.log --json']
  static override args = {file: Args.string({description: 'the log file', required: true})}

  async run() {
    const {args} = await this.parse(LogShow)
    const {describeLog} = await import('../../core/log/show.js')
    const {keys: keyIds, ...d} = describeLog(args.file)
    this.log(`${d.file}: agent ${d.agent ?? '?'}, ${d.entries} entries, ${d.checkpoints} checkpoint(s) by key ${keyIds.join(', ') || '-'}`)
    this.log(`  head      ${d.head ? `seq ${d.head.seq} ${d.head.hash} at ${d.head.time}` : 'none committed'}`)
    this.log(`  time span ${d.firstTime ?? '-'} .. ${d.lastTime ?? '-'}`)
    const refs = Object.entries(d.references)
    this.log(`  clock     ${refs.length ? refs.map(([a, [s]]) => `${a}@${s}`).join(', ') : 'no other agent referenced'}`)
    if (d.uncommittedLines) this.log(`  tail      ${d.uncommittedLines} line(s) after the last checkpoint (uncommitted or torn)`)
    if (d.firstProblem) this.log(`  problems  ${Object.entries(d.problems).map(([c, n]) => `${c} ${n}`).join(', ')}; first: line ${d.firstProblem.line}: ${d.firstProblem.detail}`)
    this.log('  signatures not checked here: tcp verify FILE --pub KEY')
    const {file, agent, ...rest} = d
    return {file, agent, keyIds, ...rest}
  }
}
