/**
 * Groth16 setup without downloads (snarkjs 0.7.6): phase 1 is either a local powers-of-tau ceremony on BN254 (new
 * accumulator, one contribution with the user's entropy, optional beacon, prepare phase 2) or a .ptau file the user
 * brings (for example a Perpetual Powers of Tau file); phase 2 is the circuit's zkey with one contribution and an
 * optional beacon. Every contribution hash is returned and recorded in setup.json next to the zkey.
 *
 * What it does NOT guarantee: a local ceremony with one contributor is only as trustworthy as that contributor
 * (whoever ran it could forge proofs if they kept the toxic waste; snarkjs discards it in memory). Verifiers
 * should pin the verification key hash of a setup they trust (tcp verify --vkey-sha3 / --vkey).
 */
import {mkdir, readFile, rename, unlink} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {join} from 'node:path'
import {toHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {readJsonFile, writeFileAtomic} from '../io.js'
import {sha3_256} from '../crypto/hash.js'
import {randomBytes} from '../crypto/random.js'
import {canonicalBytes} from '../canonical/jcs.js'
import {dropEarlier, earlierKeys, earlierKeysFile, keepEarlier, type EarlierKey} from './pins.js'
import {checkFileSha3, circuitDir, circuitHash, ensureCompiled, fileSha3, zkCacheRoot, type CompiledCircuit} from './artifacts.js'
import {withCurve, type VerificationKey} from './snark.js'
import {CIRCUIT_ID, type CircuitSize} from './statement.js'

export interface Contribution {
  name: string
  /** snarkjs contribution hash (BLAKE2b-512), hex. */
  hash: string
}

export interface PtauRecord {
  source: 'local' | 'file'
  path: string
  power: number
  sha3: string
  contributions: Contribution[]
  seconds?: number
}

export interface SetupRecord {
  circuit: string
  size: CircuitSize
  circuitHash: string
  constraints: number
  power: number
  ptau: PtauRecord
  phase2: Contribution[]
  zkeySha3: string
  verificationKeySha3: string
  created: string
  seconds: {compile: number; ptau: number; phase2: number}
}

/** The files a setup run wrote, by role (`tcp zk setup --json`'s `written`). */
export interface SetupWritten {
  /** The circuit's cache folder, when this run compiled the circuit into it. */
  circuit?: string
  /** The local powers-of-tau ceremony and its record, when this run made them. */
  ptau?: string
  ptauRecord?: string
  zkey: string
  verificationKey: string
  setupRecord: string
  /** earlier-vkeys.json (pins.ts), when this run changed the list of earlier keys. */
  earlierKeys?: string
}

export interface Setup {
  /** Verification keys of earlier setups still pinned / unpinned by this run (fresh setups only). */
  earlier?: EarlierKey[]
  dropped?: EarlierKey[]
  compiled: CompiledCircuit
  record: SetupRecord
  zkey: string
  vkeyPath: string
  verificationKey: VerificationKey
  reused: boolean
  /** What this run wrote; absent when it reused the cached setup. */
  written?: SetupWritten
}

export interface Beacon {
  /** Public randomness, hex (for example a future block hash). */
  hash: string
  /** 2^iterationsExp hash iterations (10 to 63). */
  iterationsExp: number
}

export interface SetupOptions {
  cacheDir: string
  size: CircuitSize
  /** An existing .ptau file (prepared for phase 2) instead of a local ceremony. */
  ptau?: string
  /** Contributor entropy; snarkjs mixes in 64 bytes from the OS either way. */
  entropy?: string
  beacon?: Beacon
  /** Redo phase 2 (and the local ceremony) even when the cache holds one. */
  fresh?: boolean
  /** When a setup is replaced (fresh or ptau): unpin the verification keys of earlier setups instead of keeping them (pins.ts). */
  dropEarlier?: boolean
  log?: (line: string) => void
}

/** SHA3-256 of the verification key's RFC 8785 bytes: the value verifiers pin. */
export function verificationKeySha3(vk: unknown): string {
  return toHex(sha3_256(canonicalBytes(vk)))
}

/** The ceremony power snarkjs requires for the circuit (zkey_new: log2(constraints + public + outputs) + 1). */
export function requiredPower(c: Pick<CompiledCircuit, 'constraints' | 'publicInputs' | 'outputs'>): number {
  return Math.floor(Math.log2(c.constraints + c.publicInputs + c.outputs)) + 1
}

function checkBeacon(b: Beacon | undefined): void {
  if (!b) return
  if (!/^(?:[0-9a-fA-F]{2}){1,255}$/.test(b.hash)) throw new TcpError('usage', `beacon: expected 1 to 255 bytes of hex, got "${b.hash}"`)
  if (!Number.isSafeInteger(b.iterationsExp) || b.iterationsExp < 10 || b.iterationsExp > 63)
    throw new TcpError('usage', `beacon iterations: expected an exponent from 10 to 63, got ${b.iterationsExp}`)
}

const entropyOf = (e?: string): string => (e && e.length > 0 ? e : toHex(randomBytes(32)))

/** The local ceremony of the power, from the cache or made now (`created`: the ptau and its record were written). */
async function localCeremony(opts: SetupOptions, power: number): Promise<{record: PtauRecord; recordPath: string; created: boolean}> {
  const dir = join(zkCacheRoot(opts.cacheDir), 'ptau')
  const final = join(dir, `local-${power}${opts.beacon ? '-beacon' : ''}.ptau`)
  const recordPath = final + '.json'
  if (!opts.fresh) {
    const rec = (await readJsonFile(recordPath, {what: 'ceremony record'}).catch(() => null)) as PtauRecord | null
    if (rec) {
      await checkFileSha3(final, rec.sha3, 'powers of tau')
      opts.log?.(`reusing the local powers-of-tau ceremony (power ${power}) from the cache`)
      return {record: rec, recordPath, created: false}
    }
  }
  await mkdir(dir, {recursive: true})
  const t0 = performance.now()
  const tmp = (s: string) => join(dir, `.${power}-${process.pid}-${s}.ptau`)
  const contributions: Contribution[] = []
  try {
    await withCurve(async (s) => {
      const curve = await s.curves.getCurveFromName('bn128')
      opts.log?.(`powers of tau: new accumulator, power ${power}`)
      await s.powersOfTau.newAccumulator(curve, power, tmp('0'))
      const h = await s.powersOfTau.contribute(tmp('0'), tmp('1'), 'tcp local contribution', entropyOf(opts.entropy))
      contributions.push({name: 'tcp local contribution', hash: toHex(h)})
      let last = tmp('1')
      if (opts.beacon) {
        const b = await s.powersOfTau.beacon(last, tmp('2'), 'tcp beacon', opts.beacon.hash, opts.beacon.iterationsExp)
        if (b === false) throw new TcpError('usage', 'beacon: snarkjs refused the beacon parameters')
        contributions.push({name: 'tcp beacon', hash: toHex(b)})
        last = tmp('2')
      }
      opts.log?.('powers of tau: preparing phase 2')
      await s.powersOfTau.preparePhase2(last, tmp('final'))
    })
    await rename(tmp('final'), final)
    const rec: PtauRecord = {source: 'local', path: final, power, sha3: await fileSha3(final), contributions, seconds: round2((performance.now() - t0) / 1000)}
    await writeFileAtomic(recordPath, JSON.stringify(rec, null, 2) + '\n', {what: 'ceremony record', force: true})
    return {record: rec, recordPath, created: true}
  } finally {
    for (const s of ['0', '1', '2', 'final']) await unlink(tmp(s)).catch(() => {})
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100

/** Runs (or reuses) the whole setup for one circuit size. */
export async function setupCircuit(opts: SetupOptions): Promise<Setup> {
  checkBeacon(opts.beacon)
  const compiled = await ensureCompiled(opts.cacheDir, opts.size)
  if (!opts.fresh && !opts.ptau) {
    const existing = await loadSetup(opts.cacheDir, opts.size).catch((e) => {
      if (e instanceof TcpError && e.code === 'not_found') return null
      throw e
    })
    if (existing && (opts.entropy !== undefined || opts.beacon))
      throw new TcpError('usage', `a setup for ${CIRCUIT_ID}-${opts.size} is cached and would be reused without your ${opts.beacon ? '--beacon' : '--entropy'}: add --fresh for a new one`)
    if (existing) return existing
  }
  // The setup about to be replaced: its verification key stays pinned (or, asked, every earlier one is dropped),
  // recorded before anything is overwritten.
  const replaced = await readJsonFile(join(compiled.dir, 'setup.json'), {what: 'setup record'}).catch(() => null) as SetupRecord | null
  let earlier: EarlierKey[] = []
  let dropped: EarlierKey[] = []
  const written: Partial<SetupWritten> = compiled.created ? {circuit: compiled.dir} : {}
  if (opts.dropEarlier) {
    dropped = await dropEarlier(compiled.dir)
    if (dropped.length) written.earlierKeys = earlierKeysFile(compiled.dir)
    if (replaced && typeof replaced.verificationKeySha3 === 'string') dropped.push({sha3: replaced.verificationKeySha3, created: replaced.created, replaced: new Date().toISOString()})
  } else if (replaced && typeof replaced.verificationKeySha3 === 'string') {
    earlier = await keepEarlier(compiled.dir, {sha3: replaced.verificationKeySha3, created: replaced.created})
    written.earlierKeys = earlierKeysFile(compiled.dir)
  }
  const power = requiredPower(compiled)
  const t0 = performance.now()
  let ptau: PtauRecord
  if (opts.ptau) {
    ptau = {source: 'file', path: opts.ptau, power, sha3: await fileSha3(opts.ptau), contributions: []}
  } else {
    const local = await localCeremony(opts, power)
    ptau = local.record
    if (local.created) Object.assign(written, {ptau: ptau.path, ptauRecord: local.recordPath})
  }
  const ptauSeconds = opts.ptau ? 0 : (ptau.seconds ?? round2((performance.now() - t0) / 1000))
  const t1 = performance.now()
  const z0 = join(compiled.dir, '.circuit-0.zkey')
  const z1 = join(compiled.dir, '.circuit-1.zkey')
  const z2 = join(compiled.dir, '.circuit-2.zkey')
  const zkey = join(compiled.dir, 'circuit.zkey')
  const vkeyPath = join(compiled.dir, 'verification_key.json')
  const phase2: Contribution[] = []
  let verificationKey: VerificationKey
  try {
    verificationKey = await withCurve(async (s) => {
      opts.log?.(`phase 2: new zkey for ${CIRCUIT_ID}-${opts.size} (${compiled.constraints} constraints, power ${power})`)
      const r = await s.zKey.newZKey(compiled.r1cs, ptau.path, z0).catch((e: unknown) => {
        throw new TcpError('input', `powers of tau ${ptau.path}: not a usable .ptau file (${String((e as Error).message ?? e).split('\n')[0]})`)
      })
      if (r === -1 || r === undefined)
        throw new TcpError('input', `powers of tau ${ptau.path}: not usable for ${compiled.constraints} constraints (needs power >= ${power}, prepared for phase 2, curve bn128)`)
      const h = await s.zKey.contribute(z0, z1, 'tcp phase 2 contribution', entropyOf(opts.entropy))
      phase2.push({name: 'tcp phase 2 contribution', hash: toHex(h)})
      let last = z1
      if (opts.beacon) {
        const b = await s.zKey.beacon(z1, z2, 'tcp phase 2 beacon', opts.beacon.hash, opts.beacon.iterationsExp)
        if (b === false) throw new TcpError('usage', 'beacon: snarkjs refused the beacon parameters')
        phase2.push({name: 'tcp phase 2 beacon', hash: toHex(b)})
        last = z2
      }
      await rename(last, zkey)
      return s.zKey.exportVerificationKey(zkey)
    })
  } finally {
    for (const f of [z0, z1, z2]) await unlink(f).catch(() => {})
  }
  await writeFileAtomic(vkeyPath, JSON.stringify(verificationKey, null, 2) + '\n', {what: 'verification key', force: true})
  const record: SetupRecord = {
    circuit: CIRCUIT_ID,
    size: opts.size,
    circuitHash: compiled.circuitHash,
    constraints: compiled.constraints,
    power,
    ptau,
    phase2,
    zkeySha3: await fileSha3(zkey),
    verificationKeySha3: verificationKeySha3(verificationKey),
    created: new Date().toISOString(),
    seconds: {compile: compiled.compileSeconds, ptau: ptauSeconds, phase2: round2((performance.now() - t1) / 1000)},
  }
  const setupRecord = join(compiled.dir, 'setup.json')
  await writeFileAtomic(setupRecord, JSON.stringify(record, null, 2) + '\n', {what: 'setup record', force: true})
  return {compiled, record, zkey, vkeyPath, verificationKey, reused: false, earlier, dropped, written: {...written, zkey, verificationKey: vkeyPath, setupRecord}}
}

/** The cached setup of a size, every file checked against its recorded hash; TcpError('not_found') when absent. */
export async function loadSetup(cacheDir: string, size: CircuitSize): Promise<Setup> {
  const recordPath = join(circuitDir(cacheDir, size, await circuitHash(size)), 'setup.json')
  const record = (await readJsonFile(recordPath, {what: 'setup record'}).catch((e) => {
    if (e instanceof TcpError && e.code === 'not_found')
      throw new TcpError('not_found', `no Groth16 setup for ${CIRCUIT_ID}-${size} in ${cacheDir}: run tcp zk setup --size ${size}`)
    throw e
  })) as SetupRecord
  const compiled = await ensureCompiled(cacheDir, size)
  if (record.circuitHash !== compiled.circuitHash) throw new TcpError('input', `setup record ${recordPath}: made for another circuit hash`)
  const zkey = join(compiled.dir, 'circuit.zkey')
  const vkeyPath = join(compiled.dir, 'verification_key.json')
  await checkFileSha3(zkey, record.zkeySha3, 'proving key')
  const verificationKey = (await readJsonFile(vkeyPath, {what: 'verification key'})) as VerificationKey
  if (verificationKeySha3(verificationKey) !== record.verificationKeySha3)
    throw new TcpError('input', `verification key ${vkeyPath}: its SHA3-256 does not match setup.json`)
  return {compiled, record, zkey, vkeyPath, verificationKey, reused: true}
}

/** Solidity verifier from the cached setup (snarkjs' groth16 template). */
export async function exportSolidityVerifier(setup: Setup): Promise<string> {
  // snarkjs exports only its entry point: find the template from the package root (build/main.cjs, two up).
  const root = dirname(dirname(createRequire(import.meta.url).resolve('snarkjs')))
  const template = await readFile(join(root, 'templates', 'verifier_groth16.sol.ejs'), 'utf8').catch(() => {
    throw new TcpError('dependency', 'snarkjs/templates/verifier_groth16.sol.ejs not found in node_modules')
  })
  return withCurve((s) => s.zKey.exportSolidityVerifier(setup.zkey, {groth16: template}))
}

/**
 * The verification key hash recorded by this machine's setup of a size, then those of the earlier setups that
 * `zk setup --fresh` replaced and kept pinned (pins.ts), without compiling anything; [] when there is no setup.
 * The current key file is checked against the record.
 */
export async function cachedVerificationKeySha3(cacheDir: string, size: CircuitSize): Promise<string[]> {
  const dir = circuitDir(cacheDir, size, await circuitHash(size))
  const record = (await readJsonFile(join(dir, 'setup.json'), {what: 'setup record'}).catch(() => null)) as SetupRecord | null
  if (!record) return []
  const vk = await readJsonFile(join(dir, 'verification_key.json'), {what: 'verification key'})
  if (verificationKeySha3(vk) !== record.verificationKeySha3) throw new TcpError('input', `verification key in ${dir}: its SHA3-256 does not match setup.json`)
  return [record.verificationKeySha3, ...(await earlierKeys(dir)).map((k) => k.sha3).filter((h) => h !== record.verificationKeySha3)]
}
