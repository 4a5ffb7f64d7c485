import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {getPassphrase} from '../../cli/passphrase.js'
import {generateKeyPair, writeKeyPair, type KeyType} from '../../core/keys/index.js'

export default class KeysGenerate extends TcpCommand {
  static override summary = 'Generate a key pair: PATH.key (encrypted, mode 0600) and PATH.pub (PEM)'
  static override description = `Ed25519 keys sign baselines and envelopes; X25519 keys receive sealed files.
The private key is encrypted with XChaCha20-Poly1305 under a key derived by scrypt (N=2^17, r=8, p=1) from your
passphrase: TCP_PASSPHRASE, --passphrase-file, or a hidden prompt. An existing key is never overwritten without
--force. The key id (first 8 bytes of SHA3-256 of the public key, hex) names the key everywhere.`

  static override examples = [
    '<%= config.bin %> keys generate --out alice',
    'TCP_PASSPHRASE=... <%= config.bin %> keys generate --out ci/signer --json',
    '<%= config.bin %> keys generate --out ops/recipient --type x25519 --passphrase-file pass.txt',
    '<%= config.bin %> keys generate --out throwaway --unencrypted',
  ]

  static override flags = {
    out: Flags.string({char: 'o', description: 'path without extension: writes PATH.key and PATH.pub', required: true}),
    type: Flags.string({description: 'key type', options: ['ed25519', 'x25519'], default: 'ed25519'}),
    unencrypted: Flags.boolean({description: 'store the private key unencrypted (not recommended)', exclusive: ['passphrase-file']}),
    'passphrase-file': passphraseFileFlag,
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(KeysGenerate)
    const passphrase = flags.unencrypted ? undefined : await getPassphrase({passphraseFile: flags['passphrase-file'], confirm: true, prompt: 'New passphrase: '})
    const kp = generateKeyPair(flags.type as KeyType)
    const r = await writeKeyPair(flags.out, kp, {passphrase, force: flags.force})
    this.log(`${flags.type} key ${r.keyId}: ${r.key} (${passphrase ? 'encrypted' : 'UNENCRYPTED'}), ${r.pub}`)
    return {keyType: kp.type, keyId: r.keyId, encrypted: Boolean(passphrase), written: {key: r.key, pub: r.pub}}
  }
}
