import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {encodeJob, type EncodeResult} from '../../core/descriptor/cli.js'

export default class DescriptorEncode extends TcpCommand {
  static override summary = 'Encode a 24-byte TCP tool descriptor (v2), or a descriptor set from a JSON-lines spec'
  static override description = `Flags are a number (0x6d0) or names: SAFE, LOW_RISK, MEDIUM_RISK, HIGH_RISK, CRITICAL, REQUIRES_ROOT,
DESTRUCTIVE, NETWORK_ACCESS, FILE_MODIFICATION, SYSTEM_MODIFICATION, PRIVILEGE_ESCALATION (comma-separated).
A set (--set spec.jsonl, one {"command","flags","execMs","memoryMb","outputKb"} per line) is written as the
concatenation of its 24-byte descriptors; sign it with tcp sign and check it with tcp verify.`

  static override examples = [
    '<%= config.bin %> descriptor encode --command rm --flags CRITICAL,REQUIRES_ROOT,DESTRUCTIVE,FILE_MODIFICATION,SYSTEM_MODIFICATION --exec-ms 10000 --memory-mb 1000 --output-kb 50',
    '<%= config.bin %> descriptor encode --command "git status" --flags SAFE --exec-ms 100 --memory-mb 10 --output-kb 48828 --out git-status.tcpd',
    '<%= config.bin %> descriptor encode --set tools.jsonl --out tools.tcpd',
  ]

  static override flags = {
    command: Flags.string({description: 'the command string (its MD5 prefix and length go into the descriptor)', exclusive: ['set']}),
    flags: Flags.string({description: 'security flags: a number or comma-separated names', default: '0'}),
    'exec-ms': Flags.integer({description: 'typical execution time in ms (0-65535)', default: 0}),
    'memory-mb': Flags.integer({description: 'memory in MB (0-65535)', default: 0}),
    'output-kb': Flags.integer({description: 'output size in KB (0-65535)', default: 0}),
    set: Flags.string({description: 'JSON-lines spec of many tools: writes a descriptor set', exclusive: ['command']}),
    out: Flags.string({char: 'o', description: 'write the binary descriptor (or set) to this file'}),
    force: Flags.boolean({description: 'overwrite an existing output file', dependsOn: ['out']}),
  }

  async run(): Promise<Omit<EncodeResult, 'out'> & {written?: {descriptor: string}}> {
    const {flags} = await this.parse(DescriptorEncode)
    const r = await encodeJob({
      command: flags.command, flags: flags.flags, execMs: flags['exec-ms'], memoryMb: flags['memory-mb'],
      outputKb: flags['output-kb'], set: flags.set, out: flags.out, force: flags.force,
    })
    this.log(r.hex)
    const {out, ...rest} = r
    if (out === undefined) return rest
    this.note(`wrote ${r.count} descriptor${r.count === 1 ? '' : 's'} (${r.bytes} bytes) to ${out}`)
    return {...rest, written: {descriptor: out}}
  }
}
