/**
 * Where command output goes. Every tcp command writes through these two functions (never console.log), so that
 * in-process tests can capture output without touching process.stdout, which node:test itself uses.
 */
export interface Sink {
  out(text: string): void
  err(text: string): void
}

const processSink: Sink = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
}

let current: Sink = processSink

export const output: Sink = {
  out: (t) => current.out(t),
  err: (t) => current.err(t),
}

/** Redirects output (tests); returns a function that restores the previous sink. */
export function setSink(sink: Sink): () => void {
  const prev = current
  current = sink
  return () => {
    current = prev
  }
}
