import {Args} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {describeKeyFile} from '../../core/keys/index.js'

export default class KeysShow extends TcpCommand {
  static override summary = 'Show a key file: type, key id, encrypted or not, created (never decrypts)'
  static override examples = ['<%= config.bin %> keys show alice.key', '<%= config.bin %> keys show alice.pub --json']
  static override args = {file: Args.string({description: 'a .key or .pub file', required: true})}

  async run() {
    const {args} = await this.parse(KeysShow)
    const s = await describeKeyFile(args.file)
    this.log(`${s.path}\n  kind:      ${s.kind}\n  type:      ${s.type}\n  key id:    ${s.keyId}`)
    if (s.kind === 'private') this.log(`  encrypted: ${s.encrypted ? `yes (${s.kdf}, xchacha20-poly1305)` : 'NO'}\n  created:   ${s.created}`)
    return s
  }
}
