import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {STATE_OPTION, TCTI_OPTION} from '../../core/attest/options.js'

export default class AttestInit extends TcpCommand {
  static override summary = 'Create (or reuse) the endorsement key and a persisted attestation key in the TPM'
  static override description = `Creates the EK (TCG template) and an AK under it: ECC P-256 with ECDSA-SHA256 by default, RSA 2048 with
RSASSA or RSA-PSS on request. Both are persisted (the EK at its TCG handle, the AK at 0x81010020) so that no
transient slot stays in use. Writes to the state folder: ak.pem (the key a verifier trusts), ak.pub and ek.pub
(TPM2B_PUBLIC), ak.name, ek.name, ek-cert.der when the TPM holds an EK certificate, state.json and an empty
event log. Running it again reuses what exists.`

  static override examples = [
    '<%= config.bin %> attest init --state ./attest',
    '<%= config.bin %> attest init --state ./attest --ak-alg rsa --tcti swtpm:host=127.0.0.1,port=2321',
  ]

  static override flags = {
    state: Flags.string(STATE_OPTION),
    tcti: Flags.string(TCTI_OPTION),
    'ak-alg': Flags.string({description: 'attestation key type (default: the existing AK, else ecc)', options: ['ecc', 'rsa', 'rsapss']}),
    'ek-alg': Flags.string({description: 'endorsement key type (default: the existing EK, else rsa)', options: ['rsa', 'ecc']}),
  }

  async run() {
    const {flags} = await this.parse(AttestInit)
    const {init} = await import('../../core/attest/backend/ops.js')
    const {resolveTcti} = await import('../../core/attest/backend/tpm2-tools.js')
    const tcti = resolveTcti(flags.tcti, (await this.tcpConfig()).tcti)
    const r = await init(flags.state, {tcti, akAlg: flags['ak-alg'] as 'ecc' | 'rsa' | 'rsapss' | undefined, ekAlg: flags['ek-alg'] as 'rsa' | 'ecc' | undefined})
    this.log(`${r.createdEk ? 'created' : 'reused'} EK (${r.ekAlg}) at ${r.ekHandle}; ${r.createdAk ? 'created' : 'reused'} AK (${r.akAlg}) at ${r.akHandle}`)
    this.log(`AK name ${r.akName}; public key ${r.stateDir}/ak.pem; EK certificate: ${r.ekCertificate ?? 'none in this TPM'}`)
    const {ekCertificate: _, ...result} = r // its path is written.ekCert
    return {...result, tcti}
  }
}
