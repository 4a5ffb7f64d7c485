import {Args, Flags} from '@oclif/core'
import {basename, join} from 'node:path'
import {TcpCommand} from '../cli/base.js'
import {forceFlag, passphraseFileFlag} from '../cli/flags.js'
import {passphraseSource} from '../cli/passphrase.js'
import {TcpError} from '../core/errors.js'
import {inPlaceTarget, readFileBytes, writeFileAtomic} from '../core/io.js'
import {readPrivateKeyFile} from '../core/keys/files.js'
import {signFile} from '../core/envelope/sign.js'
import {encodeEnvelope} from '../core/envelope/dsse.js'
import {loadTrust} from '../cli/trust.js'
import {noDash} from '../cli/stdio.js'

export default class Sign extends TcpCommand {
  static override summary = 'Sign a baseline or any file into a DSSE envelope, or add a signature to an envelope'
  static override description = `A tcp baseline is signed as its canonical (RFC 8785) bytes, payloadType
application/vnd.tcp.baseline+json. Any other file is wrapped in an in-toto Statement v1 whose subject digest is
its SHA3-256. Given an existing envelope, sign adds this key's signature (for threshold verification) and, unless
--out says otherwise, updates the envelope in place. The new envelope is verified before it is written.`

  static override examples = [
    '<%= config.bin %> sign baseline.json --key alice.key --out baseline.dsse.json',
    '<%= config.bin %> sign baseline.dsse.json --key bob.key --pub alice.pub   # add a second signature (alice\'s is checked first)',
    '<%= config.bin %> sign tools.tcpd --key alice.key                  # writes tools.tcpd.dsse.json',
  ]

  static override args = {file: Args.string({description: 'baseline JSON, envelope, or any file', required: true})}
  static override flags = {
    key: Flags.string({char: 'k', description: 'signing key (.key); default: "key" from the tcp configuration'}),
    out: Flags.string({char: 'o', description: 'output envelope (default FILE.dsse.json, or in the configured outDir; an envelope is updated in place)'}),
    'passphrase-file': passphraseFileFlag,
    force: forceFlag,
    pub: Flags.string({description: 'when adding a signature: a trusted key the existing signatures must verify under (repeatable)', multiple: true, exclusive: ['trust']}),
    trust: Flags.string({description: 'when adding a signature: a trust directory the existing signatures must verify under'}),
  }

  async run() {
    const {args, flags} = await this.parse(Sign)
    noDash(args.file, 'file')
    noDash(flags.out, '--out')
    const keyPath = flags.key ?? (await this.tcpConfig()).key
    if (!keyPath) throw new TcpError('usage', 'no signing key: pass --key PATH.key or set "key" in the tcp configuration')
    const key = await readPrivateKeyFile(keyPath, passphraseSource({passphraseFile: flags['passphrase-file']}))
    const bytes = await readFileBytes(args.file, {what: 'file to sign'})
    const trust = flags.pub || flags.trust ? await loadTrust(flags, async () => ({})) : undefined
    const {envelope, kind} = signFile(args.file, bytes, key, {trust})
    const inPlace = kind === 'countersignature' && !flags.out
    const outDir = flags.out || inPlace ? undefined : (await this.tcpConfig()).outDir
    const out = flags.out ?? (inPlace ? args.file : outDir ? join(outDir, `${basename(args.file)}.dsse.json`) : `${args.file}.dsse.json`)
    // In place through a symbolic link: update the file it points to, and say so (renaming over the link would
    // leave the real envelope without the new signature).
    const target = inPlace ? await inPlaceTarget(out, 'envelope') : {path: out, link: false}
    await writeFileAtomic(target.path, encodeEnvelope(envelope), {force: flags.force || inPlace, what: 'envelope'})
    this.log(`${kind === 'countersignature' ? 'added signature of' : `signed ${kind} with`} key ${key.keyId}: ${out}${target.link ? ` (a symbolic link: wrote its target ${target.path})` : ''} (${envelope.signatures.length} signature${envelope.signatures.length > 1 ? 's' : ''})`)
    // A signature is added only after the ones on the envelope verified: name the keys they verified under (docs/json.md rule 6).
    const checkedUnder = kind === 'countersignature' && trust ? {trust: trust.source} : {}
    return {kind, keyId: key.keyId, payloadType: envelope.payloadType, signatures: envelope.signatures.length, ...checkedUnder, written: {envelope: target.path}}
  }
}
