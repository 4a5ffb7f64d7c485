import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {fromHex} from '../../core/bytes.js'
import {writeFileAtomic} from '../../core/io.js'
import {STATE_OPTION, TCTI_OPTION} from '../../core/attest/options.js'

export default class AttestQuote extends TcpCommand {
  static override summary = 'Quote PCRs with the attestation key over a verifier nonce and write a quote bundle'
  static override description = `The bundle (tcp.attest.quote-bundle/v1) holds the TPMS_ATTEST and TPMT_SIGNATURE exactly as tpm2_quote -m and -s
write them, the PCR values read so that they match the quote (read, quote, read again; retried when they moved), the
AK and EK public parts, the nonce and the event log. Check it anywhere with: tcp verify BUNDLE --ak ak.pem --nonce HEX.`

  static override examples = [
    '<%= config.bin %> attest quote --state ./attest --nonce $(openssl rand -hex 16) --out quote.json',
    '<%= config.bin %> attest quote --state ./attest --nonce 0011223344556677 --pcrs sha256:0,1,2,3,4,5,6,7,15 --out quote.json',
  ]

  static override flags = {
    nonce: Flags.string({description: 'the verifier\'s nonce, hex (8 to 64 bytes)', required: true}),
    pcrs: Flags.string({description: 'PCR selection, tpm2-tools syntax', default: 'sha256:0,1,2,3,4,5,6,7,15'}),
    out: Flags.string({char: 'o', description: 'bundle file to write', required: true}),
    force: Flags.boolean({description: 'overwrite an existing bundle'}),
    state: Flags.string(STATE_OPTION),
    tcti: Flags.string(TCTI_OPTION),
  }

  async run() {
    const {flags} = await this.parse(AttestQuote)
    const {quote} = await import('../../core/attest/backend/ops.js')
    const {resolveTcti} = await import('../../core/attest/backend/tpm2-tools.js')
    const tcti = resolveTcti(flags.tcti, (await this.tcpConfig()).tcti)
    const nonce = fromHex(flags.nonce, 'nonce')
    const {bundle, attempts} = await quote(flags.state, nonce, flags.pcrs, {tcti})
    await writeFileAtomic(flags.out, JSON.stringify(bundle, null, 2) + '\n', {force: flags.force, what: 'quote bundle'})
    this.log(`quoted ${bundle.pcrSelection} over nonce ${bundle.nonce} (${attempts} attempt${attempts > 1 ? 's' : ''}); wrote ${flags.out}`)
    return {pcrSelection: bundle.pcrSelection, nonce: bundle.nonce, attempts, eventLogEntries: bundle.eventLog.entries.length, written: {bundle: flags.out}}
  }
}
