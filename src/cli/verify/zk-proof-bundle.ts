/** `tcp verify PROOF.json --baseline SIGNED`: a Groth16 proof bundle written by `tcp prove`. */
import {Flags} from '@oclif/core'
import {readJsonFile} from '../../core/io.js'
import {TcpError} from '../../core/errors.js'
import {loadTrust, parseAt, trustFlags} from '../trust.js'
import {atFlag} from './dsse-envelope.js'
import {defineKind} from './kind.js'

export default defineKind({
  flags: {
    ...trustFlags,
    at: atFlag,
    baseline: Flags.string({description: 'proof bundle: the signed baseline it claims (checked with --pub/--trust)'}),
    k: Flags.string({description: 'proof bundle: the k this verifier requires (bounds are recomputed with it)', default: '3'}),
    'vkey-sha3': Flags.string({description: 'proof bundle: a pinned verification key SHA3-256 (hex); repeatable', multiple: true}),
    vkey: Flags.string({description: 'proof bundle: a pinned verification key file (verification_key.json of a trusted setup)'}),
  },
  async verify({doc, flags, config, cacheDir}) {
    if (!flags.baseline) throw new TcpError('usage', 'a proof bundle needs --baseline SIGNED (the signed baseline it claims)')
    const {verifySignedProofBundle} = await import('../../core/zk/verify.js')
    const {verificationKeySha3} = await import('../../core/zk/setup.js')
    const {resolveCacheDir} = await import('../../core/zk/artifacts.js')
    const vkeySha3 = [...(flags['vkey-sha3'] ?? [])]
    if (flags.vkey) vkeySha3.push(verificationKeySha3(await readJsonFile(flags.vkey, {what: 'verification key'})))
    const trust = await loadTrust(flags, config)
    const signed = await readJsonFile(flags.baseline, {what: 'signed baseline'})
    const report = await verifySignedProofBundle(doc, signed, {trust, threshold: flags.threshold, now: parseAt(flags.at), k: flags.k, vkeySha3, cacheDir: resolveCacheDir(cacheDir)})
    return {...report, trust: trust.source}
  },
})
