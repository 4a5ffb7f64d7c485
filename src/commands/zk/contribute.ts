import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag} from '../../cli/flags.js'
import {SIZES, parseSize} from '../../core/zk/statement.js'

export default class ZkContribute extends TcpCommand {
  static override summary = 'Add your phase-2 contribution to a Groth16 zkey (multi-party setup); keep the hash it prints'
  static override description = `Reads a zkey (a file another party sent you, or with --size the cached setup of this machine), adds one
phase-2 contribution (snarkjs zkey contribute: your entropy plus 64 bytes from the OS, the secret is not kept) and
writes the new zkey to --out. The contribution hash it prints is your receipt: tcp zk verify-setup --contribution
HASH accepts a final zkey only when your contribution is in its history, and then nobody can know the key's
secret unless you kept yours. Send the new zkey on to the next contributor or back to the prover, who installs it
with tcp zk setup --zkey FILE --ptau FILE.`

  static override examples = [
    '<%= config.bin %> zk contribute --zkey prover.zkey --out verifier.zkey --name "verifier, 2026-11-27"',
    '<%= config.bin %> zk contribute --size 8 --out mine.zkey --entropy "$(head -c 32 /dev/urandom | base64)" --json',
  ]

  static override flags = {
    zkey: Flags.string({description: 'the zkey to contribute to', exactlyOne: ['zkey', 'size']}),
    size: Flags.integer({description: `contribute to this machine's cached setup of the size (${SIZES.join(', ')})`}),
    out: Flags.string({char: 'o', description: 'the new zkey', required: true}),
    name: Flags.string({description: 'a name recorded with the contribution (at most 255 bytes)'}),
    entropy: Flags.string({description: 'your entropy (snarkjs adds 64 bytes from the OS either way)'}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(ZkContribute)
    const {contributeZkey} = await import('../../core/zk/ceremony.js')
    const {resolveCacheDir} = await import('../../core/zk/artifacts.js')
    let zkey = flags.zkey
    if (zkey === undefined) {
      const {loadSetup} = await import('../../core/zk/setup.js')
      zkey = (await loadSetup(resolveCacheDir(this.config.cacheDir), parseSize(flags.size!))).zkey
    }
    const p = await this.progress('contributing')
    const r = await contributeZkey({zkey, out: flags.out, name: flags.name, entropy: flags.entropy, force: flags.force}).finally(() => p.stop())
    this.log(`wrote ${r.out} with your contribution "${r.name}"`)
    this.log(`  contribution hash (keep it; tcp zk verify-setup --contribution): ${r.contributionHash}`)
    this.log(`  verification key SHA3-256 after it: ${r.verificationKeySha3}`)
    const {out, ...rest} = r
    return {...rest, input: zkey, written: {zkey: out}}
  }
}
