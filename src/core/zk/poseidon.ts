/**
 * Poseidon over the BN254 scalar field, as circomlib computes it (circuits/poseidon.circom: the optimised
 * PoseidonEx with one output, the 2.0.5 constants C, S, M, P read from circomlib/circuits/poseidon_constants.circom),
 * and the chain of circuits/lib/window.circom PoseidonChain. Used to recompute a window commitment outside the
 * circuit (commitment.ts). Checked in test/core/zk/circuit.test.ts against circomlib's published vectors
 * (test/poseidoncircuit.js: poseidon([1,2]), poseidon([3,4]), poseidon([1,2,0,0,0]), poseidon([3,4,5,10,23])) and
 * against the circuit's witness. Not constant time; about a millisecond per permutation: fine for commitments, not
 * for bulk hashing.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {BN254_R as p} from './statement.js'
import {TcpError} from '../errors.js'

const ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]
let source: string | undefined
const constantsSource = () => (source ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve('circomlib/package.json')), 'circuits', 'poseidon_constants.circom'), 'utf8'))

/** The numbers of the array literal returned by `function NAME(t)` for width t. */
function constants(name: string, t: number): bigint[] {
  const src = constantsSource()
  const body = src.slice(src.indexOf(`function ${name}(t)`))
  const at = body.search(new RegExp(`t\\s*==\\s*${t}\\)`))
  if (at < 0) throw new TcpError('internal', `circomlib poseidon_constants.circom: ${name} has no constants for t = ${t}`)
  const start = body.indexOf('return', at) + 'return'.length
  return (body.slice(start, body.indexOf(';', start)).match(/0x[0-9a-fA-F]+|\d+/g) ?? []).map((x) => BigInt(x))
}

const mod = (a: bigint) => ((a % p) + p) % p
const pow5 = (a: bigint) => {
  const a2 = (a * a) % p
  return (((a2 * a2) % p) * a) % p
}

interface Params {
  t: number
  rp: number
  C: bigint[]
  S: bigint[]
  M: bigint[][]
  P: bigint[][]
}
const cache = new Map<number, Params>()
function params(t: number): Params {
  let q = cache.get(t)
  if (!q) {
    const square = (flat: bigint[]) => Array.from({length: t}, (_, i) => flat.slice(i * t, (i + 1) * t))
    q = {t, rp: ROUNDS_P[t - 2]!, C: constants('POSEIDON_C', t), S: constants('POSEIDON_S', t), M: square(constants('POSEIDON_M', t)), P: square(constants('POSEIDON_P', t))}
    cache.set(t, q)
  }
  return q
}

// out[i] = sum_j M[j][i] * in[j]   (circomlib Mix)
const mix = (s: bigint[], M: bigint[][]) => s.map((_, i) => mod(s.reduce((acc, v, j) => acc + M[j]![i]! * v, 0n)))
const ark = (s: bigint[], C: bigint[], r: number) => s.map((v, i) => mod(v + C[i + r]!))

/** circomlib Poseidon of 1 to 16 field elements. */
export function poseidon(inputs: bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > 16) throw new TcpError('internal', `poseidon: 1 to 16 inputs, got ${inputs.length}`)
  const {t, rp, C, S, M, P} = params(inputs.length + 1)
  const F = 8
  let s = ark([0n, ...inputs.map(mod)], C, 0)
  for (let r = 0; r < F / 2 - 1; r++) s = mix(ark(s.map(pow5), C, (r + 1) * t), M)
  s = mix(ark(s.map(pow5), C, (F / 2) * t), P)
  for (let r = 0; r < rp; r++) {
    const x0 = mod(pow5(s[0]!) + C[(F / 2 + 1) * t + r]!)
    const base = (t * 2 - 1) * r
    const first = mod(S[base]! * x0 + s.slice(1).reduce((acc, v, i) => acc + S[base + i + 1]! * v, 0n))
    s = [first, ...s.slice(1).map((v, i) => mod(v + x0 * S[base + t + i]!))]
  }
  for (let r = 0; r < F / 2 - 1; r++) s = mix(ark(s.map(pow5), C, (F / 2 + 1) * t + rp + r * t), M)
  s = s.map(pow5)
  return mod(s.reduce((acc, v, j) => acc + M[j]![0]! * v, 0n))
}

/** The chain of circuits/lib/window.circom PoseidonChain. */
export function poseidonChain(elems: bigint[]): bigint {
  if (elems.length <= 16) return poseidon(elems)
  let h = poseidon(elems.slice(0, 16))
  for (let pos = 16; pos < elems.length; pos += 15) h = poseidon([h, ...elems.slice(pos, pos + 15)])
  return h
}
