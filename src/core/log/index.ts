/**
 * tcp.log/v1: signed, hash-chained, causally ordered agent telemetry. See docs/log.md for the format field by field.
 *   format.ts   line types, canonical bytes, domain-separated hash and signature messages
 *   writer.ts   making entries and signed checkpoints (in memory)
 *   append.ts   crash-safe appending to a file
 *   verify.ts   streaming verification of one log
 *   fleet.ts    cross-log verification: clock references, causal cycles, time agreement
 *   commit.ts   window commitments carried by checkpoints (the hook for proofs)
 *   simulate.ts a seeded honest fleet (tests, benchmarks, demo)
 *   observe.ts  verified observations out of a log (baselines)
 */
export * from './format.js'
export * from './writer.js'
export * from './append.js'
export * from './verify.js'
export * from './commit.js'
export * from './fleet.js'
export * from './simulate.js'
export * from './show.js'
export * from './observe.js'
export * from './forge.js'
