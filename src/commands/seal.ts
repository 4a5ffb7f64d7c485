import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../cli/flags.js'
import {getPassphrase} from '../cli/passphrase.js'
import {noDashWithJson, stdio} from '../cli/stdio.js'
import {TcpError} from '../core/errors.js'
import {runSeal} from '../core/seal/job.js'

export default class Seal extends TcpCommand {
  static override summary = 'Encrypt a file to age recipients or to a passphrase (age v1 format, streamed)'
  static override description = `Writes the age v1 format (C2SP age.md): the output opens with age -d, rage and the age-encryption package, and tcp unseal opens theirs. Recipients (--recipient, repeatable): age1... strings, recipients files (one age1... a line) or tcp X25519 .pub files; or --passphrase (scrypt stanza, N=2^17; passphrase from TCP_PASSPHRASE, --passphrase-file or a hidden prompt). The data is encrypted with ChaCha20-Poly1305 in 64 KiB chunks (STREAM) in constant memory. "-" as the file reads standard input; --out - writes standard output. A file output appears only when complete (fsynced, then renamed) and is never replaced without --force.`

  static override examples = [
    '<%= config.bin %> seal telemetry.jsonl --recipient ops.pub --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p --out telemetry.jsonl.age',
    'cat telemetry.jsonl | <%= config.bin %> seal - -r recipients.txt -o - | age -d -i key.txt',
    'TCP_PASSPHRASE=... <%= config.bin %> seal telemetry.jsonl --passphrase --out telemetry.jsonl.age --json',
  ]

  static override args = {file: Args.string({description: 'file to seal ("-": standard input)', required: true})}
  static override flags = {
    recipient: Flags.string({char: 'r', description: 'age1... recipient, recipients file, or X25519 .pub file; repeat for more', multiple: true, exactlyOne: ['recipient', 'passphrase']}),
    passphrase: Flags.boolean({description: 'seal to a passphrase instead of recipients', exactlyOne: ['recipient', 'passphrase']}),
    'passphrase-file': {...passphraseFileFlag, dependsOn: ['passphrase']},
    out: Flags.string({char: 'o', description: 'sealed output file ("-": standard output)', required: true}),
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(Seal)
    noDashWithJson(flags.out, this.jsonEnabled())
    if (flags.passphrase && args.file === '-' && !flags['passphrase-file'] && !process.env.TCP_PASSPHRASE)
      throw new TcpError('usage', 'reading the file from standard input: give the passphrase with TCP_PASSPHRASE or --passphrase-file')
    const passphrase = flags.passphrase
      ? await getPassphrase({passphraseFile: flags['passphrase-file'], confirm: true, prompt: 'Passphrase for the sealed file: '})
      : undefined
    const p = await this.progress(`sealing ${args.file}`)
    const r = await runSeal({file: args.file, out: flags.out, recipients: flags.recipient, passphrase, force: flags.force, stdio}).finally(() => p.stop())
    const to = r.mode === 'passphrase' ? 'a passphrase' : `${r.recipients} recipient${r.recipients > 1 ? 's' : ''} (${r.recipientKeyIds.join(', ')})`
    const line = `sealed ${r.plaintextBytes} bytes of ${r.file} to ${to}: ${r.out} (${r.sealedBytes} bytes, ${r.chunks} chunk${r.chunks > 1 ? 's' : ''})`
    if (flags.out === '-') this.note(line)
    else this.log(line)
    const {out, ...rest} = r
    return {...rest, written: {sealed: out}}
  }
}
