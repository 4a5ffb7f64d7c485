/**
 * Verifying leaves on worker threads: every leaf's envelope is parsed, its signature checked against the trust
 * store, its baseline parsed and made a child (leaf.ts openLeaf) on one of `workers` threads, in batches, while the
 * main thread reads files and builds nodes. Results come back in input order. `workers: 0` does it all on the
 * calling thread (tests, tiny trees).
 */
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'
import {TcpError} from '../errors.js'
import {parseJson} from '../json.js'
import type {TrustStore} from '../envelope/trust.js'
import {openLeaf, wrongRole, type OtherRole} from './leaf.js'
import type {ChildInput} from './node.js'
import type {LeafText} from './source.js'

export type LeafOutcome = {ok: true; index: number; child: ChildInput} | {ok: false; index: number; code: TcpError['code']; message: string}

export interface LeafJob {
  trust: TrustStore
  decimals: number
  now: number
  /** Keys that may sign nodes but not leaves: a leaf they signed is refused naming them (audit with roles). */
  nodeSigners?: OtherRole
}

export function verifyLeafTexts(items: readonly LeafText[], job: LeafJob): LeafOutcome[] {
  return items.map((it) => {
    let doc: unknown
    try {
      doc = parseJson(it.text, it.what)
      return {ok: true as const, index: it.index, child: openLeaf(doc, job.trust, job.decimals, it.what, it.id, job.now)}
    } catch (e0) {
      const e = wrongRole(doc, job.nodeSigners, e0, job.now)
      const err = e instanceof TcpError ? e : new TcpError('internal', String((e as Error)?.message ?? e))
      return {ok: false as const, index: it.index, code: err.code, message: err.message}
    }
  })
}

export const defaultWorkers = (): number => Math.max(1, Math.min(8, availableParallelism()))

const BATCH = 256

/** A pool of verifying threads (none when workers is 0), reused across streams; close() ends the threads. */
export class LeafPool {
  private pool: Worker[] = []
  private waiting = new Map<number, {resolve: (o: LeafOutcome[]) => void; reject: (e: Error) => void}>()
  private seq = 0

  constructor(
    private job: LeafJob,
    readonly workers: number,
  ) {
    if (workers <= 0) return
    const url = new URL(import.meta.url.endsWith('.ts') ? './leaf-worker.ts' : './leaf-worker.js', import.meta.url)
    for (let i = 0; i < workers; i++) {
      const w = new Worker(url, {workerData: job})
      w.on('message', (m: {seq: number; out: LeafOutcome[]}) => {
        const h = this.waiting.get(m.seq)
        this.waiting.delete(m.seq)
        h?.resolve(m.out)
      })
      w.on('error', (e) => {
        for (const h of this.waiting.values()) h.reject(e)
        this.waiting.clear()
      })
      this.pool.push(w)
    }
  }

  private submit(items: LeafText[]): Promise<LeafOutcome[]> {
    if (this.workers <= 0) return Promise.resolve(verifyLeafTexts(items, this.job))
    const s = this.seq++
    const p = new Promise<LeafOutcome[]>((resolve, reject) => this.waiting.set(s, {resolve, reject}))
    this.pool[s % this.workers]!.postMessage({seq: s, items})
    return p
  }

  /**
   * Verified children of the leaves, in order. Throws the first leaf's error (fail closed: a build never skips a
   * leaf it cannot verify).
   */
  async *stream(texts: AsyncIterable<LeafText>): AsyncIterable<ChildInput> {
    const inFlight: Array<Promise<LeafOutcome[]>> = []
    const limit = Math.max(1, this.workers * 4)
    const drain = async function* (min: number) {
      while (inFlight.length > min)
        for (const o of await inFlight.shift()!) {
          if (!o.ok) throw new TcpError(o.code, o.message)
          yield o.child
        }
    }
    try {
      let batch: LeafText[] = []
      for await (const t of texts) {
        batch.push(t)
        if (batch.length >= BATCH) {
          inFlight.push(this.submit(batch))
          batch = []
          yield* drain(this.workers <= 0 ? 0 : limit)
        }
      }
      if (batch.length) inFlight.push(this.submit(batch))
      yield* drain(0)
    } finally {
      for (const p of inFlight) p.catch(() => {})
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.terminate()))
  }
}
