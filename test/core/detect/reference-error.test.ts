// The fleet reference is estimated from the fleet itself (medians over n agents of their first refLen observations).
// With a short window or a small fleet, its error is comparable to what the detectors look for; the calibration must
// include it, or honest fleets get findings far more often than --fpr says.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {detectFleet} from '../../../src/core/detect/index.js'
import {ScenarioFleet, materialise} from '../../../src/core/sample/scenarios.js'

describe('detect: the fleet reference is an estimate', () => {
  it('honest 100 x 240 fleets with --window 4 keep the stated rate (0.1 for each of two detectors at --fpr 0.2)', () => {
    const runs = 20
    const hits: Record<string, number> = {}
    for (let s = 0; s < runs; s++) {
      const fleet = materialise(new ScenarioFleet({scenario: 'drift', agents: 100, observations: 240, seed: 900 + s, compromised: 0}))
      const r = detectFleet(fleet, {fpr: 0.2, window: 4, detectors: ['drift', 'coordinated-onset']})
      for (const d of new Set(r.findings.map((f) => f.detector))) hits[d] = (hits[d] ?? 0) + 1
    }
    // Stated: 0.1 per detector here (0.2 over two); at most 5 of 20 runs with a finding leaves room for chance.
    // Before the reference error was calibrated, drift fired in about half of these runs.
    assert.ok((hits.drift ?? 0) <= 5 && (hits['coordinated-onset'] ?? 0) <= 5, JSON.stringify(hits))
  })
})
