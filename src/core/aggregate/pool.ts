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
import {openLeaf} from './leaf.js'
import type {ChildInput} from './node.js'
import type {LeafText} from './source.js'

export type LeafOutcome = {ok: true; index: number; child: ChildInput} | {ok: false; index: number; code: TcpError['code']; message: string}

export interface LeafJob {
  trust: TrustStore
  decimals: number
  now: number
}

export function verifyLeafTexts(items: readonly LeafText[], job: LeafJob): LeafOutcome[] {
  return items.map((it) => {
    try {
      const doc = parseJson(it.text, it.what)
      return {ok: true as const, index: it.index, child: openLeaf(doc, job.trust, job.decimals, it.what, it.id, job.now)}
    } catch (e) {
      const err = e instanceof TcpError ? e : new TcpError('internal', String((e as Error)?.message ?? e))
      return {ok: false as const, index: it.index, code: err.code, message: err.message}
    }
  })
}

export const defaultWorkers = (): number => Math.max(1, Math.min(8, availableParallelism()))

const BATCH = 256

/**
 * Verified children of the leaves, in order. Throws the first leaf's error (fail closed: a build never skips a
 * leaf it cannot verify).
 */
export async function* verifiedLeaves(texts: AsyncIterable<LeafText>, job: LeafJob, workers: number): AsyncIterable<ChildInput> {
  if (workers <= 0) {
    let batch: LeafText[] = []
    const flush = function* () {
      for (const o of verifyLeafTexts(batch, job)) {
        if (!o.ok) throw new TcpError(o.code, o.message)
        yield o.child
      }
      batch = []
    }
    for await (const t of texts) {
      batch.push(t)
      if (batch.length >= BATCH) yield* flush()
    }
    yield* flush()
    return
  }
  const url = new URL(import.meta.url.endsWith('.ts') ? './leaf-worker.ts' : './leaf-worker.js', import.meta.url)
  const pool = Array.from({length: workers}, () => new Worker(url, {workerData: job}))
  const waiting = new Map<number, (o: LeafOutcome[]) => void>()
  const failed: {e?: Error} = {}
  for (const w of pool) {
    w.on('message', (m: {seq: number; out: LeafOutcome[]}) => waiting.get(m.seq)?.(m.out))
    w.on('error', (e) => (failed.e = e))
  }
  let seq = 0
  const inFlight: Array<Promise<LeafOutcome[]>> = []
  const submit = (items: LeafText[]) => {
    const s = seq++
    inFlight.push(
      new Promise((resolve, reject) => {
        waiting.set(s, (o) => (waiting.delete(s), resolve(o)))
        pool[s % workers]!.once('error', reject)
      }),
    )
    pool[s % workers]!.postMessage({seq: s, items})
  }
  try {
    let batch: LeafText[] = []
    const drain = async function* (limit: number) {
      while (inFlight.length > limit) {
        for (const o of await inFlight.shift()!) {
          if (!o.ok) throw new TcpError(o.code, o.message)
          yield o.child
        }
      }
    }
    for await (const t of texts) {
      batch.push(t)
      if (batch.length >= BATCH) {
        submit(batch)
        batch = []
        yield* drain(workers * 4)
      }
      if (failed.e) throw failed.e
    }
    if (batch.length) submit(batch)
    yield* drain(0)
  } finally {
    await Promise.all(pool.map((w) => w.terminate()))
  }
}
