import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {describeKeyFile, publicKeyPemOf} from '../../core/keys/index.js'

export default class KeysShow extends TcpCommand {
  static override summary = 'Show a key file: type, key id, encrypted or not, created (never decrypts)'
  static override description = `With --pub, prints the public key (PEM) instead: a .key file always holds its own public key, so a
lost or stale .pub can be rebuilt with tcp keys show alice.key --pub > alice.pub.`

  static override examples = [
    '<%= config.bin %> keys show alice.key',
    '<%= config.bin %> keys show alice.pub --json',
    '<%= config.bin %> keys show alice.key --pub > alice.pub',
  ]

  static override args = {file: Args.string({description: 'a .key or .pub file', required: true})}
  static override flags = {pub: Flags.boolean({description: 'print the public key as PEM (from a .key or a .pub file)'})}

  async run() {
    const {args, flags} = await this.parse(KeysShow)
    const s = await describeKeyFile(args.file)
    if (flags.pub) {
      const pem = await publicKeyPemOf(args.file)
      this.log(pem.trimEnd())
      return {path: s.path, keyType: s.type, keyId: s.keyId, pem}
    }
    this.log(`${s.path}\n  kind:      ${s.kind}\n  type:      ${s.type}\n  key id:    ${s.keyId}`)
    if (s.kind === 'private') this.log(`  encrypted: ${s.encrypted ? `yes (${s.kdf}, xchacha20-poly1305)` : 'NO'}\n  created:   ${s.created}`)
    const {type: keyType, ...rest} = s
    return {keyType, ...rest}
  }
}
