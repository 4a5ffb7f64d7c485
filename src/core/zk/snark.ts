/**
 * The one place that loads snarkjs (lazily: about 180 ms) and the one place that stops its curve worker threads,
 * which otherwise keep a process alive after proving or verifying. Types are only what tcp uses of snarkjs 0.7.6.
 */

export interface Groth16Proof {
  pi_a: string[]
  pi_b: string[][]
  pi_c: string[]
  protocol: string
  curve: string
}

export interface VerificationKey {
  protocol: string
  curve: string
  nPublic: number
  [field: string]: unknown
}

export interface R1csInfo {
  nConstraints: number
  nPubInputs: number
  nOutputs: number
  nPrvInputs: number
  nVars: number
}

export interface SnarkLogger {
  info(msg: string): void
  debug(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

export interface SnarkJs {
  groth16: {
    fullProve(input: object, wasm: string, zkey: string, logger?: SnarkLogger): Promise<{proof: Groth16Proof; publicSignals: string[]}>
    verify(vk: VerificationKey, publicSignals: string[], proof: Groth16Proof, logger?: SnarkLogger): Promise<boolean>
  }
  powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: SnarkLogger): Promise<Uint8Array>
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: SnarkLogger): Promise<Uint8Array>
    beacon(oldFile: string, newFile: string, name: string, beaconHex: string, iterationsExp: number, logger?: SnarkLogger): Promise<Uint8Array | false>
    preparePhase2(oldFile: string, newFile: string, logger?: SnarkLogger): Promise<void>
    verify(file: string, logger?: SnarkLogger): Promise<boolean>
  }
  r1cs: {info(file: string, logger?: SnarkLogger): Promise<R1csInfo>}
  wtns: {
    calculate(input: object, wasm: string, wtns: string | {type: 'mem'; data?: Uint8Array}): Promise<void>
    exportJson(wtns: string | {type: 'mem'; data?: Uint8Array}): Promise<bigint[]>
    check(r1cs: string, wtns: string | {type: 'mem'; data?: Uint8Array}, logger?: SnarkLogger): Promise<boolean>
  }
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<Uint8Array | -1>
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: SnarkLogger): Promise<Uint8Array>
    beacon(oldFile: string, newFile: string, name: string, beaconHex: string, iterationsExp: number, logger?: SnarkLogger): Promise<Uint8Array | false>
    exportVerificationKey(zkey: string, logger?: SnarkLogger): Promise<VerificationKey>
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<boolean>
    exportSolidityVerifier(zkey: string, templates: {groth16: string}, logger?: SnarkLogger): Promise<string>
  }
  curves: {getCurveFromName(name: string, options?: {singleThread?: boolean}): Promise<unknown>}
}

let loaded: Promise<SnarkJs> | undefined

export function snarkjs(): Promise<SnarkJs> {
  loaded ??= import('snarkjs' as string).then((m) => m as unknown as SnarkJs)
  return loaded
}

/** Stops the bn128 curve's worker threads (created by snarkjs on first use; cached on globalThis). */
export async function releaseCurve(): Promise<void> {
  const g = globalThis as {curve_bn128?: {terminate(): Promise<void> | void}}
  const c = g.curve_bn128
  if (c) {
    delete g.curve_bn128
    await c.terminate()
  }
}

/** Runs `fn` and then stops the curve workers, whatever happens. */
export async function withCurve<T>(fn: (s: SnarkJs) => Promise<T>): Promise<T> {
  const s = await snarkjs()
  try {
    return await fn(s)
  } finally {
    await releaseCurve()
  }
}
