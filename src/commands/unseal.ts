import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../cli/flags.js'
import {getPassphrase, passphraseSource} from '../cli/passphrase.js'
import {noDashWithJson, stdio} from '../cli/stdio.js'
import {TcpError} from '../core/errors.js'
import {runUnseal} from '../core/seal/job.js'

export default class Unseal extends TcpCommand {
  static override summary = 'Decrypt an age file with an identity or its passphrase; reject any tampering'
  static override description = `Opens age v1 files (from tcp seal, age -e, rage or age-encryption) with --identity (age identity files of AGE-SECRET-KEY-1 lines, or tcp X25519 .key files; repeatable) or --passphrase. Checks the header MAC and every chunk; a file output (mode 0600) appears only after the final chunk authenticated. With --out - each chunk goes to standard output as it authenticates (as age -d does): a later failure still exits 1, after some plaintext was written. Exit 1 when the file is rejected (altered, truncated, reordered, appended to, wrong identity or passphrase); exit 2 when it is not an age file or cannot be read. --passphrase-file gives the passphrase of an encrypted tcp .key identity, or with --passphrase the passphrase of the file.`

  static override examples = [
    '<%= config.bin %> unseal telemetry.jsonl.age --identity ops.key --out telemetry.jsonl',
    'age -r age1... data | <%= config.bin %> unseal - -i key.txt -o -',
    'TCP_PASSPHRASE=... <%= config.bin %> unseal telemetry.jsonl.age --passphrase --out telemetry.jsonl --json',
  ]

  static override args = {file: Args.string({description: 'age file ("-": standard input)', required: true})}
  static override flags = {
    identity: Flags.string({char: 'i', description: 'age identity file or X25519 .key file; repeat for more', multiple: true, exactlyOne: ['identity', 'passphrase']}),
    passphrase: Flags.boolean({description: 'the file was sealed to a passphrase', exactlyOne: ['identity', 'passphrase']}),
    'passphrase-file': passphraseFileFlag,
    out: Flags.string({char: 'o', description: 'plaintext output file ("-": standard output)', required: true}),
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(Unseal)
    noDashWithJson(flags.out, this.jsonEnabled())
    if (flags.passphrase && args.file === '-' && !flags['passphrase-file'] && !process.env.TCP_PASSPHRASE)
      throw new TcpError('usage', 'reading the file from standard input: give the passphrase with TCP_PASSPHRASE or --passphrase-file')
    const from = {passphraseFile: flags['passphrase-file']}
    const passphrase = flags.passphrase ? await getPassphrase(from) : undefined
    const p = await this.progress(`unsealing ${args.file}`)
    const r = await runUnseal({file: args.file, out: flags.out, identities: flags.identity, keyPassphrase: passphraseSource(from), passphrase, force: flags.force, stdio}).finally(() => p.stop())
    const how = r.identityKeyId ? `identity ${r.identityKeyId}` : 'passphrase'
    const line = `unsealed ${r.file} with ${how}: ${r.out} (${r.plaintextBytes} bytes, ${r.chunks} chunk${r.chunks > 1 ? 's' : ''} authenticated)`
    if (flags.out === '-') this.note(line)
    else this.log(line)
    const {out, ...rest} = r
    return {...rest, written: {plaintext: out}}
  }
}
