import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {decodeJob} from '../../core/descriptor/cli.js'
import type {DecodedDescriptor} from '../../core/descriptor/format.js'
import type {DecodedSet} from '../../core/descriptor/set.js'

function line(d: DecodedDescriptor): string {
  return `${d.commandHash}  ${d.risk.padEnd(11)} ${d.policy.padEnd(16)} flags 0x${d.flags.toString(16)} (${d.flagNames.join(', ') || 'none'}); ` +
    `${d.execMs} ms, ${d.memoryMb} MB, ${d.outputKb} KB; command ${d.commandLength} bytes; checksum ${d.checksum.toString(16).padStart(4, '0')}`
}

export default class DescriptorDecode extends TcpCommand {
  static override summary = 'Decode and check a 24-byte TCP tool descriptor (hex) or a descriptor file (one or a set)'
  static override description = `Prints the fields, the risk and the policy decision. Exits 1 naming the reason when the magic, length,
version or checksum is wrong (a set: the first bad record), 2 when the hex or the file cannot be read.`

  static override examples = [
    '<%= config.bin %> descriptor decode 544350020002d67f249b000006d0271003e800320002ef04',
    '<%= config.bin %> descriptor decode --file tools.tcpd --json',
  ]

  static override args = {
    hex: Args.string({description: 'the descriptor as 48 hex digits'}),
  }

  static override flags = {
    file: Flags.string({description: 'a binary descriptor file: one descriptor or a set (N x 24 bytes)'}),
  }

  async run(): Promise<DecodedDescriptor | DecodedSet> {
    const {args, flags} = await this.parse(DescriptorDecode)
    const r = await decodeJob({hex: args.hex, file: flags.file})
    if ('descriptors' in r) {
      for (const d of r.descriptors) this.log(`${String(d.index).padStart(4)}  ${line(d)}`)
      this.log(`${r.count} descriptors, all valid`)
    } else this.log(line(r))
    return r
  }
}
