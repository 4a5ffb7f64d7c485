import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag} from '../../cli/flags.js'
import {writeFileAtomic} from '../../core/io.js'
import {SIZES, parseSize} from '../../core/zk/statement.js'

export default class ZkExportVerifier extends TcpCommand {
  static override summary = 'Write the Solidity Groth16 verifier of a cached setup (for on-chain verification)'
  static override description = `Uses the setup made by tcp zk setup for the size (checked against its recorded hashes) and snarkjs' Groth16
template. The contract checks the proof only: the caller must still recompute the public signals from the signed
baseline, as tcp verify does.`

  static override examples = ['<%= config.bin %> zk export-verifier --size 8 --out BaselineWindowVerifier8.sol']

  static override flags = {
    size: Flags.integer({description: `circuit size (${SIZES.join(', ')})`, default: 8}),
    out: Flags.string({char: 'o', description: 'output Solidity file', required: true}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(ZkExportVerifier)
    const {loadSetup, exportSolidityVerifier} = await import('../../core/zk/setup.js')
    const {resolveCacheDir} = await import('../../core/zk/artifacts.js')
    const setup = await loadSetup(resolveCacheDir(this.config.cacheDir), parseSize(flags.size))
    const sol = await exportSolidityVerifier(setup)
    await writeFileAtomic(flags.out, sol, {force: flags.force, what: 'Solidity verifier'})
    this.log(`wrote the Groth16 verifier of tcp-window-${flags.size} to ${flags.out} (verification key SHA3-256 ${setup.record.verificationKeySha3})`)
    return {size: flags.size, bytes: Buffer.byteLength(sol), verificationKeySha3: setup.record.verificationKeySha3, written: {verifier: flags.out}}
  }
}
