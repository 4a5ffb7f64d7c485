import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {getPassphrase} from '../../cli/passphrase.js'
import {readFileText} from '../../core/io.js'
import {decodePkcs8Pem, writeKeyPair} from '../../core/keys/index.js'

export default class KeysImport extends TcpCommand {
  static override summary = 'Import an unencrypted PKCS#8 PEM private key (openssl genpkey) into tcp key files'
  static override examples = [
    'openssl genpkey -algorithm ed25519 -out ed.pem && <%= config.bin %> keys import ed.pem --out imported',
  ]

  static override args = {pem: Args.string({description: 'PKCS#8 PEM file (Ed25519 or X25519)', required: true})}
  static override flags = {
    out: Flags.string({char: 'o', description: 'path without extension: writes PATH.key and PATH.pub', required: true}),
    unencrypted: Flags.boolean({description: 'store the private key unencrypted', exclusive: ['passphrase-file']}),
    'passphrase-file': passphraseFileFlag,
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(KeysImport)
    const kp = decodePkcs8Pem(await readFileText(args.pem, {what: 'PEM file', maxBytes: 64 * 1024}), `PEM file ${args.pem}`)
    const passphrase = flags.unencrypted ? undefined : await getPassphrase({passphraseFile: flags['passphrase-file'], confirm: true})
    const r = await writeKeyPair(flags.out, kp, {passphrase, force: flags.force})
    this.log(`imported ${kp.type} key ${r.keyId}: ${r.key}, ${r.pub}`)
    return {type: kp.type, keyId: r.keyId, key: r.key, pub: r.pub, encrypted: Boolean(passphrase)}
  }
}
