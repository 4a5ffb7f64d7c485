/**
 * Circuit artifacts: compiling circuits/window_<N>.circom with circom2 (--O2) into the cache, keyed by the
 * circuit hash, and checking every cached file against the SHA3-256 recorded when it was written.
 *
 * Circuit hash = SHA3-256 over: a domain tag, the size, every .circom file of circuits/lib and the main, the
 * circomlib and circom2 versions, and the compiler flags. Cache layout (root = TCP_CACHE_DIR or oclif's cacheDir):
 *   <root>/zk/ptau/local-<power>.ptau (+ .json)          a local powers-of-tau ceremony, prepared for phase 2
 *   <root>/zk/<circuit id>-<N>-<hash 16 hex>/            window.r1cs, window.wasm, compile.json,
 *                                                         circuit.zkey, verification_key.json, setup.json
 * Not guaranteed: that circomlib in node_modules is the published 2.0.5 (only its version string is hashed), or
 * that a cache folder is safe from a user who can write to it (the hashes catch corruption, not a local attacker
 * who rewrites both a file and its record: pin the verification key hash for that, see verify.ts).
 */
import {spawn} from 'node:child_process'
import {createReadStream} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {dirname, join, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {toHex, utf8, concatBytes} from '../bytes.js'
import {TcpError} from '../errors.js'
import {readJsonFile, writeFileAtomic} from '../io.js'
import {sha3_256} from '../crypto/hash.js'
import {CIRCUIT_ID, type CircuitSize} from './statement.js'

const require = createRequire(import.meta.url)
/** Package root: src/core/zk or dist/core/zk, three levels down. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const CIRCUITS_DIR = join(PACKAGE_ROOT, 'circuits')
export const COMPILE_FLAGS = ['--r1cs', '--wasm', '--O2'] as const

/** The cache folder: TCP_CACHE_DIR when set, else the caller's default (oclif's cacheDir). */
export function resolveCacheDir(fallback: string): string {
  const env = process.env.TCP_CACHE_DIR
  return env && env.length > 0 ? env : fallback
}

export function zkCacheRoot(cacheDir: string): string {
  return join(cacheDir, 'zk')
}

/** SHA3-256 of a file, streamed (zkeys of the large circuits are tens of megabytes). */
export async function fileSha3(path: string): Promise<string> {
  const h = sha3_256.create()
  try {
    for await (const chunk of createReadStream(path)) h.update(chunk as Uint8Array)
  } catch (e) {
    throw new TcpError('not_found', `zk artifact missing or unreadable: ${path} (${(e as Error).message})`)
  }
  return toHex(h.digest())
}

/** Throws TcpError('input') unless the file's SHA3-256 is the recorded one. */
export async function checkFileSha3(path: string, expected: string, what: string): Promise<void> {
  const got = await fileSha3(path)
  if (got !== expected) throw new TcpError('input', `${what} ${path}: SHA3-256 ${got.slice(0, 16)}... does not match the recorded ${expected.slice(0, 16)}... (delete the folder and run tcp zk setup again)`)
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as {version: string}).version
  } catch {
    return 'absent'
  }
}

export function mainCircuitPath(size: CircuitSize): string {
  return join(CIRCUITS_DIR, `window_${size}.circom`)
}

export async function circuitHash(size: CircuitSize): Promise<string> {
  const libDir = join(CIRCUITS_DIR, 'lib')
  const libs = (await readdir(libDir)).filter((f) => f.endsWith('.circom')).sort()
  const parts: Uint8Array[] = [utf8(`tcp.zk.circuit/v1\0${CIRCUIT_ID}\0${size}\0`)]
  for (const f of libs) parts.push(utf8(`lib/${f}\0`), new Uint8Array(await readFile(join(libDir, f))), utf8('\0'))
  parts.push(utf8(`window_${size}.circom\0`), new Uint8Array(await readFile(mainCircuitPath(size))), utf8('\0'))
  parts.push(utf8(`circomlib ${packageVersion('circomlib')}\0circom2 ${packageVersion('circom2')}\0${COMPILE_FLAGS.join(' ')}`))
  return toHex(sha3_256(concatBytes(...parts)))
}

export interface CompileRecord {
  circuit: string
  size: CircuitSize
  circuitHash: string
  compiler: string
  flags: string[]
  constraints: number
  publicInputs: number
  outputs: number
  privateInputs: number
  r1csSha3: string
  wasmSha3: string
  compileSeconds: number
}

export interface CompiledCircuit extends CompileRecord {
  dir: string
  r1cs: string
  wasm: string
  /** True when this call compiled the circuit into `dir`; false when it took it from the cache. */
  created: boolean
}

export function circuitDir(cacheDir: string, size: CircuitSize, hash: string): string {
  return join(zkCacheRoot(cacheDir), `${CIRCUIT_ID}-${size}-${hash.slice(0, 16)}`)
}

/**
 * circom2 runs under WASI with the ancestors of its working directory preopened, and resolves include paths that
 * climb out of the working directory badly: it runs in the folder that holds node_modules, so that the circomlib
 * include path points down from there.
 */
function runCircom(args: string[], cwd: string): Promise<void> {
  let cli: string
  try {
    cli = require.resolve('circom2/cli.js')
  } catch {
    throw new TcpError('dependency', 'circom2 is not installed (npm install circom2@0.2.23): it compiles the circuits once into the cache')
  }
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cli, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (out += d))
    p.on('error', (e) => reject(new TcpError('dependency', `circom2: ${e.message}`)))
    p.on('close', (code) => {
      if (code === 0) resolve()
      else reject(new TcpError('internal', `circom2 failed (exit ${code}): ${out.replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n').slice(-3).join(' | ')}`))
    })
  })
}

/** The deepest common folder of two absolute paths. */
function commonAncestor(a: string, b: string): string {
  const x = a.split(sep)
  const y = b.split(sep)
  let i = 0
  while (i < x.length && i < y.length && x[i] === y[i]) i++
  return x.slice(0, i).join(sep) || sep
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  )
}

/**
 * Returns the compiled circuit of this size from the cache, compiling it first when absent. Cached files are
 * checked against compile.json before they are returned.
 */
export async function ensureCompiled(cacheDir: string, size: CircuitSize): Promise<CompiledCircuit> {
  const hash = await circuitHash(size)
  const dir = circuitDir(cacheDir, size, hash)
  const record = join(dir, 'compile.json')
  const paths = {dir, r1cs: join(dir, 'window.r1cs'), wasm: join(dir, 'window.wasm')}
  if (await exists(record)) {
    const rec = (await readJsonFile(record, {what: 'compile record'})) as CompileRecord
    if (rec.circuitHash !== hash) throw new TcpError('input', `compile record ${record}: circuit hash does not match its folder`)
    await checkFileSha3(paths.r1cs, rec.r1csSha3, 'compiled circuit')
    await checkFileSha3(paths.wasm, rec.wasmSha3, 'witness generator')
    return {...rec, ...paths, created: false}
  }
  await mkdir(zkCacheRoot(cacheDir), {recursive: true})
  const tmp = await mkdtemp(join(zkCacheRoot(cacheDir), '.compile-'))
  try {
    const started = performance.now()
    // Run from the deepest folder that holds both the circuits and node_modules, with relative paths: circom2's
    // WASI file system resolves neither includes outside its working folder nor a symlinked node_modules.
    const lib = await realpath(dirname(dirname(require.resolve('circomlib/package.json'))))
    const main = await realpath(mainCircuitPath(size))
    const cwd = commonAncestor(dirname(lib), dirname(main))
    await runCircom([relative(cwd, main), ...COMPILE_FLAGS, '-l', relative(cwd, lib), '-o', relative(cwd, await realpath(tmp))], cwd)
    const compileSeconds = (performance.now() - started) / 1000
    await rename(join(tmp, `window_${size}.r1cs`), join(tmp, 'window.r1cs'))
    await rename(join(tmp, `window_${size}_js`, `window_${size}.wasm`), join(tmp, 'window.wasm'))
    await rm(join(tmp, `window_${size}_js`), {recursive: true, force: true})
    // Reading the R1CS builds the curve, whose worker threads keep the process alive (`tcp zk compile` never
    // exited after a fresh compile): release them.
    const {withCurve} = await import('./snark.js')
    const info = await withCurve((s) => s.r1cs.info(join(tmp, 'window.r1cs')))
    const rec: CompileRecord = {
      circuit: CIRCUIT_ID,
      size,
      circuitHash: hash,
      compiler: `circom2 ${packageVersion('circom2')}`,
      flags: [...COMPILE_FLAGS],
      constraints: info.nConstraints,
      publicInputs: info.nPubInputs,
      outputs: info.nOutputs,
      privateInputs: info.nPrvInputs,
      r1csSha3: await fileSha3(join(tmp, 'window.r1cs')),
      wasmSha3: await fileSha3(join(tmp, 'window.wasm')),
      compileSeconds: Math.round(compileSeconds * 100) / 100,
    }
    await writeFileAtomic(join(tmp, 'compile.json'), JSON.stringify(rec, null, 2) + '\n', {what: 'compile record'})
    let created = true
    try {
      await rename(tmp, dir)
    } catch (e) {
      // Another process compiled the same circuit meanwhile: use theirs (checked on the next call).
      if (!(await exists(record))) throw e
      created = false
    }
    return {...(await ensureCompiled(cacheDir, size)), created}
  } finally {
    await rm(tmp, {recursive: true, force: true})
  }
}
