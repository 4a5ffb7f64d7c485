// Each adversary reaches what its `achieves` line claims, on seeded runs, at the theory's bounds: the safety
// attacks (strongest, sleeper) break safety in every run at f = 2Q - n and never one agent below; withhold stalls
// exactly where n - f < Q; the others break nothing. And the registry is complete: every strategy has its file.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {simulate, quorumSize, STRATEGIES, STRATEGY_ACHIEVES, STRATEGY_HELP} from '../../../src/core/consensus/simulate.js'

const n = 40
const seeds = [1, 2, 3, 4]
const at = (q: number, count: number) => ({agents: n, byzantine: count / n, threshold: q, rounds: 20, crypto: 'model'}) as const

describe('consensus adversaries: each as strong as its description', () => {
  for (const strategy of ['strongest', 'sleeper'] as const)
    it(`${strategy}: breaks safety in every seed at f = 2Q - n, in none at 2Q - n - 1 (q = 0.51, 0.67, 0.75)`, () => {
      for (const q of [0.51, 0.67, 0.75]) {
        const bound = 2 * quorumSize(n, q) - n
        for (const seed of seeds) {
          const r = simulate({...at(q, bound), strategy, seed})
          assert.equal(r.theory.safe, false)
          assert.equal(r.outcome.safetyViolation, true, `${strategy} q=${q} f=${bound}/${n} seed ${seed}: ${JSON.stringify(r.outcome)}`)
          const below = simulate({...at(q, bound - 1), strategy, seed})
          assert.equal(below.outcome.safetyViolation, false)
          assert.equal(below.outcome.decided, true, `${strategy} q=${q} below the bound seed ${seed}: decides after the partition heals`)
        }
      }
    })

  it('sleeper: breaks safety even though one half decided with the sleepers\' honest votes before they turned', () => {
    const r = simulate({...at(0.75, 20), strategy: 'sleeper', seed: 2, trace: true})
    assert.equal(r.outcome.safetyViolation, true)
    const decides = r.trace!.split('\n').filter((l) => l.includes('"ev":"decide"')).map((l) => JSON.parse(l) as {t: number; value: number})
    const turn = r.config.turnAtMs!
    assert.ok(decides.some((d) => d.t < turn), 'some honest agents decided before the turn')
    assert.ok(decides.some((d) => d.t > turn && d.value !== decides[0]!.value), 'others decided the other value after it')
  })

  it('sleeper that turns after every honest agent decided achieves nothing', () => {
    for (const seed of seeds) assert.equal(simulate({...at(0.75, 20), strategy: 'sleeper', seed, turnAtMs: 1e9}).outcome.safetyViolation, false)
  })

  it('withhold: stalls every seed where n - f < Q and none where n - f >= Q', () => {
    for (const q of [0.51, 0.75]) {
      const live = n - quorumSize(n, q)
      for (const seed of seeds) {
        assert.equal(simulate({...at(q, live), strategy: 'withhold', seed}).outcome.decided, true)
        assert.equal(simulate({...at(q, live + 1), strategy: 'withhold', seed, rounds: 8}).outcome.stalled, true)
      }
    }
  })

  it('forge, replay, delay: never a violation, never the attacker\'s value, decide where honest agents are a quorum', () => {
    for (const strategy of ['forge', 'replay', 'delay'] as const)
      for (const seed of seeds) {
        const r = simulate({...at(0.67, 13), strategy, seed})
        assert.equal(r.outcome.decided, true, `${strategy} seed ${seed}`)
        assert.deepEqual(r.outcome.decidedValues, [1])
      }
  })

  it('equivocate: violates only at f >= 2Q - n, and only in the seeds where a Byzantine agent leads first', () => {
    let violated = 0
    for (let seed = 1; seed <= 8; seed++) {
      const r = simulate({...at(0.75, 20), strategy: 'equivocate', seed})
      if (r.outcome.safetyViolation) violated++
      assert.equal(simulate({...at(0.75, 19), strategy: 'equivocate', seed}).outcome.safetyViolation, false)
    }
    assert.ok(violated > 0 && violated < 8, `violated in ${violated}/8 seeds`)
  })

  it('pull: proposals for later views without a timeout certificate are ignored; without view sync they win', () => {
    for (const seed of seeds) {
      const r = simulate({...at(0.75, 8), strategy: 'pull', seed})
      assert.deepEqual(r.outcome.decidedValues, [1], `seed ${seed}`)
      assert.ok(r.signatures.rejected.noViewProof > 0, 'the early proposals reached honest agents and were refused')
      assert.ok(r.signatures.rejected.invalidCertificate > 0, 'their forged timeout certificates were checked and failed')
      const off = simulate({...at(0.75, 8), strategy: 'pull', seed, viewSync: false})
      assert.deepEqual(off.outcome.decidedValues, [0], `seed ${seed}: without view sync the pulled fleet decides the attacker's value`)
    }
  })

  it('pull with real Ed25519 timeouts: the forged timeout certificate fails verification', () => {
    const r = simulate({...at(0.75, 8), strategy: 'pull', seed: 3, crypto: 'ed25519'})
    assert.deepEqual(r.outcome.decidedValues, [1])
    assert.ok(r.signatures.rejected.invalidCertificate > 0 && r.signatures.rejected.noViewProof > 0)
  })

  it('the registry: one file per strategy, each with its help and its claim', () => {
    const dir = join(import.meta.dirname, '../../../src/core/consensus/adversaries')
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'common.ts').map((f) => f.replace(/\.ts$/, ''))
    assert.deepEqual([...files].sort(), [...STRATEGIES].sort())
    for (const s of STRATEGIES) assert.ok(STRATEGY_HELP[s].length > 20 && STRATEGY_ACHIEVES[s].length > 20, s)
  })
})
