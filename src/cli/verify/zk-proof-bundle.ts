/** `tcp verify PROOF.json --baseline SIGNED`: a Groth16 proof bundle written by `tcp prove`. */
import {Flags} from '@oclif/core'
import {readJsonFile} from '../../core/io.js'
import {TcpError} from '../../core/errors.js'
import {parseAt, trustFlags} from '../trust.js'
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
    nonce: Flags.string({description: 'proof bundle: the nonce this verifier gave the prover (tcp prove --nonce); the proof must carry it'}),
    'min-n': Flags.integer({description: 'proof bundle: the least number of observations accepted (default 8)', min: 1}),
    log: Flags.string({description: 'proof bundle: the tcp.log/v1 log the proof must be bound to (verified under the same --pub/--trust; check log-binding)'}),
    'setup-pin': Flags.string({description: 'proof bundle: a setup pin from tcp zk verify-setup --out (key, circuit size and hash); repeatable', multiple: true}),
  },
  async verify({doc, flags, trust, cacheDir}) {
    if (!flags.baseline) throw new TcpError('usage', 'a proof bundle needs --baseline SIGNED (the signed baseline it claims)')
    const {verifySignedProofBundle} = await import('../../core/zk/verify.js')
    const {verificationKeySha3} = await import('../../core/zk/setup.js')
    const {resolveCacheDir} = await import('../../core/zk/artifacts.js')
    const vkeySha3 = [...(flags['vkey-sha3'] ?? [])]
    if (flags.vkey) vkeySha3.push(verificationKeySha3(await readJsonFile(flags.vkey, {what: 'verification key'})))
    const {parseSetupPin} = await import('../../core/zk/ceremony.js')
    const setupPins = []
    for (const f of flags['setup-pin'] ?? []) setupPins.push(parseSetupPin(await readJsonFile(f, {what: 'setup pin'}), f))
    const store = await trust()
    const signed = await readJsonFile(flags.baseline, {what: 'signed baseline'})
    return verifySignedProofBundle(doc, signed, {trust: store, threshold: flags.threshold, now: parseAt(flags.at), k: flags.k, nonce: flags.nonce, minN: flags['min-n'], vkeySha3, setupPins, log: flags.log, cacheDir: resolveCacheDir(cacheDir)})
  },
})
