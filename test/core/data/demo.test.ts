// Issue 9 item 16: a failed demo step no longer stops the demo; steps that need what it did not produce are
// marked, the others run.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {runDemo, type DemoStep} from '../../../src/core/demo/index.js'

const step = (name: string, run: DemoStep['run']): DemoStep => ({name, run})

describe('item 16: demo steps after a failure', () => {
  it('runs independent steps, marks dependent ones, withdraws a failed step\'s artifacts', async () => {
    const ran: string[] = []
    const steps: DemoStep[] = [
      step('keys', async (ctx) => {
        ctx.artifacts.key = 'k'
        ran.push('keys')
        return {step: 'keys', ok: true, summary: 'made keys'}
      }),
      step('sign', async (ctx) => {
        ctx.artifacts.signed = 'half-written'
        ran.push('sign')
        throw new Error('disk on fire')
      }),
      step('verify', async (ctx) => {
        ran.push('verify')
        return {step: 'verify', ok: true, summary: `verified ${ctx.artifacts.signed!.length}`}
      }),
      step('seal', async (ctx) => {
        ran.push('seal')
        return {step: 'seal', ok: true, summary: `sealed with ${ctx.artifacts.key}`}
      }),
      step('consensus', async () => {
        ran.push('consensus')
        return {step: 'consensus', ok: true, summary: 'agreed'}
      }),
    ]
    const r = await runDemo({dir: '/nonexistent', samplePath: '', passphrase: 'p', log: () => {}, artifacts: {}}, [async () => ({steps})])
    assert.deepEqual(r.map((s) => [s.step, s.ok, Boolean(s.blocked)]), [
      ['keys', true, false],
      ['sign', false, false],
      ['verify', false, true],
      ['seal', true, false],
      ['consensus', true, false],
    ])
    assert.match(r[2]!.blocked!, /needs "signed", which failed step "sign" did not produce/)
    assert.match(r[1]!.summary, /disk on fire/)
    assert.deepEqual(ran, ['keys', 'sign', 'verify', 'seal', 'consensus'])
  })
})
