/** `tcp verify QUOTE.json --ak AK --nonce HEX`: a TPM 2.0 quote bundle written by `tcp attest quote`. */
import {Flags} from '@oclif/core'
import {readFileBytes, readJsonFile} from '../../core/io.js'
import {TcpError} from '../../core/errors.js'
import {defineKind} from './kind.js'

export default defineKind({
  flags: {
    ak: Flags.string({description: 'TPM quote: the trusted attestation key (ak.pem, or ak.pub as TPM2B_PUBLIC)'}),
    nonce: Flags.string({description: 'TPM quote: the nonce (hex) this verifier issued; extraData must equal it'}),
    policy: Flags.string({description: 'TPM quote: golden PCR values (tcp.attest.policy/v1) the quoted PCRs must have'}),
    pcrs: Flags.string({description: "TPM quote: the PCR selection this verifier asked for, e.g. sha256:0,1,2,3,4,5,6,7,15 (default: the bundle's own)"}),
  },
  async verify({doc, flags}) {
    if (!flags.ak || !flags.nonce) throw new TcpError('usage', 'a TPM quote bundle needs --ak AK.pem and --nonce HEX')
    const {verifyQuoteBundle} = await import('../../core/attest/verify/quote.js')
    const {fromHex} = await import('../../core/bytes.js')
    const ak = await readFileBytes(flags.ak, {what: 'attestation key'})
    const policy = flags.policy ? await readJsonFile(flags.policy, {what: 'policy'}) : undefined
    return {...verifyQuoteBundle(doc, {ak, nonce: fromHex(flags.nonce, 'nonce'), policy, pcrs: flags.pcrs}), trust: `--ak ${flags.ak}`}
  },
})
