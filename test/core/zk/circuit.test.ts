// The N = 8 circuit against TypeScript references: the Poseidon commitment (src/core/zk/commitment.ts over
// src/core/zk/poseidon.ts, itself checked here against circomlib's published vectors), the public inputs of statement.ts, and the exact rule of tcp baseline check
// (judgeWindow): a window passes the circuit exactly when the check passes. Inputs that must fail: a value over
// the bit width, sums and variance out of bounds, bad padding. A witness altered after generation fails the R1CS.
// Compiles the circuit once into a temporary cache (a few seconds); no trusted setup is needed here.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {cpSync, mkdtempSync, rmSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {Rng} from '../../../src/core/rng.js'
import {judgeWindow, parseK, toFixed} from '../../../src/core/baseline/bounds.js'
import {createBaseline, baselineDigest} from '../../../src/core/baseline/baseline.js'
import type {ObservationSet} from '../../../src/core/baseline/observations.js'
import {ensureCompiled, type CompiledCircuit} from '../../../src/core/zk/artifacts.js'
import {snarkjs, releaseCurve} from '../../../src/core/zk/snark.js'
import {BN254_R, digestToField, fixedWindow, publicInputs, witnessInput, sizeFor, parseSize, type WitnessInput} from '../../../src/core/zk/statement.js'
import {poseidon as poseidonRef} from '../../../src/core/zk/poseidon.js'
import {windowCommitment} from '../../../src/core/zk/commitment.js'

/** The commitment of the test inputs of base(): feature index 1, digest 42. */
const commitmentRef = (x: bigint[], n: number, salt: bigint, size: 8 | 64 | 256 = 8, featureIndex = 1, digest = 42n) =>
  windowCommitment({size, values: x.slice(0, n), featureIndex, baselineDigest: digest, salt})

const cacheDir = mkdtempSync(join(tmpdir(), 'tcp-zk-circuit-'))
let circuit: CompiledCircuit

type Mem = {type: 'mem'; data?: Uint8Array}

/** Witness of an input, or the thrown error's message (circom's generated code asserts every constraint). */
async function witness(input: object): Promise<{w: bigint[]; mem: Mem} | {error: string}> {
  const mem: Mem = {type: 'mem'}
  const s = await snarkjs()
  const saved = console.error
  console.error = () => {} // the witness generator prints every failed assert
  try {
    await s.wtns.calculate(input, circuit.wasm, mem)
  } catch (e) {
    return {error: String((e as Error).message)}
  } finally {
    console.error = saved
  }
  return {w: await s.wtns.exportJson(mem), mem}
}

async function accepts(input: object): Promise<bigint[]> {
  const r = await witness(input)
  if ('error' in r) assert.fail(`expected the circuit to accept, got: ${r.error.split('\n')[0]}`)
  return r.w
}

async function rejects(input: object, why: string): Promise<void> {
  const r = await witness(input)
  assert.ok('error' in r, `expected the circuit to reject ${why}`)
  assert.match(r.error, /Assert Failed/, why)
}

const base = (x: number[], n: number, over: Partial<Record<keyof WitnessInput, string | string[]>> = {}): WitnessInput => ({
  x: x.map(String),
  active: x.map((_, i) => (i < n ? '1' : '0')),
  salt: '987654321',
  baselineDigest: '42',
  featureIndex: '1',
  n: String(n),
  sumLower: '0',
  sumUpper: String(2n ** 40n),
  vmax: String(2n ** 72n),
  valueLimit: String(2n ** 32n),
  nonce: '5',
  ...over,
})

/** Replaces wire `index` of a wtns file (section 2: the witness, 32-byte little-endian field elements). */
function alterWire(mem: Mem, index: number, value: bigint): Mem {
  const data = new Uint8Array(mem.data!)
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let off = 12 // "wtns", version, number of sections
  for (;;) {
    const type = dv.getUint32(off, true)
    const size = Number(dv.getBigUint64(off + 4, true))
    if (type === 2) {
      let v = value
      for (let b = 0; b < 32; b++, v >>= 8n) data[off + 12 + index * 32 + b] = Number(v & 0xffn)
      return {type: 'mem', data}
    }
    off += 12 + size
  }
}

describe('zk circuits (N = 8, and N = 256 for the chained commitment) against the TypeScript references', () => {
  before(async () => {
    circuit = await ensureCompiled(cacheDir, 8)
  })
  after(async () => {
    await releaseCurve()
    rmSync(cacheDir, {recursive: true, force: true})
  })

  it('the BN254 modulus is the one of snarkjs; the Poseidon reference reproduces circomlib\'s published vectors', async () => {
    const curve = (await (await snarkjs()).curves.getCurveFromName('bn128')) as {r: bigint}
    assert.equal(BigInt(curve.r), BN254_R)
    await releaseCurve()
    assert.equal(poseidonRef([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n)
    assert.equal(poseidonRef([3n, 4n]), 14763215145315200506921711489642608356394854266165572616578112107564877678998n)
    assert.equal(poseidonRef([1n, 2n, 0n, 0n, 0n]), 1018317224307729531995786483840663576608797660851238720571059489595066344487n)
    assert.equal(poseidonRef([3n, 4n, 5n, 10n, 23n]), 13034429309846638789535561449942021891039729847501137143363028890275222221409n)
  })

  it('compiles once with --O2 into the cache, keyed by circuit hash, and finds a corrupted artifact', async () => {
    assert.equal(circuit.constraints, 931)
    assert.equal(circuit.publicInputs, 8)
    assert.equal(circuit.outputs, 1)
    assert.deepEqual(circuit.flags, ['--r1cs', '--wasm', '--O2'])
    const again = await ensureCompiled(cacheDir, 8)
    assert.equal(again.r1csSha3, circuit.r1csSha3)
    const copy = mkdtempSync(join(tmpdir(), 'tcp-zk-corrupt-'))
    try {
      // A copy of the compiled folder at the same place under another cache root, then one flipped bit.
      cpSync(circuit.dir, join(copy, relative(cacheDir, circuit.dir)), {recursive: true})
      const c = await ensureCompiled(copy, 8)
      assert.equal(c.wasmSha3, circuit.wasmSha3)
      const bytes = readFileSync(c.wasm)
      bytes[bytes.length - 1]! ^= 1
      writeFileSync(c.wasm, bytes)
      await assert.rejects(ensureCompiled(copy, 8), (e: any) => e.code === 'input' && /does not match the recorded/.test(e.message))
    } finally {
      rmSync(copy, {recursive: true, force: true})
    }
  })

  it('commitment and public signals equal the references for random windows of every length', async () => {
    const rng = new Rng(2024)
    for (let n = 1; n <= 8; n++) {
      const x = Array.from({length: 8}, (_, i) => (i < n ? rng.u32() : 0))
      const salt = BigInt(rng.u32()) * 2n ** 200n + BigInt(rng.u32())
      const w = await accepts(base(x, n, {salt: salt.toString()}))
      assert.equal(w[1], commitmentRef(x.map(BigInt), n, salt), `commitment, n = ${n}`)
      assert.deepEqual(w.slice(2, 10).map(String), ['42', '1', String(n), '0', String(2n ** 40n), String(2n ** 72n), String(2n ** 32n), '5'])
    }
    // Same window, another salt: another commitment (the salt hides the window).
    const a = await accepts(base([1, 2, 3, 0, 0, 0, 0, 0], 3, {salt: '1'}))
    const b = await accepts(base([1, 2, 3, 0, 0, 0, 0, 0], 3, {salt: '2'}))
    assert.notEqual(a[1], b[1])
  })

  it('the commitment binds n, the feature, the size and the baseline: windows that differ only there commit differently', async () => {
    // 7 values with n = 7, and the same 7 values plus one observation at the offset (fixed-point 0) with n = 8.
    const x = [11, 12, 13, 14, 15, 16, 17, 0]
    const seven = await accepts(base(x, 7))
    const eight = await accepts(base(x, 8))
    assert.notEqual(seven[1], eight[1])
    assert.equal(seven[1], commitmentRef(x.map(BigInt), 7, 987654321n))
    assert.equal(eight[1], commitmentRef(x.map(BigInt), 8, 987654321n))
    const otherFeature = await accepts(base(x, 7, {featureIndex: '2'}))
    const otherBaseline = await accepts(base(x, 7, {baselineDigest: '43'}))
    assert.equal(new Set([seven[1], otherFeature[1], otherBaseline[1]]).size, 3)
    assert.equal(otherFeature[1], commitmentRef(x.map(BigInt), 7, 987654321n, 8, 2))
    // The nonce is not in the commitment (a log checkpoint can recompute it without knowing the verifier's nonce).
    assert.equal((await accepts(base(x, 7, {nonce: '6'})))[1], seven[1])
    // The same values under another circuit size (the reference; the circuit of size 256 is compared below).
    assert.notEqual(commitmentRef(x.map(BigInt), 7, 987654321n, 64), seven[1])
  })

  it('bit width: 2^32 - 1 passes, 2^32 fails; with a 16-bit baseline 65535 passes and 65536 fails; the limit must be a power of two', async () => {
    await accepts(base([2 ** 32 - 1, 0, 0, 0, 0, 0, 0, 0], 1))
    await rejects(base([2 ** 32, 0, 0, 0, 0, 0, 0, 0], 1), 'a value of 2^32')
    await rejects(base([0, 0, 0, 0, 0, 0, 0, 0], 1, {x: [String(BN254_R - 1n), '0', '0', '0', '0', '0', '0', '0'], sumLower: '0', sumUpper: String(2n ** 40n)}), 'a negative value (p - 1)')
    await accepts(base([65535, 7, 0, 0, 0, 0, 0, 0], 2, {valueLimit: String(2 ** 16)}))
    await rejects(base([65536, 7, 0, 0, 0, 0, 0, 0], 2, {valueLimit: String(2 ** 16)}), 'a value over a 16-bit width')
    await rejects(base([5, 7, 0, 0, 0, 0, 0, 0], 2, {valueLimit: '3'}), 'a limit that is not a power of two')
    await rejects(base([5, 7, 0, 0, 0, 0, 0, 0], 2, {valueLimit: String(2n ** 33n)}), 'a limit over 2^32')
  })

  it('mean bounds are inclusive and exact: sum = bound passes, one past it fails', async () => {
    const x = [10, 20, 30, 0, 0, 0, 0, 0] // sum 60
    await accepts(base(x, 3, {sumLower: '60', sumUpper: '60'}))
    await rejects(base(x, 3, {sumLower: '61', sumUpper: '100'}), 'a sum below the lower bound')
    await rejects(base(x, 3, {sumLower: '0', sumUpper: '59'}), 'a sum above the upper bound')
  })

  it('variance bound is exact: n*sum(x^2) - sum(x)^2 = n^2*vmax passes, one less vmax fails', async () => {
    // x = [0, 2]: n = 2, S = 2, Q = 4, nQ - S^2 = 4 = n^2 * 1
    await accepts(base([0, 2, 0, 0, 0, 0, 0, 0], 2, {vmax: '1'}))
    await rejects(base([0, 2, 0, 0, 0, 0, 0, 0], 2, {vmax: '0'}), 'a variance over the bound')
    await accepts(base([7, 7, 7, 7, 0, 0, 0, 0], 4, {vmax: '0'})) // constant window: zero spread
  })

  it('padding cannot move the statistics: non-zero padding, gaps, a wrong n, n = 0 and non-boolean flags all fail', async () => {
    await rejects(base([1, 2, 3, 9, 0, 0, 0, 0], 3), 'a non-zero value in the padding')
    await rejects(base([1, 2, 3, 0, 0, 0, 0, 0], 3, {active: ['1', '0', '1', '0', '0', '0', '0', '0'], n: '2'}), 'a gap in the active flags')
    await rejects(base([1, 2, 3, 0, 0, 0, 0, 0], 3, {n: '4'}), 'n larger than the active count')
    await rejects(base([1, 2, 3, 0, 0, 0, 0, 0], 3, {n: '2'}), 'n smaller than the active count')
    await rejects(base([0, 0, 0, 0, 0, 0, 0, 0], 0), 'an empty window')
    await rejects(base([1, 0, 0, 0, 0, 0, 0, 0], 1, {active: ['1', '2', '0', '0', '0', '0', '0', '0'], n: '3'}), 'an active flag of 2')
  })

  it('a witness altered after generation does not satisfy the R1CS (the constraints, not only the generator, reject)', async () => {
    const r = await witness(base([10, 20, 30, 0, 0, 0, 0, 0], 3, {sumLower: '50', sumUpper: '70'}))
    assert.ok(!('error' in r))
    const s = await snarkjs()
    const quiet = {info() {}, debug() {}, warn() {}, error() {}}
    const check = (m: Mem) => s.wtns.check(circuit.r1cs, m, quiet)
    assert.equal(await check(r.mem), true)
    assert.equal(await check(alterWire(r.mem, 6, 59n)), false, 'sumUpper lowered below the sum')
    assert.equal(await check(alterWire(r.mem, 1, r.w[1]! + 1n)), false, 'another commitment')
    assert.equal(await check(alterWire(r.mem, 8, 2n ** 16n)), false, 'another value limit')
    // The digest and the feature index are bound through the commitment, the nonce by its squaring: without them,
    // any value would satisfy the R1CS and a proof would not bind it.
    assert.equal(await check(alterWire(r.mem, 2, 43n)), false, 'another baseline digest')
    assert.equal(await check(alterWire(r.mem, 3, 2n)), false, 'another feature index')
    assert.equal(await check(alterWire(r.mem, 9, 6n)), false, 'another nonce')
  })

  it('the circuit accepts a real window exactly when tcp baseline check (judgeWindow) passes it', async () => {
    const rng = new Rng(77)
    const rows = Array.from({length: 200}, (_, i) => ({agent: 'a', time: i * 60_000, values: {latency_ms: Math.round(rng.normal(200, 15) * 10) / 10}}))
    const obs: ObservationSet = {features: ['latency_ms'], rows}
    const baseline = createBaseline(obs, {subject: 'test/zk', created: '2026-01-01T00:00:00.000Z'})
    const stats = baseline.features.latency_ms!
    const digest = baselineDigest(baseline)
    const k = parseK('3')
    let passed = 0
    let failed = 0
    for (let trial = 0; trial < 24; trial++) {
      const n = 1 + rng.int(8)
      const shift = [0, 0, 12, 25, -25, 0][trial % 6]!
      const spread = trial % 7 === 3 ? 4 : 1
      const values = Array.from({length: n}, () => Math.round(rng.normal(200 + shift, 15 * spread) * 10) / 10)
      const v = judgeWindow(values, stats, k)
      const inputs = publicInputs({baseline, digest, feature: 'latency_ms', n, k, varianceFactor: 4})
      assert.equal(inputs.baselineDigest, digestToField(digest))
      const win = fixedWindow(values, stats, 8, 'latency_ms')
      assert.deepEqual(win.slice(0, n), values.map((x) => toFixed(x, stats.fixed)))
      const r = await witness(witnessInput(win, n, 99n, inputs))
      const ok = v.meanOk && v.varianceOk && v.unrepresentable === 0
      assert.equal(!('error' in r), ok, `trial ${trial}: check says ${ok ? 'pass' : 'fail'} (z = ${v.z.toFixed(2)}, ratio ${v.varianceRatio.toFixed(2)})`)
      if (ok) passed++
      else failed++
    }
    assert.ok(passed >= 5 && failed >= 5, `both outcomes exercised: ${passed} passed, ${failed} failed`)
  })

  it('N = 256: the chained Poseidon commitment (40 elements, three links) equals the reference; bounds still bind', async () => {
    const big = await ensureCompiled(cacheDir, 256)
    assert.ok(big.constraints / 256 <= 80, `${big.constraints} constraints for 256 observations`)
    const small = circuit
    circuit = big
    try {
      const rng = new Rng(256)
      for (const n of [256, 100]) {
        const x = Array.from({length: 256}, (_, i) => (i < n ? rng.u32() : 0))
        const w = await accepts(base(x, n, {vmax: String(2n ** 100n)}))
        assert.equal(w[1], commitmentRef(x.map(BigInt), n, 987654321n, 256), `commitment, n = ${n}`)
      }
      const x = Array.from({length: 256}, (_, i) => (i < 10 ? 1000 : 0))
      await accepts(base(x, 10, {sumLower: '10000', sumUpper: '10000'}))
      await rejects(base(x, 10, {sumLower: '0', sumUpper: '9999'}), 'a sum above the upper bound at N = 256')
    } finally {
      circuit = small
    }
  })

  it('sizes: the smallest circuit that holds the window; bad sizes are usage errors', () => {
    assert.deepEqual([1, 8, 9, 64, 65, 256].map(sizeFor), [8, 8, 64, 64, 256, 256])
    assert.throws(() => sizeFor(257), /more than the largest circuit/)
    assert.throws(() => parseSize('9'), (e: any) => e.code === 'usage')
    assert.equal(parseSize('64'), 64)
    assert.throws(() => digestToField(new Uint8Array(31)), /expected 32 bytes, got 31/)
    assert.ok(digestToField(new Uint8Array(32).fill(0xff)) < BN254_R)
  })
})
