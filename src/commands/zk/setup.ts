import {Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {SIZES, parseSize} from '../../core/zk/statement.js'

export default class ZkSetup extends TcpCommand {
  static override summary = 'Groth16 setup of a proof circuit: local powers-of-tau ceremony (or your .ptau), then phase 2'
  static override description = `Compiles circuits/window_<size>.circom with circom2 --O2 into the cache (once, by circuit hash), runs a
local powers-of-tau ceremony with your entropy (or uses --ptau FILE, for example a Perpetual Powers of Tau file
prepared for phase 2), then the circuit's phase 2 with one contribution and an optional beacon. Nothing is
downloaded. Contribution hashes and SHA3-256 of every artifact are recorded in setup.json and printed; later runs
reuse the cached setup after checking those hashes. Cache: TCP_CACHE_DIR, else the oclif cache folder.`

  static override examples = [
    '<%= config.bin %> zk setup --size 8',
    '<%= config.bin %> zk setup --size 64 --entropy "$(head -c 32 /dev/urandom | base64)" --fresh',
    '<%= config.bin %> zk setup --size 8 --fresh --drop-earlier   # earlier proofs of size 8 stop verifying here',
    '<%= config.bin %> zk setup --size 256 --ptau powersOfTau28_hez_final_15.ptau',
    '<%= config.bin %> zk setup --size 8 --beacon 0123abcd... --beacon-iterations 10 --fresh --json',
    '<%= config.bin %> zk setup --size 8 --zkey after-verifier.zkey --ptau pot10.ptau',
  ]

  static override flags = {
    size: Flags.integer({description: `circuit size: observations per window (${SIZES.join(', ')})`, default: 8}),
    ptau: Flags.string({description: 'an existing .ptau file prepared for phase 2, instead of a local ceremony'}),
    entropy: Flags.string({description: 'your contribution entropy (snarkjs adds 64 bytes from the OS either way)'}),
    beacon: Flags.string({description: 'public randomness (hex) for a final beacon contribution in both phases'}),
    'beacon-iterations': Flags.integer({description: 'beacon: 2^N hash iterations, 10 to 63 (default 10)', dependsOn: ['beacon']}),
    fresh: Flags.boolean({description: 'run a new ceremony and phase 2 even if the cache holds a setup (earlier verification keys stay pinned)'}),
    'drop-earlier': Flags.boolean({description: 'when replacing a setup (--fresh or --ptau): unpin the verification keys of earlier setups (their proofs stop verifying here)'}),
    zkey: Flags.string({description: 'install this zkey (the end of a multi-party phase 2) after tcp zk verify-setup checks pass; needs --ptau', dependsOn: ['ptau'], exclusive: ['entropy', 'beacon', 'fresh']}),
    contribution: Flags.string({description: 'with --zkey: a contribution hash of yours that must be in its history; repeatable', multiple: true, dependsOn: ['zkey']}),
  }

  async run() {
    const {flags} = await this.parse(ZkSetup)
    const {setupCircuit} = await import('../../core/zk/setup.js')
    const {resolveCacheDir} = await import('../../core/zk/artifacts.js')
    const p = await this.progress(`setting up tcp-window-${flags.size}`)
    const {installSetup} = await import('../../core/zk/ceremony.js')
    const install = (zkey: string, ptau: string) =>
      installSetup({cacheDir: resolveCacheDir(this.config.cacheDir), size: parseSize(flags.size), zkey, ptau, contributions: flags.contribution, log: (line) => p.update(line)}).then((r) => r.setup)
    const s = flags.zkey ? await install(flags.zkey, flags.ptau!).finally(() => p.stop()) : await setupCircuit({
      cacheDir: resolveCacheDir(this.config.cacheDir),
      size: parseSize(flags.size),
      ptau: flags.ptau,
      entropy: flags.entropy,
      beacon: flags.beacon ? {hash: flags.beacon, iterationsExp: flags['beacon-iterations'] ?? 10} : undefined,
      fresh: flags.fresh,
      dropEarlier: flags['drop-earlier'],
      log: (line) => (p.update(line), this.note(line)),
    }).finally(() => p.stop())
    const r = s.record
    this.log(`${flags.zkey ? `checked and installed ${flags.zkey} as the` : s.reused ? 'reused' : 'created'} setup for ${r.circuit}-${r.size}: ${r.constraints} constraints, power ${r.power}, in ${s.compiled.dir}`)
    for (const c of [...r.ptau.contributions, ...r.phase2]) this.log(`  contribution ${c.name}: ${c.hash}`)
    this.log(`  verification key SHA3-256: ${r.verificationKeySha3}`)
    if (s.earlier?.length)
      this.note(`warning: this setup has a new verification key; proofs made with the ${s.earlier.length} earlier setup${s.earlier.length > 1 ? 's' : ''} still verify here because their keys stay pinned (${s.earlier.map((k) => k.sha3.slice(0, 16)).join(', ')}); tcp zk setup --fresh --drop-earlier unpins them`)
    if (s.dropped?.length) this.note(`warning: unpinned ${s.dropped.length} earlier verification key${s.dropped.length > 1 ? 's' : ''}: proofs made with those setups no longer verify here`)
    return {...r, reused: s.reused, dir: s.compiled.dir, earlierPinned: s.earlier ?? [], unpinned: s.dropped ?? [], ...(s.written ? {written: s.written} : {})}
  }
}
