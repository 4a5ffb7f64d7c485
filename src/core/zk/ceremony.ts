/**
 * A Groth16 setup that a verifier can trust (issue 15): multi-party phase 2 and a check of a zkey against the
 * circuit tcp ships and a checked powers-of-tau file.
 *
 * Why: whoever knows the phase-2 secret delta forges proofs, and so does whoever knows the phase-1 secret tau (it
 * turns the zkey's H points into 1/delta in G1). The MPC argument: when a party contributed a secret it has
 * destroyed, and every later contribution is checked to build on it, nobody knows the final secret. So a verifier
 * contributes to phase 2 itself (`contributeZkey`, `tcp zk contribute`), keeps the contribution hash it printed,
 * and accepts a final zkey only when `verifySetup` finds that hash in its history:
 *   circuit          tcp compiles the circuit it ships (circuits/, circuit hash in artifacts.ts) into its cache;
 *   ptau             snarkjs powersoftau verify: every phase-1 contribution follows from the previous one, and the
 *                    file is prepared for phase 2 (its SHA3-256 and BLAKE2b-512, the hash that b2sum prints and the
 *                    Perpetual Powers of Tau publishes, are reported);
 *   zkey             snarkjs zkey verify (from the r1cs): the zkey was made from this r1cs and this ptau, and every
 *                    phase-2 contribution follows from the previous one;
 *   phase2-secret    at least one phase-2 contribution that is not a beacon (a beacon's secret is public);
 *   verification-key exported from the zkey, refused when delta_2 = gamma_2 or the generator (vkey.ts);
 *   contribution     every hash given by the caller (its own phase-2 contributions) is in the phase-2 history.
 * Not guaranteed: that phase 1 had an honest contributor unless you contributed to it or trust its ceremony (a
 * local ceremony run by the prover alone lets the prover forge); that a contribution you did not make was honest.
 */
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {copyFile, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {toHex} from '../bytes.js'
import {TcpError} from '../errors.js'
import {assertAbsent, writeFileAtomic} from '../io.js'
import {randomBytes} from '../crypto/random.js'
import {makeReport, requireAllPassed, type Check, type VerifyReport} from '../verify/report.js'
import {ensureCompiled, fileSha3, type CompiledCircuit} from './artifacts.js'
import {requiredPower, verificationKeySha3, type Setup, type SetupRecord} from './setup.js'
import {withCurve, type SnarkLogger, type VerificationKey} from './snark.js'
import {verificationKeyWeakness} from './vkey.js'
import {CIRCUIT_ID, SIGNAL_NAMES, type CircuitSize} from './statement.js'

export const SETUP_PIN_TYPE = 'tcp.zk.setup-pin/v1'

export interface HistoryEntry {
  /** 1-based position in the file's history. */
  index: number
  name: string
  /** snarkjs' contribution hash (phase 2) or response hash (phase 1): BLAKE2b-512, hex. */
  hash: string
  beacon?: string
}

/** What a verifier pins: one setup of one circuit (`tcp verify --setup-pin`). */
export interface SetupPin {
  type: typeof SETUP_PIN_TYPE
  circuit: {id: string; size: CircuitSize; hash: string}
  r1csSha3: string
  zkeySha3: string
  verificationKeySha3: string
  ptau: {sha3: string; blake2b512: string; contributions: HistoryEntry[]}
  phase2: HistoryEntry[]
  /** The caller's own contribution hashes found in the history. */
  ownContributions: string[]
  checked: string
}

export interface SetupCheck {
  /** The shipped circuit the zkey was checked against (compiled into the cache by this call when `created`). */
  compiled: CompiledCircuit
  report: VerifyReport
  pin?: SetupPin
  verificationKey?: VerificationKey
  seconds: {compile: number; ptau: number; zkey: number}
}

/** Collects what snarkjs logs; parses its history lines (formatHash: a title, then 4 lines of 4 hex words). */
class Transcript implements SnarkLogger {
  lines: string[] = []
  info = (m: string) => void this.lines.push(String(m))
  debug = () => {}
  warn = (m: string) => void this.lines.push(String(m))
  error = (m: string) => void this.lines.push(String(m))

  private static hex(msg: string): string | null {
    const h = msg.split('\n').slice(1).join('').replace(/\s+/g, '')
    return /^[0-9a-f]{128}$/.test(h) ? h : null
  }

  /** zkey verify: "contribution #i name:" + hash, optionally followed by "Beacon generator: hex". */
  phase2(): HistoryEntry[] {
    const out: HistoryEntry[] = []
    this.lines.forEach((m, i) => {
      const t = /^contribution #(\d+) (.*):\n/.exec(m)
      const hash = t && Transcript.hex(m)
      if (!t || !hash) return
      const b = /^Beacon generator: ([0-9a-f]+)/.exec(this.lines[i + 1] ?? '')
      out.push({index: Number(t[1]), name: t[2]!, hash, ...(b ? {beacon: b[1]} : {})})
    })
    return out.sort((a, b) => a.index - b.index)
  }

  /** powersoftau verify: "Contribution #i: name", "Next Challenge", "Response Hash:" (the contribution's), beacon. */
  phase1(): HistoryEntry[] {
    const out: HistoryEntry[] = []
    this.lines.forEach((m, i) => {
      const t = /^Contribution #(\d+): ?(.*)$/.exec(m)
      if (!t) return
      const resp = this.lines.slice(i + 1, i + 4).find((l) => l.startsWith('Response Hash:'))
      const hash = resp && Transcript.hex(resp)
      if (!hash) return
      const b = this.lines.slice(i + 1, i + 6).map((l) => /^Beacon generator: ([0-9a-f]+)/.exec(l)).find(Boolean)
      out.push({index: Number(t[1]), name: t[2]!, hash, ...(b ? {beacon: b[1]} : {})})
    })
    return out.sort((a, b) => a.index - b.index)
  }
}

async function fileBlake2b512(path: string): Promise<string> {
  const h = createHash('blake2b512')
  for await (const chunk of createReadStream(path)) h.update(chunk as Uint8Array)
  return h.digest('hex')
}

const HASH = /^[0-9a-f]{128}$/

export interface VerifySetupOptions {
  cacheDir: string
  size: CircuitSize
  zkey: string
  ptau: string
  /** Contribution hashes (hex, 128 digits) the caller made and requires in the history. */
  contributions?: string[]
  log?: (line: string) => void
}

const round2 = (x: number) => Math.round(x * 100) / 100

/** Checks a zkey against the shipped circuit and a ptau; the report has one check per step (see the header). */
export async function verifySetup(opts: VerifySetupOptions): Promise<SetupCheck> {
  const own = (opts.contributions ?? []).map((h) => h.toLowerCase().replace(/\s+/g, ''))
  for (const h of own) if (!HASH.test(h)) throw new TcpError('usage', `--contribution: expected 128 hex digits (a BLAKE2b-512 contribution hash), got "${h.slice(0, 20)}..."`)
  const checks: Check[] = []
  const t0 = performance.now()
  const compiled = await ensureCompiled(opts.cacheDir, opts.size)
  checks.push({check: 'circuit', ok: true, detail: `${CIRCUIT_ID}-${opts.size} compiled from the shipped sources: circuit ${compiled.circuitHash.slice(0, 16)}..., ${compiled.constraints} constraints`})
  const t1 = performance.now()
  const ptauSha3 = await fileSha3(opts.ptau)
  const ptauB2 = await fileBlake2b512(opts.ptau)
  const zkeySha3 = await fileSha3(opts.zkey)
  const p1 = new Transcript()
  const p2 = new Transcript()
  const failure = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0] ?? ''
  let t2 = t1
  let vk: VerificationKey | undefined
  const result = await withCurve(async (s) => {
    opts.log?.('verifying the powers of tau (snarkjs powersoftau verify)')
    const ptauOk = await s.powersOfTau.verify(opts.ptau, p1).catch((e) => (p1.error(failure(e)), false))
    t2 = performance.now()
    if (!ptauOk) return {ptauOk, zkeyOk: false}
    opts.log?.('verifying the zkey against the r1cs and the powers of tau (snarkjs zkey verify)')
    const quiet = console.log
    console.log = (...a: unknown[]) => p2.error(a.join(' ')) // zkey verify reports some failures on the console
    let zkeyOk: boolean
    try {
      zkeyOk = await s.zKey.verifyFromR1cs(compiled.r1cs, opts.ptau, opts.zkey, p2).catch((e) => (p2.error(failure(e)), false))
    } finally {
      console.log = quiet
    }
    if (zkeyOk) vk = await s.zKey.exportVerificationKey(opts.zkey)
    return {ptauOk, zkeyOk}
  })
  const t3 = performance.now()
  const lastError = (t: Transcript) => t.lines.filter((l) => !l.includes('\n')).slice(-1)[0] ?? 'no reason given'
  const ptauHistory = p1.phase1()
  const phase2 = p2.phase2()
  checks.push({check: 'ptau', ok: result.ptauOk, detail: result.ptauOk ? `${ptauHistory.length} phase-1 contribution(s) check out, prepared for phase 2; BLAKE2b-512 ${ptauB2.slice(0, 16)}...` : `snarkjs powersoftau verify refused ${basename(opts.ptau)}: ${lastError(p1)}`})
  checks.push({check: 'zkey', ok: result.zkeyOk, detail: !result.ptauOk ? 'not run: the ptau did not verify' : result.zkeyOk ? `made from this circuit's r1cs and this ptau; ${phase2.length} phase-2 contribution(s) check out` : `snarkjs zkey verify refused ${basename(opts.zkey)} for ${CIRCUIT_ID}-${opts.size}: ${lastError(p2)}`})
  const secret = phase2.filter((c) => c.beacon === undefined)
  checks.push({check: 'phase2-secret', ok: result.zkeyOk && secret.length > 0, detail: !result.zkeyOk ? 'not run: the zkey did not verify' : secret.length > 0 ? `${secret.length} contribution(s) with a secret, ${phase2.length - secret.length} beacon(s)` : phase2.length === 0 ? 'no phase-2 contribution: delta is the generator and anyone can forge proofs' : 'only beacon contributions: delta follows from public values and anyone can forge proofs'})
  const weak = vk ? verificationKeyWeakness(vk, SIGNAL_NAMES.length) : 'not exported: the zkey did not verify'
  checks.push({check: 'verification-key', ok: weak === null, detail: weak ?? `SHA3-256 ${verificationKeySha3(vk!)}`})
  const found: string[] = []
  // Phase 2 only: snarkjs zkey verify recomputes each contribution hash from the chain of public keys, while the
  // phase-1 response hashes it prints start from a hash state stored in the file.
  for (const h of own) {
    const at = phase2.find((c) => c.hash === h)
    checks.push({check: 'contribution', ok: !!at, detail: at ? `${h.slice(0, 16)}... is phase-2 contribution #${at.index} (${at.name})` : `${h.slice(0, 16)}... is not in the phase-2 history of this setup`})
    if (at) found.push(h)
  }
  const report = makeReport('zk-setup', checks, {size: opts.size, zkey: opts.zkey, ptau: opts.ptau, phase1: ptauHistory, phase2})
  const seconds = {compile: round2((t1 - t0) / 1000), ptau: round2((t2 - t1) / 1000), zkey: round2((t3 - t2) / 1000)}
  if (!report.ok || !vk) return {compiled, report, seconds}
  const pin: SetupPin = {
    type: SETUP_PIN_TYPE,
    circuit: {id: CIRCUIT_ID, size: opts.size, hash: compiled.circuitHash},
    r1csSha3: compiled.r1csSha3,
    zkeySha3,
    verificationKeySha3: verificationKeySha3(vk),
    ptau: {sha3: ptauSha3, blake2b512: ptauB2, contributions: ptauHistory},
    phase2,
    ownContributions: found,
    checked: new Date().toISOString(),
  }
  return {compiled, report, pin, verificationKey: vk, seconds}
}

export interface ContributeOptions {
  zkey: string
  out: string
  name?: string
  entropy?: string
  force?: boolean
}

export interface ContributeResult {
  out: string
  name: string
  /** Keep it: verify-setup --contribution HASH finds it in the final zkey's history. */
  contributionHash: string
  zkeySha3: string
  verificationKeySha3: string
}

/**
 * One phase-2 contribution (snarkjs zkey contribute) from `zkey` into `out`. snarkjs mixes 64 bytes of OS
 * randomness into the entropy and does not keep the secret. Does not check the input zkey's history: run
 * verifySetup on the final zkey.
 */
export async function contributeZkey(opts: ContributeOptions): Promise<ContributeResult> {
  if (!opts.force) await assertAbsent(opts.out, 'zkey')
  const name = opts.name ?? 'tcp zk contribute'
  if (Buffer.byteLength(name) > 255) throw new TcpError('usage', `--name: at most 255 bytes, got ${Buffer.byteLength(name)}`)
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${toHex(randomBytes(6))}.tmp`)
  try {
    const {hash, vk} = await withCurve(async (s) => {
      const h = await s.zKey.contribute(opts.zkey, tmp, name, opts.entropy && opts.entropy.length > 0 ? opts.entropy : toHex(randomBytes(32))).catch((e: unknown) => {
        throw new TcpError('input', `zkey ${opts.zkey}: cannot contribute (${String((e as Error).message ?? e).split('\n')[0]})`)
      })
      if (!(h instanceof Uint8Array)) throw new TcpError('input', `zkey ${opts.zkey}: snarkjs refused to contribute (not a groth16 zkey?)`)
      return {hash: toHex(h), vk: await s.zKey.exportVerificationKey(tmp)}
    })
    if (!opts.force) await assertAbsent(opts.out, 'zkey')
    await rename(tmp, opts.out)
    return {out: opts.out, name, contributionHash: hash, zkeySha3: await fileSha3(opts.out), verificationKeySha3: verificationKeySha3(vk)}
  } finally {
    await unlink(tmp).catch(() => {})
  }
}

/** Reads and checks a pin file written by `tcp zk verify-setup --out`. */
export function parseSetupPin(doc: unknown, where: string): SetupPin {
  const d = doc as SetupPin
  const hex64 = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
  if (typeof d !== 'object' || d === null || d.type !== SETUP_PIN_TYPE) throw new TcpError('input', `${where}: expected a ${SETUP_PIN_TYPE} document`)
  if (d.circuit?.id !== CIRCUIT_ID || ![8, 64, 256].includes(d.circuit?.size) || !hex64(d.circuit?.hash)) throw new TcpError('input', `${where}: circuit: expected {id: "${CIRCUIT_ID}", size, hash}`)
  if (!hex64(d.verificationKeySha3)) throw new TcpError('input', `${where}: verificationKeySha3: expected 64 hex digits`)
  return d
}

export async function writeSetupPin(path: string, pin: SetupPin, force?: boolean): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(pin, null, 2) + '\n', {force, what: 'setup pin'})
}

/**
 * Makes a checked zkey (verifySetup must pass, with the caller's own contributions when given) this machine's setup
 * of the size: copied into the cache folder with its verification key and a setup.json, replacing what was there.
 * This is how a prover takes back the zkey of a multi-party ceremony.
 */
export async function installSetup(opts: VerifySetupOptions): Promise<SetupCheck & {setup: Setup}> {
  const checked = await verifySetup(opts)
  requireAllPassed(checked.report)
  const pin = checked.pin!
  const compiled = checked.compiled // compiled by verifySetup when absent (then `created`)
  const tmp = join(compiled.dir, `.install-${toHex(randomBytes(6))}.zkey`)
  const zkey = join(compiled.dir, 'circuit.zkey')
  try {
    await copyFile(opts.zkey, tmp)
    if ((await fileSha3(tmp)) !== pin.zkeySha3) throw new TcpError('input', `zkey ${opts.zkey}: changed while it was being installed`)
    await rename(tmp, zkey)
  } finally {
    await unlink(tmp).catch(() => {})
  }
  const vkeyPath = join(compiled.dir, 'verification_key.json')
  await writeFileAtomic(vkeyPath, JSON.stringify(checked.verificationKey, null, 2) + '\n', {what: 'verification key', force: true})
  const record: SetupRecord = {
    circuit: CIRCUIT_ID,
    size: opts.size,
    circuitHash: compiled.circuitHash,
    constraints: compiled.constraints,
    power: requiredPower(compiled),
    ptau: {source: 'file', path: opts.ptau, power: requiredPower(compiled), sha3: pin.ptau.sha3, contributions: pin.ptau.contributions.map((c) => ({name: c.name, hash: c.hash}))},
    phase2: pin.phase2.map((c) => ({name: c.name, hash: c.hash})),
    zkeySha3: pin.zkeySha3,
    verificationKeySha3: pin.verificationKeySha3,
    created: new Date().toISOString(),
    seconds: {compile: compiled.compileSeconds, ptau: checked.seconds.ptau, phase2: checked.seconds.zkey},
  }
  const setupRecord = join(compiled.dir, 'setup.json')
  await writeFileAtomic(setupRecord, JSON.stringify(record, null, 2) + '\n', {what: 'setup record', force: true})
  const written = {...(compiled.created ? {circuit: compiled.dir} : {}), zkey, verificationKey: vkeyPath, setupRecord}
  return {...checked, setup: {compiled, record, zkey, vkeyPath, verificationKey: checked.verificationKey!, reused: false, written}}
}
