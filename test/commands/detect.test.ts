// tcp detect and tcp sample --scenario in process: exit 3 with findings, 0 on an honest fleet, 2 on bad input,
// 1 when the signed baseline does not verify; the SVG is written atomically and never overwritten without --force.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcp, tempDir} from '../helpers/cli.js'

const PASS = {TCP_PASSPHRASE: 'correct horse'}

describe('tcp detect', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  before(async () => {
    const s = await tcp(['sample', '--scenario', 'sleeper', '--agents', '400', '--observations', '120', '--seed', '7', '--out', p('sleeper.jsonl'), '--truth', p('truth.json'), '--json'])
    assert.equal(s.code, 0, s.stderr)
    assert.equal(s.json().compromisedAgents.length, 20)
    const h = await tcp(['sample', '--scenario', 'drift', '--compromised', '0', '--agents', '200', '--observations', '60', '--seed', '8', '--out', p('honest.jsonl')])
    assert.equal(h.code, 0, h.stderr)
  })

  it('finds the sleeper group (exit 3), names it in text, JSON and the SVG timeline', async () => {
    const truth = JSON.parse(readFileSync(p('truth.json'), 'utf8'))
    assert.equal(truth.type, 'tcp.sample.truth/v1')
    assert.equal(truth.onset, 60)
    const r = await tcp(['detect', '--from', p('sleeper.jsonl'), '--svg', p('t.svg'), '--json'])
    assert.equal(r.code, 3, r.stderr)
    const j = r.json()
    assert.equal(j.type, 'tcp.detect/v1')
    assert.deepEqual(j.written, {timeline: p('t.svg')})
    assert.equal(j.input.format, 'jsonl')
    const group = j.findings.find((f: {detector: string}) => f.detector === 'coordinated-onset')
    assert.ok(group, JSON.stringify(j.findings.map((f: {summary: string}) => f.summary)))
    assert.ok(truth.attackers.filter((a: string) => group.members.includes(a)).length >= 18)
    assert.ok(group.from <= 60 && group.to >= 60 - 10)
    const svg = readFileSync(p('t.svg'), 'utf8')
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    assert.ok(truth.attackers.slice(0, 5).every((a: string) => svg.includes(`>${a}<`)))
    const text = await tcp(['detect', '--from', p('sleeper.jsonl')])
    assert.equal(text.code, 3)
    assert.match(text.stdout, /FINDING coordinated-onset/)
    assert.match(text.stdout, /findings: \d+; agents named: \d+/)
  })

  it('an honest fleet: exit 0 and "no findings"', async () => {
    const r = await tcp(['detect', '--from', p('honest.jsonl')])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /no findings/)
  })

  it('attackers that withhold one observation each are not examined, and that is a finding (exit 3), not a clean run', async () => {
    const truth = JSON.parse(readFileSync(p('truth.json'), 'utf8'))
    const attackers = new Set<string>(truth.attackers)
    const dropped = new Set<string>()
    const kept = readFileSync(p('sleeper.jsonl'), 'utf8').split('\n').filter((l) => {
      if (!l) return false
      const agent = JSON.parse(l).agent as string
      if (!attackers.has(agent) || dropped.has(agent)) return true
      dropped.add(agent)
      return false
    })
    writeFileSync(p('withheld.jsonl'), kept.join('\n') + '\n')
    const r = await tcp(['detect', '--from', p('withheld.jsonl'), '--json'])
    assert.equal(r.code, 3, r.stderr)
    assert.deepEqual([...r.json().input.shortAgents].sort(), [...attackers].sort())
    const text = await tcp(['detect', '--from', p('withheld.jsonl')])
    assert.equal(text.code, 3)
    assert.match(text.stdout, /FINDING not-examined: 20 agent\(s\) sent fewer than 120 observations/)
  })

  it('refuses to overwrite the SVG without --force; bad flags and bad files exit 2', async () => {
    writeFileSync(p('keep.svg'), 'mine')
    const r = await tcp(['detect', '--from', p('honest.jsonl'), '--svg', p('keep.svg')])
    assert.equal(r.code, 2)
    assert.equal(readFileSync(p('keep.svg'), 'utf8'), 'mine')
    assert.equal((await tcp(['detect', '--from', p('honest.jsonl'), '--svg', p('keep.svg'), '--force'])).code, 0)
    assert.notEqual(readFileSync(p('keep.svg'), 'utf8'), 'mine')
    const fpr = await tcp(['detect', '--from', p('honest.jsonl'), '--fpr', '2', '--json'])
    assert.equal(fpr.code, 2)
    assert.match(fpr.json().error.message, /--fpr: expected a number between 0 and 0.5/)
    const missing = await tcp(['detect', '--from', p('nope.jsonl'), '--json'])
    assert.equal(missing.code, 2)
    assert.equal(missing.json().error.code, 'not_found')
    writeFileSync(p('bad.jsonl'), readFileSync(p('honest.jsonl'), 'utf8') + '{"agent":"x","time":"2026-01-01T00:00:00Z"}\n')
    const bad = await tcp(['detect', '--from', p('bad.jsonl')])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /bad\.jsonl:12001: expected the 4 features/)
    assert.equal((await tcp(['detect', '--from', p('honest.jsonl'), '--pub', p('x.pub')])).code, 2, '--pub needs --baseline')
    assert.equal((await tcp(['detect', '--from', p('honest.jsonl'), '--detector', 'nope'])).code, 2)
  })

  it('--baseline: a signed fleet baseline is the reference; a tampered one is rejected (exit 1)', async () => {
    assert.equal((await tcp(['keys', 'generate', '--out', p('alice')], PASS)).code, 0)
    assert.equal((await tcp(['baseline', 'create', '--from', p('honest.jsonl'), '--subject', 'fleet/test', '--out', p('b.json')])).code, 0)
    assert.equal((await tcp(['sign', p('b.json'), '--key', p('alice.key'), '--out', p('b.dsse.json')], PASS)).code, 0)
    const ok = await tcp(['detect', '--from', p('honest.jsonl'), '--baseline', p('b.dsse.json'), '--pub', p('alice.pub'), '--json'])
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    assert.equal(ok.json().reference.mode, 'baseline')
    assert.match(ok.json().reference.from, /signed baseline "fleet\/test" v1, signatures verified with --pub/)
    const env = JSON.parse(readFileSync(p('b.dsse.json'), 'utf8'))
    const body = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'))
    body.features.risk_bias.mean += 0.01
    env.payload = Buffer.from(JSON.stringify(body)).toString('base64')
    writeFileSync(p('t.dsse.json'), JSON.stringify(env))
    const tampered = await tcp(['detect', '--from', p('honest.jsonl'), '--baseline', p('t.dsse.json'), '--pub', p('alice.pub'), '--json'])
    assert.equal(tampered.code, 1)
    assert.equal(tampered.json().error.code, 'rejected')
  })
})

describe('tcp sample --scenario', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  it('same seed, same bytes; the truth lists the attackers; nothing is written when --truth exists', async () => {
    for (const n of ['a', 'b']) assert.equal((await tcp(['sample', '--scenario', 'clones', '--agents', '50', '--observations', '10', '--compromised', '5', '--seed', '3', '--out', p(`${n}.jsonl`), '--truth', p(`${n}.json`)])).code, 0)
    assert.equal(readFileSync(p('a.jsonl'), 'utf8'), readFileSync(p('b.jsonl'), 'utf8'))
    const truth = JSON.parse(readFileSync(p('a.json'), 'utf8'))
    assert.deepEqual([truth.scenario, truth.attackers.length, truth.groups.length, truth.onset], ['clones', 5, 1, null])
    const again = await tcp(['sample', '--scenario', 'drift', '--agents', '50', '--observations', '10', '--seed', '3', '--out', p('c.jsonl'), '--truth', p('a.json')])
    assert.equal(again.code, 2)
    assert.equal(existsSync(p('c.jsonl')), false)
    assert.equal((await tcp(['sample', '--agents', '5', '--observations', '10', '--onset', '3', '--seed', '1', '--out', p('d.jsonl')])).code, 2, '--onset needs --scenario')
    assert.equal((await tcp(['sample', '--scenario', 'sleeper', '--agents', '50', '--observations', '10', '--onset', '10', '--seed', '1', '--out', p('e.jsonl')])).code, 2)
    assert.equal((await tcp(['sample', '--scenario', 'sleeper', '--agents', '50', '--observations', '10', '--drift', 'x', '--seed', '1', '--out', p('e.jsonl')])).code, 2)
  })
})
