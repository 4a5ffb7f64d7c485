import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {toHex} from '../../core/bytes.js'
import {readJsonFile, writeFileAtomic} from '../../core/io.js'
import {STATE_OPTION, TCTI_OPTION} from '../../core/attest/options.js'

export default class AttestActivate extends TcpCommand {
  static override summary = 'Attester side of credential activation: recover the secret of a challenge with the TPM'
  static override description = `The TPM releases the secret only if the challenge was made for its own EK and for the name of a key it holds (the
AK of the state folder). Refusal exits 1. Return the secret (hex on stdout, or --out) to the verifier, which compares
it with the one it kept.`

  static override examples = [
    '<%= config.bin %> attest activate challenge.json --state ./attest',
    '<%= config.bin %> attest activate challenge.json --state ./attest --out recovered.bin && cmp recovered.bin challenge.json.secret',
  ]

  static override args = {challenge: Args.string({description: 'challenge file (tcp attest challenge)', required: true})}

  static override flags = {
    out: Flags.string({char: 'o', description: 'write the recovered secret (raw bytes, mode 0600) here instead of printing it'}),
    force: Flags.boolean({description: 'overwrite an existing --out file'}),
    state: Flags.string(STATE_OPTION),
    tcti: Flags.string(TCTI_OPTION),
  }

  async run() {
    const {args, flags} = await this.parse(AttestActivate)
    const {activate} = await import('../../core/attest/backend/ops.js')
    const {resolveTcti} = await import('../../core/attest/backend/tpm2-tools.js')
    const tcti = resolveTcti(flags.tcti, (await this.tcpConfig()).tcti)
    const challenge = await readJsonFile(args.challenge, {what: 'challenge'})
    const secret = await activate(flags.state, challenge as never, {tcti})
    if (flags.out) await writeFileAtomic(flags.out, secret, {force: flags.force, mode: 0o600, what: 'secret file'})
    this.log(flags.out ? `the TPM released the secret; wrote ${flags.out}` : toHex(secret))
    // With --out the secret goes to the file only (mode 0600), not into the document as well.
    return flags.out ? {written: {secret: flags.out}} : {secret: toHex(secret)}
  }
}
