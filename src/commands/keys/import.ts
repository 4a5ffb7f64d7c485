import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {getPassphrase, passphraseSource} from '../../cli/passphrase.js'
import {noDash} from '../../cli/stdio.js'
import {importKeyFile} from '../../core/keys/foreign.js'

export default class KeysImport extends TcpCommand {
  static override summary = 'Import a PKCS#8 (PEM or DER, encrypted or not), OpenSSH Ed25519 or age key into tcp key files'
  static override description = `Reads PKCS#8 private keys (PEM or DER; encrypted ones with --in-passphrase-file, TCP_PASSPHRASE or a prompt), SubjectPublicKeyInfo PEM/DER public keys, OpenSSH Ed25519 private keys (unencrypted) and public keys (ssh-ed25519 ...), and age identities (AGE-SECRET-KEY-1..., as X25519). A private key becomes PATH.key (encrypted under --passphrase-file, TCP_PASSPHRASE or a prompt, unless --unencrypted) and PATH.pub; a public key becomes PATH.pub only. Anything else is refused with the name of what it is (RSA, EC, minisign, an encrypted OpenSSH key...).`
  static override examples = [
    'openssl genpkey -algorithm ed25519 -out ed.pem && <%= config.bin %> keys import ed.pem --out imported',
    "ssh-keygen -t ed25519 -N '' -f id && <%= config.bin %> keys import id --out ssh-signer --unencrypted",
    '<%= config.bin %> keys import id.pub --out ssh-signer-public',
  ]

  static override args = {file: Args.string({description: 'key file: PKCS#8 PEM/DER, OpenSSH Ed25519, age identity', required: true})}
  static override flags = {
    out: Flags.string({char: 'o', description: 'path without extension: writes PATH.key and PATH.pub', required: true}),
    unencrypted: Flags.boolean({description: 'store the private key unencrypted', exclusive: ['passphrase-file']}),
    'passphrase-file': passphraseFileFlag,
    'in-passphrase-file': Flags.string({description: 'passphrase of an encrypted PKCS#8 input (first line of this file; else TCP_PASSPHRASE, else a prompt)'}),
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(KeysImport)
    noDash(args.file, 'file')
    noDash(flags.out, '--out')
    const r = await importKeyFile(args.file, flags.out, {
      inputPassphrase: passphraseSource({passphraseFile: flags['in-passphrase-file'], prompt: 'Passphrase of the key to import: '}),
      outputPassphrase: flags.unencrypted ? undefined : () => getPassphrase({passphraseFile: flags['passphrase-file'], confirm: true}),
      force: flags.force,
    })
    this.log(`imported ${r.type} key ${r.keyId} (${r.format}): ${[r.key, r.pub].filter(Boolean).join(', ')}`)
    return {keyType: r.type, keyId: r.keyId, format: r.format, encrypted: r.encrypted, written: r.key ? {key: r.key, pub: r.pub} : {pub: r.pub}}
  }
}
