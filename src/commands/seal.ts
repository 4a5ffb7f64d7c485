import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../cli/flags.js'
import {getPassphrase} from '../cli/passphrase.js'
import {runSeal} from '../core/seal/job.js'

export default class Seal extends TcpCommand {
  static override summary = 'Encrypt a file to X25519 recipients or to a passphrase (ChaCha20-Poly1305, streamed)'
  static override description = `Each file gets a random file key, wrapped for every --recipient (X25519 key agreement with one ephemeral key per file, HKDF-SHA256) or under a passphrase (scrypt N=2^17, r=8, p=1; passphrase from TCP_PASSPHRASE, --passphrase-file or a hidden prompt). The header is authenticated; the data is encrypted in 64 KiB chunks (STREAM: chunk counter and last-chunk flag in each nonce), so that any altered, reordered, removed or added byte is rejected by tcp unseal. Files of any size stream through in constant memory. The output appears only when complete, and an existing file is never replaced without --force.`

  static override examples = [
    '<%= config.bin %> seal telemetry.jsonl --recipient ops.pub --recipient backup.pub --out telemetry.jsonl.tcpseal',
    'TCP_PASSPHRASE=... <%= config.bin %> seal telemetry.jsonl --passphrase --out telemetry.jsonl.tcpseal --json',
  ]

  static override args = {file: Args.string({description: 'file to seal', required: true})}
  static override flags = {
    recipient: Flags.string({char: 'r', description: 'X25519 public key file (.pub) of a recipient; repeat for more', multiple: true, exactlyOne: ['recipient', 'passphrase']}),
    passphrase: Flags.boolean({description: 'seal to a passphrase instead of recipients', exactlyOne: ['recipient', 'passphrase']}),
    'passphrase-file': {...passphraseFileFlag, dependsOn: ['passphrase']},
    out: Flags.string({char: 'o', description: 'sealed output file', required: true}),
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(Seal)
    const passphrase = flags.passphrase
      ? await getPassphrase({passphraseFile: flags['passphrase-file'], confirm: true, prompt: 'Passphrase for the sealed file: '})
      : undefined
    const p = await this.progress(`sealing ${args.file}`)
    const r = await runSeal({file: args.file, out: flags.out, recipientFiles: flags.recipient, passphrase, force: flags.force}).finally(() => p.stop())
    const to = r.mode === 'passphrase' ? 'a passphrase' : `${r.recipients} recipient${r.recipients > 1 ? 's' : ''} (${r.recipientKeyIds.join(', ')})`
    this.log(`sealed ${r.plaintextBytes} bytes of ${r.file} to ${to}: ${r.out} (${r.sealedBytes} bytes, ${r.chunks} chunk${r.chunks > 1 ? 's' : ''})`)
    return r
  }
}
