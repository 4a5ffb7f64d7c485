import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {passphraseSource} from '../../cli/passphrase.js'
import {noDash} from '../../cli/stdio.js'
import {TcpError} from '../../core/errors.js'
import {exportKeyFile} from '../../core/keys/foreign.js'

export default class KeysExport extends TcpCommand {
  static override summary = 'Export a tcp key as PKCS#8 / SubjectPublicKeyInfo PEM (openssl), OpenSSH (ssh-keygen) or age'
  static override description = `--format pkcs8: a private key as PKCS#8 PEM, encrypted (AES-256-CBC, PBKDF2) with the key file's own passphrase unless --unencrypted; a public key (a .pub, or --public) as SubjectPublicKeyInfo PEM. --format openssh: Ed25519 only; a private key as an unencrypted openssh-key-v1 file (needs --unencrypted; encrypt it with ssh-keygen -p), a public key as an "ssh-ed25519 ..." line. --format age: X25519 only; a private key as an age identity file (AGE-SECRET-KEY-1..., needs --unencrypted), a public key as its age1... recipient. Private exports are written with mode 0600, never over an existing file without --force.`
  static override examples = [
    '<%= config.bin %> keys export alice.key --format pkcs8 --out alice.pem',
    '<%= config.bin %> keys export alice.key --format openssh --unencrypted --out id_alice',
    '<%= config.bin %> keys export alice.pub --format openssh --out id_alice.pub',
    '<%= config.bin %> keys export ops.pub --format age --out ops.age-recipient',
  ]

  static override args = {file: Args.string({description: 'a tcp .key or .pub file', required: true})}
  static override flags = {
    format: Flags.string({description: 'output format', options: ['pkcs8', 'openssh', 'age'], required: true}),
    out: Flags.string({char: 'o', description: 'output file', required: true}),
    public: Flags.boolean({description: 'export only the public key of a .key file'}),
    unencrypted: Flags.boolean({description: 'write the private key unencrypted'}),
    'passphrase-file': passphraseFileFlag,
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(KeysExport)
    noDash(args.file, 'file')
    noDash(flags.out, '--out')
    const format = flags.format as 'pkcs8' | 'openssh' | 'age'
    const isPrivate = !flags.public && !args.file.endsWith('.pub')
    if (isPrivate && format !== 'pkcs8' && !flags.unencrypted)
      throw new TcpError('usage', `--format ${format} writes the private key unencrypted: pass --unencrypted, or --public`)
    const keyPassphrase = passphraseSource({passphraseFile: flags['passphrase-file']})
    const r = await exportKeyFile(args.file, flags.out, {format, public: flags.public, keyPassphrase, encrypt: format === 'pkcs8' && !flags.unencrypted, force: flags.force})
    this.log(`exported ${r.kind} ${r.type} key ${r.keyId} as ${r.format}${r.encrypted ? ' (encrypted)' : ''}: ${r.out}`)
    return {keyType: r.type, kind: r.kind, keyId: r.keyId, format: r.format, encrypted: r.encrypted, written: {key: r.out}}
  }
}
