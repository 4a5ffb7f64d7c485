/**
 * Bench steps of `tcp demo`: a signed-ready descriptor set of the tools an agent may call, decided call by call
 * (with a corrupted record refused), then a quick measurement of the per-call paths and of the LSH search against
 * brute force, with the seed's claims marked as measured here.
 */
import {join} from 'node:path'
import {writeFileAtomic} from '../io.js'
import {decideDescriptor, DESCRIPTOR_LENGTH, POLICIES} from '../descriptor/format.js'
import {encodeSet, inspectSet} from '../descriptor/set.js'
import {runBench} from '../bench/report.js'
import type {DemoContext, DemoStep, DemoStepResult} from './index.js'

const TOOLS = [
  {command: 'git status', flags: 0x1, execMs: 100, memoryMb: 10, outputKb: 48828},
  {command: 'curl', flags: 0x8 | 0x100, execMs: 2000, memoryMb: 50, outputKb: 1024},
  {command: 'sed -i', flags: 0x4 | 0x200, execMs: 50, memoryMb: 5, outputKb: 10},
  {command: 'rm', flags: 0x6d0, execMs: 10000, memoryMb: 1000, outputKb: 50},
]

async function descriptorStep(ctx: DemoContext): Promise<DemoStepResult> {
  const set = encodeSet(TOOLS)
  const path = join(ctx.dir, 'tools.tcpd')
  await writeFileAtomic(path, set, {force: true, what: 'descriptor set'})
  ctx.artifacts.descriptorSet = path
  const decisions = TOOLS.map((t, i) => `${t.command}: ${POLICIES[decideDescriptor(set, i * DESCRIPTOR_LENGTH)]}`)
  const corrupt = set.slice()
  corrupt[3 * DESCRIPTOR_LENGTH + 13]! ^= 0x10 // clear CRITICAL on rm without fixing its checksum
  const code = decideDescriptor(corrupt, 3 * DESCRIPTOR_LENGTH)
  const refused = code < 0 && !inspectSet(corrupt).valid
  return {
    step: 'descriptors',
    ok: refused && inspectSet(set).valid,
    summary: `${TOOLS.length} tool descriptors (${set.length} bytes, ${path}): ${decisions.join(', ')}; rm with a flipped flag bit ${refused ? 'refused (checksum)' : 'NOT refused'}`,
    details: {decisions},
  }
}

async function benchStep(ctx: DemoContext): Promise<DemoStepResult> {
  const seed = 1
  const r = await runBench({seed, quick: true, sections: ['paths', 'lsh'], sizes: [1000, 10_000], onProgress: (s) => ctx.log(`  ${s}`)})
  const crit = r.paths!.paths.filter((p) => p.budgetNs === 100).map((p) => `${p.name.split(' (')[0]} ${p.nsMedian.toFixed(0)} ns`)
  const big = r.allPairs!.rows.filter((x) => x.n === 10_000).map((x) => `${x.kind} ${x.speedup.toFixed(0)}x at recall ${x.recall.toFixed(3)}`)
  return {
    step: 'bench (quick)',
    ok: true,
    summary: `seed ${seed}: ${crit.join(', ')}; LSH vs brute force at n=10,000: ${big.join(', ')} (tcp bench for the full figures)`,
    details: {claims: r.claims},
  }
}

export const steps: DemoStep[] = [
  {name: 'descriptors: decide tool calls from a 24-byte descriptor set', run: descriptorStep},
  {name: 'bench: critical paths and LSH search (quick)', run: benchStep},
]
