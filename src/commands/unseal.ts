import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../cli/flags.js'
import {getPassphrase, passphraseSource} from '../cli/passphrase.js'
import {runUnseal} from '../core/seal/job.js'

export default class Unseal extends TcpCommand {
  static override summary = 'Decrypt a sealed file with an X25519 identity or its passphrase; reject any tampering'
  static override description = `Checks the header MAC and every chunk; the output file (mode 0600) appears only after the final chunk authenticated, so no plaintext of a tampered, truncated or extended file is ever released. Exit 1 when the file is rejected (altered, truncated, reordered, appended to, wrong identity or wrong passphrase), with the reason; exit 2 when it is not a sealed file or cannot be read. --passphrase-file gives the passphrase of the encrypted --identity key, or with --passphrase the passphrase of the sealed file.`

  static override examples = [
    '<%= config.bin %> unseal telemetry.jsonl.tcpseal --identity ops.key --out telemetry.jsonl',
    'TCP_PASSPHRASE=... <%= config.bin %> unseal telemetry.jsonl.tcpseal --passphrase --out telemetry.jsonl --json',
  ]

  static override args = {file: Args.string({description: 'sealed file', required: true})}
  static override flags = {
    identity: Flags.string({char: 'i', description: 'X25519 private key file (.key)', exactlyOne: ['identity', 'passphrase']}),
    passphrase: Flags.boolean({description: 'the file was sealed to a passphrase', exactlyOne: ['identity', 'passphrase']}),
    'passphrase-file': passphraseFileFlag,
    out: Flags.string({char: 'o', description: 'plaintext output file', required: true}),
    force: forceFlag,
  }

  async run() {
    const {args, flags} = await this.parse(Unseal)
    const from = {passphraseFile: flags['passphrase-file']}
    const passphrase = flags.passphrase ? await getPassphrase(from) : undefined
    const p = await this.progress(`unsealing ${args.file}`)
    const r = await runUnseal({file: args.file, out: flags.out, identityFile: flags.identity, keyPassphrase: passphraseSource(from), passphrase, force: flags.force}).finally(() => p.stop())
    const how = r.identityKeyId ? `identity ${r.identityKeyId}` : 'passphrase'
    this.log(`unsealed ${r.file} with ${how}: ${r.out} (${r.plaintextBytes} bytes, ${r.chunks} chunk${r.chunks > 1 ? 's' : ''} authenticated)`)
    return r
  }
}
