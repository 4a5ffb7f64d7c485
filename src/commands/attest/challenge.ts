import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {TcpError} from '../../core/errors.js'
import {readFileBytes, writeFileAtomic} from '../../core/io.js'

export default class AttestChallenge extends TcpCommand {
  static override summary = 'Verifier side of credential activation: seal a fresh secret to an EK and an AK name (no TPM needed)'
  static override description = `Writes CHALLENGE (tcp.attest.challenge/v1) and keeps the 32-byte secret in --secret-out (mode 0600). The secret can
be recovered only by a TPM that holds both that EK and a key with that name (tcp attest activate): comparing what
comes back with the kept secret proves the AK lives in the same TPM as the EK. With --ek-cert and --ek-ca, the EK
must first be certified by a trusted CA (exit 1 otherwise). Runs tpm2_makecredential -T none.`

  static override examples = [
    '<%= config.bin %> attest challenge --ek attest/ek.pub --ak-name attest/ak.name --out challenge.json',
    '<%= config.bin %> attest challenge --ek ek.pub --ak-name 000b5f0c... --out challenge.json --secret-out secret.bin',
    '<%= config.bin %> attest challenge --ek ek.pub --ak-name ak.name --ek-cert ek-cert.der --ek-ca vendor-intermediate.pem --ek-ca vendor-root.pem --out challenge.json',
  ]

  static override flags = {
    ek: Flags.string({description: 'the EK public key (TPM2B_PUBLIC, ek.pub of tcp attest init)', required: true}),
    'ak-name': Flags.string({description: 'the AK name: hex, or the ak.name file', required: true}),
    out: Flags.string({char: 'o', description: 'challenge file to write', required: true}),
    'secret-out': Flags.string({description: 'where to keep the secret (default: OUT.secret)'}),
    'ek-cert': Flags.string({description: 'the EK certificate (DER or PEM, ek-cert.der of tcp attest init): it must certify --ek'}),
    'ek-ca': Flags.string({description: 'a trusted CA certificate for --ek-cert (PEM or DER; repeat for intermediates and root)', multiple: true}),
    force: Flags.boolean({description: 'overwrite existing files'}),
  }

  async run() {
    const {flags} = await this.parse(AttestChallenge)
    const {makeChallenge, readAkName} = await import('../../core/attest/backend/ops.js')
    if (!flags['ek-cert'] !== !flags['ek-ca']) throw new TcpError('usage', '--ek-cert and --ek-ca go together: the certificate is checked against the CAs')
    const ek = await readFileBytes(flags.ek, {what: 'EK public key'})
    const ekCert = flags['ek-cert'] ? await readFileBytes(flags['ek-cert'], {what: 'EK certificate'}) : undefined
    const cas = await Promise.all((flags['ek-ca'] ?? []).map((f) => readFileBytes(f, {what: 'CA certificate'})))
    const {challenge, secret, ekCertificate} = await makeChallenge(ek, await readAkName(flags['ak-name']), {ekCert, cas})
    const secretOut = flags['secret-out'] ?? `${flags.out}.secret`
    await writeFileAtomic(secretOut, secret, {force: flags.force, mode: 0o600, what: 'secret file'})
    await writeFileAtomic(flags.out, JSON.stringify(challenge, null, 2) + '\n', {force: flags.force, what: 'challenge'})
    if (ekCertificate) this.log(`EK certificate "${ekCertificate.subject}" chains to ${ekCertificate.chain.slice(1).join(' <- ')}`)
    this.log(`wrote ${flags.out} for AK ${challenge.akName} under EK ${challenge.ekName}; secret kept in ${secretOut}`)
    return {akName: challenge.akName, ekName: challenge.ekName, ekCertificate, written: {challenge: flags.out, secret: secretOut}}
  }
}
