// The simulator against the theory it claims: same seed same trace; safety below f = 2q - 1 under every strategy;
// liveness below f = 1 - q once the network heals; stalls and violations where theory says they can happen;
// forged and replayed votes never counted.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {simulate, STRATEGIES, theory, quorumSize, type SimOptions} from '../../../src/core/consensus/simulate.js'
import {isTcpError} from '../../../src/core/errors.js'

const base = {agents: 60, rounds: 30, crypto: 'model'} as const
const run = (o: Partial<SimOptions> & Pick<SimOptions, 'byzantine' | 'threshold' | 'strategy' | 'seed'>) => simulate({...base, ...o})

describe('consensus simulator: determinism', () => {
  it('same seed, same trace byte for byte; another seed, another trace', () => {
    const o = {agents: 30, byzantine: 0.2, threshold: 0.75, strategy: 'equivocate', rounds: 10, loss: 0.05, trace: true, crypto: 'ed25519'} as const
    const a = simulate({...o, seed: 42})
    const b = simulate({...o, seed: 42})
    const c = simulate({...o, seed: 43})
    assert.ok(a.trace && a.trace.length > 1000)
    assert.equal(a.trace, b.trace)
    assert.notEqual(a.trace, c.trace)
    assert.deepEqual(a.outcome, b.outcome)
    assert.deepEqual(a.messages, b.messages)
  })
})

describe('consensus simulator: theory boundaries (q = 0.75 unless said)', () => {
  it('no safety violation below f = 0.5 under any strategy', () => {
    for (const strategy of STRATEGIES)
      for (const byzantine of [0.1, 0.25, 0.35, 0.45])
        for (const seed of [1, 2]) {
          const r = run({byzantine, threshold: 0.75, strategy, seed})
          assert.equal(r.outcome.safetyViolation, false, `${strategy} f=${byzantine} seed=${seed}: ${JSON.stringify(r.outcome)}`)
        }
  })

  it('no stall below f = 0.25 once the partition has healed, under any strategy, with and without loss', () => {
    for (const strategy of STRATEGIES)
      for (const byzantine of [0, 0.1, 0.2])
        for (const [seed, loss] of [[3, 0], [4, 0.02]] as const) {
          const r = run({byzantine, threshold: 0.75, strategy, seed, loss, partition: {startMs: 0, endMs: 4000}})
          assert.equal(r.outcome.stalled, false, `${strategy} f=${byzantine} seed=${seed} loss=${loss}: ${JSON.stringify(r.outcome)}`)
          assert.equal(r.outcome.decided, true)
        }
  })

  it('stalls at f = 0.3 with withholding', () => {
    for (const seed of [5, 6, 7]) {
      const r = run({byzantine: 0.3, threshold: 0.75, strategy: 'withhold', seed})
      assert.equal(r.outcome.stalled, true)
      assert.equal(r.outcome.honestDecided, 0)
      assert.equal(r.outcome.safetyViolation, false)
    }
  })

  it('with q = 0.51 the strongest adversary breaks safety at f = 0.2 (real Ed25519 votes)', () => {
    for (const seed of [1, 2, 3]) {
      const r = simulate({agents: 100, byzantine: 0.2, threshold: 0.51, strategy: 'strongest', rounds: 30, seed})
      assert.equal(r.signatures.mode, 'ed25519')
      assert.equal(r.outcome.safetyViolation, true, `seed ${seed}: ${JSON.stringify(r.outcome)}`)
      assert.deepEqual(r.outcome.decidedValues, [0, 1])
      assert.equal(r.theory.safe, false)
    }
  })

  it('the same attack at q = 0.75 fails below f = 0.5 and succeeds at f = 0.5 (the bound is tight)', () => {
    assert.equal(run({byzantine: 0.45, threshold: 0.75, strategy: 'strongest', seed: 1, agents: 100}).outcome.safetyViolation, false)
    assert.equal(run({byzantine: 0.5, threshold: 0.75, strategy: 'strongest', seed: 1, agents: 100}).outcome.safetyViolation, true)
  })

  it('theory on counts matches the fractional bounds for q n integral', () => {
    assert.deepEqual(theory(100, 49, quorumSize(100, 0.75)), {safe: true, live: false, quorumIntersection: 50})
    assert.deepEqual(theory(100, 50, quorumSize(100, 0.75)), {safe: false, live: false, quorumIntersection: 50})
    assert.equal(theory(100, 25, 75).live, true)
    assert.equal(quorumSize(100, 0.51), 51)
  })
})

describe('consensus simulator: the pacemaker (timeout backoff)', () => {
  const D = 200
  it('decides once the network heals for Delta/timeout from 0.1 to 2, with f just under 1 - q (every seed, every liveness attacker)', () => {
    for (const strategy of ['withhold', 'forge', 'replay', 'delay', 'pull'] as const)
      for (const threshold of [0.51, 0.67, 0.75, 0.9])
        for (const ratio of [0.1, 0.25, 0.5, 1, 1.5, 2])
          for (const seed of [1, 2, 3]) {
            const n = 40
            const byzantine = (n - quorumSize(n, threshold)) / n
            const r = simulate({agents: n, byzantine, threshold, strategy, seed, rounds: 30, crypto: 'model', latency: {dist: 'uniform', min: 0, max: D}, maxDelayMs: D, timeoutMs: D / ratio, partition: {startMs: 0, endMs: 2500}})
            assert.equal(r.theory.live, true)
            assert.equal(r.outcome.decided, true, `${strategy} q=${threshold} f=${byzantine} Delta/timeout=${ratio} seed=${seed}: ${JSON.stringify(r.outcome)}`)
            assert.equal(r.outcome.safetyViolation, false)
          }
  })

  it('a fixed timeout (backoff 1) below the length of a view never decides: the case the backoff fixes', () => {
    const o = {agents: 40, byzantine: 0.2, threshold: 0.75, strategy: 'withhold', rounds: 40, crypto: 'model', latency: {dist: 'uniform', min: 0, max: 400}, maxDelayMs: 400} as const
    for (const seed of [1, 2]) {
      assert.equal(simulate({...o, seed, backoff: 1}).outcome.stalled, true)
      const r = simulate({...o, seed})
      assert.equal(r.outcome.decided, true)
      assert.equal(r.config.backoff, 2)
    }
  })

  it('stalls where theory says not live, whatever the timeout (one Byzantine agent too many)', () => {
    for (const ratio of [0.1, 2]) {
      const n = 40
      const byzantine = (n - quorumSize(n, 0.75) + 1) / n
      const r = simulate({agents: n, byzantine, threshold: 0.75, strategy: 'withhold', seed: 1, rounds: 12, crypto: 'model', maxDelayMs: D, timeoutMs: D / ratio})
      assert.equal(r.theory.live, false)
      assert.equal(r.outcome.stalled, true)
    }
  })
})

describe('consensus simulator: forged and replayed votes', () => {
  for (const strategy of ['forge', 'replay'] as const) {
    for (const crypto of ['ed25519', 'model'] as const) {
      it(`${strategy} (${crypto}): never counted; honest agents alone (70%) cannot reach 75%, so nothing is decided`, () => {
        const r = simulate({agents: 40, byzantine: 0.3, threshold: 0.75, strategy, rounds: 12, seed: 9, crypto})
        assert.equal(r.outcome.honestDecided, 0, JSON.stringify(r.outcome))
        assert.equal(r.outcome.stalled, true)
        assert.ok(r.signatures.rejected.invalidCertificate > 0, 'forged certificates were delivered and rejected')
        assert.ok(r.signatures.rejected.badSignature + r.signatures.rejected.wrongRound > 0, 'forged or replayed votes reached leaders and were rejected')
      })
    }
    it(`${strategy}: with enough honest agents the honest value is decided and the attacker's never`, () => {
      const r = simulate({agents: 40, byzantine: 0.2, threshold: 0.75, strategy, rounds: 12, seed: 11, crypto: 'ed25519'})
      assert.equal(r.outcome.decided, true)
      assert.deepEqual(r.outcome.decidedValues, [1])
    })
  }

  it('bias: a Byzantine first leader can steer the decision to its value without breaking safety', () => {
    let biased = 0
    for (let seed = 1; seed <= 12; seed++) {
      const r = run({byzantine: 0.3, threshold: 0.67, strategy: 'bias', seed})
      assert.equal(r.outcome.safetyViolation, false)
      if (r.outcome.biased) biased++
    }
    assert.ok(biased > 0 && biased < 12, `biased in ${biased}/12 runs`)
  })
})

describe('consensus simulator: input errors', () => {
  const bad: Array<[string, Partial<SimOptions>, RegExp]> = [
    ['agents', {agents: 3}, /--agents/],
    ['byzantine', {byzantine: 1.5}, /--byzantine/],
    ['threshold', {threshold: 0}, /--threshold/],
    ['rounds', {rounds: 0}, /--rounds/],
    ['strategy', {strategy: 'nope' as never}, /--strategy/],
    ['ed25519 at scale', {agents: 6000, crypto: 'ed25519'}, /at most 5000/],
    ['trace at scale', {agents: 200_000, trace: true}, /--trace/],
    ['negative delay (messages before they are sent)', {strategy: 'delay', delayMs: -5000}, /--delay-ms/],
    ['negative turn time', {strategy: 'sleeper', turnAtMs: -1}, /--turn-at-ms/],
    ['backoff below 1 (shrinking timeouts)', {backoff: 0.5}, /--backoff/],
  ]
  for (const [name, o, re] of bad)
    it(`rejects bad ${name} with a usage error`, () => {
      assert.throws(
        () => simulate({agents: 10, byzantine: 0.1, threshold: 0.75, strategy: 'withhold', rounds: 3, seed: 1, ...o}),
        (e: unknown) => isTcpError(e) && e.code === 'usage' && re.test(e.message),
      )
    })
})

describe('consensus simulator: timing adversaries', () => {
  it('sleepers are honest until they turn: never turning is safe, turning at once breaks a 51% quorum', () => {
    const o = {agents: 60, byzantine: 0.2, threshold: 0.51, rounds: 30, crypto: 'model', partition: {startMs: 0, endMs: 20_000}} as const
    for (const seed of [1, 2, 3]) {
      const late = simulate({...o, strategy: 'sleeper', seed, turnAtMs: 1e9})
      // Still honest, the sleepers (who reach both halves) vote once per view: one half decides, safely.
      assert.equal(late.outcome.safetyViolation, false, `seed ${seed}: ${JSON.stringify(late.outcome)}`)
      assert.equal(late.outcome.decided, true)
      const early = simulate({...o, strategy: 'sleeper', seed, turnAtMs: 0})
      assert.equal(early.outcome.safetyViolation, true, `seed ${seed}: ${JSON.stringify(early.outcome)}`)
    }
  })

  it('delay: late Byzantine messages slow the decision (a delayed leader costs a view) but break nothing', () => {
    const base = {agents: 60, byzantine: 0.2, threshold: 0.75, rounds: 20, crypto: 'model', seed: 4} as const
    const d = simulate({...base, strategy: 'delay', delayMs: 5000})
    assert.equal(d.outcome.decided, true)
    assert.equal(d.outcome.safetyViolation, false)
    const h = simulate({...base, byzantine: 0, strategy: 'delay'})
    assert.ok(d.latencyMs!.p50 > h.latencyMs!.p50, `delayed ${d.latencyMs!.p50} ms vs honest ${h.latencyMs!.p50} ms`)
    assert.ok(d.signatures.rejected.wrongRound > 0 || d.outcome.roundsToDecide! > 1, 'some late message missed its view, or a delayed leader cost a view')
  })
})
