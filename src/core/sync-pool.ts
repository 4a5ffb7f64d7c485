/**
 * A pool of worker threads called synchronously: the caller hands one request to each worker and blocks on an
 * Atomics wait until every one answered, so from its side a parallel step is an ordinary function call (the
 * consensus simulator's BLS signing, src/core/consensus/blst.ts; the clone detector's hashing, src/core/lsh/near.ts).
 *
 * A worker is a CommonJS program run with `eval` that defines `function run(message)` (returning a Uint8Array, which
 * is transferred back, or any other cloneable value, or a promise of one) and ends with SERVE_SYNC: the message loop that answers on the port and
 * raises the worker's flag. Workers are unref'd, so a pool never keeps a process alive; `close` terminates them.
 * What it does NOT do: time out a worker that never answers, or queue more than one request per worker.
 */
import {MessageChannel, Worker, receiveMessageOnPort, type MessagePort} from 'node:worker_threads'

/** The worker side: answers each message with run(message), then raises its flag (appended to every program). */
export const SERVE_SYNC = `
const {port: syncPort, flags: syncFlags, index: syncIndex} = require('node:worker_threads').workerData
syncPort.on('message', async (m) => {
  let reply
  try { reply = {ok: await run(m)} } catch (e) { reply = {error: String(e && e.message || e)} }
  syncPort.postMessage(reply, reply.ok && reply.ok.buffer instanceof ArrayBuffer ? [reply.ok.buffer] : [])
  Atomics.store(syncFlags, syncIndex, 1)
  Atomics.notify(syncFlags, syncIndex)
})
`

export class SyncPool {
  readonly size: number
  private readonly workers: Worker[] = []
  private readonly ports: MessagePort[] = []
  private readonly flags: Int32Array

  /** `program`: the worker's CommonJS source, without SERVE_SYNC; `data` reaches it as workerData. */
  constructor(
    readonly name: string,
    program: string,
    size: number,
    data: Record<string, unknown>,
  ) {
    this.size = size
    this.flags = new Int32Array(new SharedArrayBuffer(4 * size))
    for (let w = 0; w < size; w++) {
      const {port1, port2} = new MessageChannel()
      const worker = new Worker(program + SERVE_SYNC, {eval: true, workerData: {...data, port: port2, flags: this.flags, index: w}, transferList: [port2]})
      worker.unref()
      this.workers.push(worker)
      this.ports.push(port1)
    }
  }

  /** Sends one request per worker (null: none) and blocks until each answered; the answers in worker order. */
  call<T = Uint8Array>(reqs: Array<Record<string, unknown> | null>): T[] {
    for (let w = 0; w < this.size; w++) {
      if (!reqs[w]) continue
      Atomics.store(this.flags, w, 0)
      this.ports[w]!.postMessage(reqs[w])
    }
    const out: T[] = []
    for (let w = 0; w < this.size; w++) {
      if (!reqs[w]) {
        out.push(new Uint8Array(0) as T)
        continue
      }
      let m = receiveMessageOnPort(this.ports[w]!)
      while (!m) {
        Atomics.wait(this.flags, w, 0, 1000)
        m = receiveMessageOnPort(this.ports[w]!)
      }
      const r = m.message as {ok?: T; error?: string}
      if (r.error !== undefined || r.ok === undefined) throw new Error(`${this.name} worker: ${r.error}`)
      out.push(r.ok)
    }
    return out
  }

  close(): void {
    for (const p of this.ports) p.close()
    for (const w of this.workers) void w.terminate()
  }
}
