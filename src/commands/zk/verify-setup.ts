import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {forceFlag} from '../../cli/flags.js'
import {SIZES, parseSize} from '../../core/zk/statement.js'

export default class ZkVerifySetup extends TcpCommand {
  static override summary = 'Check a Groth16 zkey against the circuit tcp ships and a checked powers-of-tau file; write a pin'
  static override description = `Compiles the shipped circuit of the size (cached by circuit hash), runs snarkjs powersoftau verify on the ptau
and snarkjs zkey verify of the zkey against the circuit's r1cs and that ptau, then refuses a setup with no
phase-2 contribution that has a secret (none, or beacons only), a verification key with delta_2 = gamma_2 or the
G2 generator, and, for every --contribution HASH you give (the hashes tcp zk contribute printed for you), a
history that does not hold it. Exit 0 when every check passes, 1 otherwise. --out writes a setup pin (circuit
id, size and hash, verification key hash, ptau hashes, contribution history) for tcp verify --setup-pin.`

  static override examples = [
    '<%= config.bin %> zk verify-setup --size 8 --zkey final.zkey --ptau pot10.ptau --contribution <your hash> --out tcp-window-8.pin.json',
    '<%= config.bin %> zk verify-setup --size 8 --zkey final.zkey --ptau pot10.ptau --json',
  ]

  static override flags = {
    size: Flags.integer({description: `circuit size (${SIZES.join(', ')})`, required: true}),
    zkey: Flags.string({description: 'the zkey to check', required: true}),
    ptau: Flags.string({description: 'the powers-of-tau file the zkey was made from (prepared for phase 2)', required: true}),
    contribution: Flags.string({description: 'a contribution hash of yours that must be in the history; repeatable', multiple: true}),
    out: Flags.string({char: 'o', description: 'write a setup pin for tcp verify --setup-pin'}),
    force: forceFlag,
  }

  async run() {
    const {flags} = await this.parse(ZkVerifySetup)
    const {verifySetup, writeSetupPin} = await import('../../core/zk/ceremony.js')
    const {resolveCacheDir} = await import('../../core/zk/artifacts.js')
    const {requireAllPassed} = await import('../../core/verify/report.js')
    const {assertAbsent} = await import('../../core/io.js')
    if (flags.out && !flags.force) await assertAbsent(flags.out, 'setup pin')
    const p = await this.progress('verifying the setup')
    const r = await verifySetup({cacheDir: resolveCacheDir(this.config.cacheDir), size: parseSize(flags.size), zkey: flags.zkey, ptau: flags.ptau, contributions: flags.contribution, log: (l) => p.update(l)}).finally(() => p.stop())
    for (const c of r.report.checks) this.log(`${c.check} ${c.ok ? 'ok' : 'FAILED'}: ${c.detail ?? ''}`)
    requireAllPassed(r.report)
    for (const c of r.pin!.phase2) this.log(`  phase 2 #${c.index} ${c.name}${c.beacon ? ' (beacon)' : ''}: ${c.hash}`)
    this.log(`verification key SHA3-256: ${r.pin!.verificationKeySha3}`)
    if (flags.out) {
      await writeSetupPin(flags.out, r.pin!, flags.force)
      this.log(`wrote the setup pin ${flags.out}`)
    }
    if (flags.contribution === undefined) this.note('no --contribution given: the history checks out, but nothing shows that a contribution you trust is in it')
    const written = {...(r.compiled.created ? {circuit: r.compiled.dir} : {}), ...(flags.out ? {pin: flags.out} : {})}
    return {...r.report, pin: r.pin, seconds: r.seconds, ...(Object.keys(written).length ? {written} : {})}
  }
}
