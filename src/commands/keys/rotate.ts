import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../../cli/flags.js'
import {passphraseSource} from '../../cli/passphrase.js'
import {TcpError} from '../../core/errors.js'
import {writeFileAtomic} from '../../core/io.js'
import {readPrivateKeyFile} from '../../core/keys/files.js'
import {makeRotation} from '../../core/keys/rotate.js'
import {encodeEnvelope} from '../../core/envelope/dsse.js'
import {parseTime} from '../../core/time.js'

export default class KeysRotate extends TcpCommand {
  static override summary = 'Write a rotation statement: OLD key replaced by NEW key, signed by both (DSSE)'
  static override description = `The statement (payloadType application/vnd.tcp.key-rotation+json) names both keys and the time the
rotation takes effect; the old key's signature hands over, the new key's proves its holder has the secret.
Check it with: tcp verify ROTATION.json --pub OLD.pub --pub NEW.pub --threshold 2.
After a compromise, also revoke the old key id in trust.json ("revoked") and re-sign what it signed (SECURITY.md).
Both keys are read with the same passphrase source unless --new-passphrase-file is given.`

  static override examples = [
    '<%= config.bin %> keys rotate --key old.key --new new.key --out rotation.dsse.json --reason scheduled',
    'TCP_PASSPHRASE=... <%= config.bin %> keys rotate --key ci/signer.key --new ci/signer-2027.key --out ci/rotation.dsse.json --at 2027-01-01T00:00:00Z --json',
  ]

  static override flags = {
    key: Flags.string({char: 'k', description: 'the old signing key (.key)', required: true}),
    new: Flags.string({description: 'the new signing key (.key), e.g. from tcp keys generate', required: true}),
    out: Flags.string({char: 'o', description: 'the rotation statement to write (DSSE envelope JSON)', required: true}),
    at: Flags.string({description: 'when the rotation takes effect (ISO 8601; default now)'}),
    reason: Flags.string({description: 'why (e.g. scheduled, compromised), at most 256 characters'}),
    'passphrase-file': passphraseFileFlag,
    'new-passphrase-file': Flags.string({description: 'file holding the new key\'s passphrase (default: the same source as the old key\'s)'}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(KeysRotate)
    const oldPass = passphraseSource({passphraseFile: flags['passphrase-file']})
    const oldKey = await readPrivateKeyFile(flags.key, oldPass)
    const newKey = await readPrivateKeyFile(flags.new, flags['new-passphrase-file'] ? passphraseSource({passphraseFile: flags['new-passphrase-file']}) : oldPass)
    for (const [k, name] of [[oldKey, '--key'], [newKey, '--new']] as const)
      if (k.type !== 'ed25519') throw new TcpError('unsupported', `${name}: a ${k.type} key cannot sign (Ed25519 needed)`)
    const time = new Date(flags.at === undefined ? Date.now() : parseTime(flags.at, '--at'))
    const env = makeRotation(oldKey, newKey, time, flags.reason)
    await writeFileAtomic(flags.out, encodeEnvelope(env), {force: flags.force, what: 'rotation statement'})
    this.log(`key ${oldKey.keyId} -> ${newKey.keyId} from ${time.toISOString()}: ${flags.out} (signed by both)`)
    return {oldKeyId: oldKey.keyId, newKeyId: newKey.keyId, time: time.toISOString(), written: {rotation: flags.out}}
  }
}
