/**
 * The tree on disk (TREE_DIR):
 *   tree.json              {type "tcp.aggregate.tree/v1", leaves, leafSize, branching, decimals, counts, aggregator,
 *                           source (where the leaves were read), shard (null, or the shard's plan)} - not signed:
 *                           a hint for prove and audit, which check everything against the signed root
 *   L<l>.nodes.jsonl       the signed node envelopes of level l, one per line, in index order
 *   L<l>.children.jsonl    per node (same line), its children as [[id, digest hex], ...]: what its Merkle root covers
 *   root.dsse.json         the signed root node (one process or aggregate merge)
 *   shard.json             (with --shard) the shard root: its plan and the signed nodes of the split level
 */
import {join} from 'node:path'
import {createOutput, readJsonFile, type OutputFile} from '../io.js'
import {TcpError} from '../errors.js'
import {utf8} from '../bytes.js'
import {canonicalize} from '../canonical/jcs.js'
import type {Envelope} from '../envelope/dsse.js'
import type {Shape, ShardPlan} from './tree.js'

export const TREE_TYPE = 'tcp.aggregate.tree/v1'
export const SHARD_TYPE = 'tcp.aggregate.shard/v1'

export interface TreeManifest {
  type: typeof TREE_TYPE
  leaves: number
  leafSize: number
  branching: number
  decimals: number
  counts: number[]
  aggregator: string
  source: string
  shard: ShardPlan | null
}

export interface ShardRoot {
  type: typeof SHARD_TYPE
  plan: ShardPlan
  leaves: number
  leafSize: number
  branching: number
  decimals: number
  nodes: Envelope[]
}

export const nodesFile = (dir: string, level: number) => join(dir, `L${level}.nodes.jsonl`)
export const childrenFile = (dir: string, level: number) => join(dir, `L${level}.children.jsonl`)

/** Appends lines to the two files of one level; published atomically on commit. */
export class LevelWriter {
  private constructor(
    private nodes: OutputFile,
    private children: OutputFile,
  ) {}

  static async open(dir: string, level: number, force: boolean): Promise<LevelWriter> {
    const n = await createOutput(nodesFile(dir, level), {force, mode: 0o644, what: `level ${level} nodes`})
    const c = await createOutput(childrenFile(dir, level), {force, mode: 0o644, what: `level ${level} children`}).catch(async (e) => {
      await n.abort()
      throw e
    })
    return new LevelWriter(n, c)
  }

  async add(env: Envelope, children: Array<[string, string]>): Promise<void> {
    await this.nodes.sink.write([utf8(JSON.stringify(env) + '\n')])
    await this.children.sink.write([utf8(JSON.stringify(children) + '\n')])
  }

  async commit(): Promise<void> {
    await this.nodes.commit()
    await this.children.commit()
  }

  async abort(): Promise<void> {
    await this.nodes.abort()
    await this.children.abort()
  }
}

export function manifestOf(shape: Shape, decimals: number, aggregator: string, source: string, shard: ShardPlan | null): TreeManifest {
  return {type: TREE_TYPE, leaves: shape.leaves, leafSize: shape.leafSize, branching: shape.branching, decimals, counts: shape.counts, aggregator, source, shard}
}

export const jsonText = (v: unknown): string => JSON.stringify(JSON.parse(canonicalize(v)), null, 2) + '\n'

function int(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new TcpError('input', `${what}: expected an integer >= ${min}, got ${JSON.stringify(v)}`)
  return v
}

export async function readManifest(dir: string): Promise<TreeManifest> {
  const path = join(dir, 'tree.json')
  const m = (await readJsonFile(path, {what: 'tree manifest'})) as Record<string, unknown>
  if (!m || typeof m !== 'object' || m.type !== TREE_TYPE) throw new TcpError('input', `tree manifest ${path}: type must be "${TREE_TYPE}"`)
  for (const [k, min] of [['leaves', 1], ['leafSize', 2], ['branching', 2], ['decimals', 0]] as const) int(m[k], `tree manifest ${path}: ${k}`, min)
  if (typeof m.source !== 'string') throw new TcpError('input', `tree manifest ${path}: source must be a path`)
  return m as unknown as TreeManifest
}
