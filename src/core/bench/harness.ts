/**
 * Measuring ns per operation in JS without fooling ourselves: each target supplies a batch function that runs its
 * own loop of `iters` calls over a pool of varied inputs and returns a number folded from the results; the harness
 * XORs that into a sink that is published (`sinkValue`), so the JIT cannot drop the work. The batch size is
 * calibrated so one sample lasts about `sampleUs` microseconds (far above the timer's resolution), then the target
 * runs for a warm-up period before `samples` timed batches.
 *
 * What the figures mean: median and p99 are over batches, each the mean ns of `iters` calls, so p99 shows
 * interference (GC, other processes on a shared machine) rather than the tail of a single call. Loop overhead is
 * included (one increment, one compare and the pool indexing per call).
 */
import {TcpError} from '../errors.js'

export type Batch = (iters: number) => number

export interface OpStats {
  name: string
  nsMedian: number
  nsP99: number
  nsMin: number
  samples: number
  itersPerSample: number
}

let sink = 0
/** The published sink: read it after a run so the measured work has an observable result. */
export function sinkValue(): number {
  return sink
}

export function quantile(sortedAsc: ArrayLike<number>, q: number): number {
  if (sortedAsc.length === 0) return NaN
  const pos = Math.min(sortedAsc.length - 1, Math.max(0, Math.ceil(q * sortedAsc.length) - 1))
  return sortedAsc[pos]!
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >>> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const now = (): bigint => process.hrtime.bigint()

export interface MeasureOptions {
  samples?: number
  sampleUs?: number
  warmupMs?: number
}

export function measureOps(name: string, batch: Batch, o: MeasureOptions = {}): OpStats {
  const samples = o.samples ?? 101
  const sampleUs = o.sampleUs ?? 500
  const warmupMs = o.warmupMs ?? 100
  if (!Number.isInteger(samples) || samples < 3) throw new TcpError('input', `samples: expected at least 3, got ${samples}`)
  // Warm up in small batches (so the JIT has compiled the loop), then double the batch until it lasts sampleUs.
  const wHalf = BigInt(Math.round((warmupMs / 2) * 1e6))
  const w0End = now() + wHalf
  while (now() < w0End) sink ^= batch(64)
  let iters = 16
  for (;;) {
    const t0 = now()
    sink ^= batch(iters)
    const dt = Number(now() - t0) / 1000
    if (dt >= sampleUs || iters >= 1 << 26) break
    iters *= 2
  }
  const wEnd = now() + wHalf
  while (now() < wEnd) sink ^= batch(iters)
  const per = new Float64Array(samples)
  for (let s = 0; s < samples; s++) {
    const t0 = now()
    sink ^= batch(iters)
    per[s] = Number(now() - t0) / iters
  }
  per.sort()
  return {name, nsMedian: quantile(per, 0.5), nsP99: quantile(per, 0.99), nsMin: per[0]!, samples, itersPerSample: iters}
}

/** Least-squares slope of log(y) against log(x): the growth exponent of y in x. */
export function growthExponent(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length
  if (n < 2 || ys.length !== n) return NaN
  const lx = xs.map(Math.log)
  const ly = ys.map((y) => Math.log(Math.max(y, 1e-9)))
  const mx = lx.reduce((a, b) => a + b, 0) / n
  const my = ly.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my)
    den += (lx[i]! - mx) ** 2
  }
  return den === 0 ? NaN : num / den
}

/** CPU milliseconds (user + system) of this process since `from`. */
export function cpuMsSince(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from)
  return (u.user + u.system) / 1000
}

/**
 * Milliseconds of f(): `cpuMs` is the process's CPU time (user + system), which leaves out the time spent waiting
 * for a CPU on a loaded machine (an operation longer than a scheduler slice is stretched by the run queue, a short
 * one mostly is not), and `ms` is the wall clock. CPU time includes the JIT's and GC's helper threads.
 */
export function timeMs<T>(f: () => T): {ms: number; cpuMs: number; value: T} {
  const c0 = process.cpuUsage()
  const t0 = now()
  const value = f()
  return {ms: Number(now() - t0) / 1e6, cpuMs: cpuMsSince(c0), value}
}
