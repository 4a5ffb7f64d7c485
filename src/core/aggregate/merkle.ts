/**
 * Merkle tree hashing of RFC 9162 (Certificate Transparency v2), section 2.1, with SHA3-256 as HASH:
 *   MTH({}) = HASH(),  MTH({d0}) = HASH(0x00 || d0),
 *   MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k the largest power of two < n.
 * The distinct leaf (0x00) and node (0x01) prefixes make a leaf unforgeable as an interior node (second preimage).
 * Inclusion proofs are PATH(m, D[n]) of 2.1.3.1, verified with the algorithm of 2.1.3.2.
 */
import {concatBytes, equalBytes, utf8} from '../bytes.js'
import {sha3_256} from '../crypto/hash.js'
import {TcpError} from '../errors.js'

const LEAF = Uint8Array.of(0)
const NODE = Uint8Array.of(1)

export const leafHash = (data: Uint8Array): Uint8Array => sha3_256(concatBytes(LEAF, data))
export const nodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha3_256(concatBytes(NODE, l, r))

function largestPow2Below(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function mthOfHashes(h: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo
  if (n === 1) return h[lo]!
  const k = largestPow2Below(n)
  return nodeHash(mthOfHashes(h, lo, lo + k), mthOfHashes(h, lo + k, hi))
}

/** MTH of the leaves (each leaf is the data, e.g. a child's 32-byte digest). */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha3_256(new Uint8Array(0))
  return mthOfHashes(leaves.map(leafHash), 0, leaves.length)
}

/** PATH(m, D[n]): the audit path of leaf m, bottom sibling first. */
export function inclusionPath(leaves: readonly Uint8Array[], m: number): Uint8Array[] {
  if (!Number.isSafeInteger(m) || m < 0 || m >= leaves.length) throw new TcpError('input', `inclusion path: leaf ${m} is not in a tree of ${leaves.length}`)
  const h = leaves.map(leafHash)
  const path: Uint8Array[] = []
  const rec = (mm: number, lo: number, hi: number): void => {
    const n = hi - lo
    if (n === 1) return
    const k = largestPow2Below(n)
    if (mm < k) {
      rec(mm, lo, lo + k)
      path.push(mthOfHashes(h, lo + k, hi))
    } else {
      rec(mm - k, lo + k, hi)
      path.push(mthOfHashes(h, lo, lo + k))
    }
  }
  rec(m, 0, leaves.length)
  return path
}

/**
 * The root that leaf `data` at index m of a tree of size n hashes to with this path (RFC 9162 2.1.3.2), or null
 * when the path has the wrong length for (m, n). The caller compares the result with a trusted root.
 */
export function rootFromPath(data: Uint8Array, m: number, n: number, path: readonly Uint8Array[]): Uint8Array | null {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m >= n) return null
  let fn = m
  let sn = n - 1
  let r = leafHash(data)
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return null
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else r = nodeHash(r, p)
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : null
}

/**
 * The Merkle leaf of a child: u16be(length of id) || id (UTF-8) || digest (32 bytes). Binding the id (an agent's,
 * or "L<level>/<index>" for a node) means a proof for one agent cannot be relabelled as another's.
 */
export function childLeaf(id: string, digest: Uint8Array): Uint8Array {
  const b = utf8(id)
  if (b.length > 0xffff || digest.length !== 32) throw new TcpError('input', `child leaf: id of ${b.length} bytes or digest of ${digest.length} bytes`)
  return concatBytes(Uint8Array.of(b.length >> 8, b.length & 0xff), b, digest)
}

export function verifyInclusion(data: Uint8Array, m: number, n: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromPath(data, m, n, path)
  return r !== null && equalBytes(r, root)
}
