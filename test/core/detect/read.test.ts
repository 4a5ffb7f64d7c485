// Streaming telemetry into a fleet: JSONL and CSV give the same arrays; every malformed line is refused by number.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tempDir} from '../../helpers/cli.js'
import {readFleet} from '../../../src/core/detect/read.js'
import {ScenarioFleet, scenarioJsonl} from '../../../src/core/sample/scenarios.js'

const line = (agent: string, min: number, x: number, y = 1) => JSON.stringify({agent, time: new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString(), x, y})

describe('detect: reading telemetry', () => {
  const t = tempDir()
  after(t.cleanup)
  const file = (name: string, text: string) => {
    const p = join(t.dir, name)
    writeFileSync(p, text)
    return p
  }

  it('a scenario file reads back to the values the generator made', async () => {
    const src = new ScenarioFleet({scenario: 'sleeper', agents: 30, observations: 20, seed: 3})
    const {fleet, format, truncatedAgents} = await readFleet(file('s.jsonl', scenarioJsonl(src, 1e6)))
    assert.equal(format, 'jsonl')
    assert.equal(truncatedAgents, 0)
    assert.deepEqual([fleet.agents, fleet.observations, fleet.features], [30, 20, src.features])
    const a = new Float64Array(80)
    const b = new Float64Array(80)
    for (let i = 0; i < 30; i++) {
      fleet.fill(i, a)
      src.fill(i, b)
      assert.deepEqual(a, b)
      assert.equal(fleet.name(i), src.name(i))
    }
    assert.equal(fleet.time(19), Date.parse('2026-01-01T00:19:00Z'))
  })

  it('CSV and JSONL of the same records give the same fleet; records out of order are sorted by time', async () => {
    const rows: Array<[string, number, number]> = []
    for (let m = 9; m >= 0; m--) for (const a of ['b', 'a']) rows.push([a, m, m * 10 + (a === 'a' ? 1 : 2)])
    const j = await readFleet(file('o.jsonl', rows.map(([a, m, x]) => line(a, m, x)).join('\n') + '\n'))
    const csv = 'time,agent,x,y\n' + rows.map(([a, m, x]) => `${new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString()},"${a}",${x},1`).join('\r\n') + '\r\n'
    const c = await readFleet(file('o.csv', csv))
    assert.equal(c.format, 'csv')
    const u = new Float64Array(20)
    const v = new Float64Array(20)
    for (let i = 0; i < 2; i++) {
      j.fleet.fill(i, u)
      c.fleet.fill(i, v)
      assert.deepEqual(u, v)
    }
    j.fleet.fill(j.fleet.name(0) === 'b' ? 1 : 0, u)
    assert.deepEqual(Array.from({length: 10}, (_, t) => u[2 * t]), Array.from({length: 10}, (_, t) => t * 10 + 1))
  })

  it('T is the median count: longer agents keep their last T, shorter ones are left out and named', async () => {
    const series = (a: string, len: number) => Array.from({length: len}, (_, m) => line(a, m, m))
    const r = await readFleet(file('t.jsonl', [...series('a', 12), ...series('b', 9), ...series('c', 9)].join('\n')))
    assert.equal(r.fleet.observations, 9)
    assert.equal(r.truncatedAgents, 1)
    const u = new Float64Array(18)
    r.fleet.fill(0, u)
    assert.equal(u[0], 3)
    // One agent reporting 8 observations cannot shorten everyone's series to 8 (a blinding attack): it is left out
    // and named instead.
    const s = await readFleet(file('s.jsonl', [...series('a', 20), ...series('b', 20), ...series('x', 8), ...series('c', 20)].join('\n')))
    assert.equal(s.fleet.observations, 20)
    assert.deepEqual(s.shortAgents, ['x'])
    assert.deepEqual(Array.from({length: s.fleet.agents}, (_, i) => s.fleet.name(i)), ['a', 'b', 'c'])
  })

  it('refuses malformed input with the file and line', async () => {
    const good = Array.from({length: 8}, (_, m) => [line('a', m, 1), line('b', m, 2)]).flat()
    const bad = async (name: string, lines: string[], re: RegExp) => {
      await assert.rejects(readFleet(file(name, lines.join('\n'))), (e: Error & {code?: string}) => {
        assert.match(e.message, re)
        assert.equal(e.code, 'input')
        return true
      })
    }
    await bad('1.jsonl', [...good, '{"agent":"a","time":"2026-01-01T01:00:00Z","x":"1","y":1}'], /1\.jsonl:17: feature "x" must be a finite number/)
    await bad('2.jsonl', [...good, '{"agent":"a","time":"2026-01-01T01:00:00Z","x":1}'], /:17: expected the 2 features/)
    await bad('3.jsonl', [...good, '{"agent":"a","time":"2026-01-01T01:00:00Z","x":1,"z":1}'], /:17: feature "y" must be a finite number, got nothing/)
    await bad('4.jsonl', [...good, '{"time":"2026-01-01T01:00:00Z","x":1,"y":1}'], /:17: "agent" must be a non-empty string/)
    // Agent names are printed on terminals and in the SVG: no escape sequence or carriage return may ride in one.
    await bad('4b.jsonl', [...good, '{"agent":"a\\u001b[2K\\r","time":"2026-01-01T01:00:00Z","x":1,"y":1}'], /:17: "agent" "a\\u001b\[2K\\r" contains a control character/)
    await bad('4c.csv', ['agent,time,x', 'a\u202e,2026-01-01T00:00:00Z,1'], /:2: "agent" .* contains a control character/)
    await bad('5.jsonl', [...good, '{"agent":"a","time":"yesterday","x":1,"y":1}'], /:17: "time": expected an RFC 3339 time/)
    // The parsed-time cache must never stand in for a missing or empty time.
    await bad('5b.jsonl', [...good, '{"agent":"a","time":null,"x":1,"y":1}', '{"agent":"a","time":null,"x":1,"y":1}'], /:17: "time": expected an RFC 3339 time/)
    await bad('5c.csv', ['agent,time,x', 'a,,1'], /:2: "time": expected an RFC 3339 time/)
    await bad('6.jsonl', [...good, 'not json'], /:17: not valid JSON/)
    await bad('7.jsonl', [...good, line('a', 3, 5)], /agent "a" has two observations at 2026-01-01T00:03:00.000Z/)
    await bad('8.jsonl', good.slice(0, 14), /agents have a median of 7 observations; at least 8 are needed/)
    await bad('9.jsonl', good.filter((l) => l.includes('"a"')), /at least 2 agents, got 1/)
    await bad('10.jsonl', ['{"agent":"a","time":"2026-01-01T00:00:00Z","__proto__":1}'], /"__proto__" cannot be a feature name|no numeric features/)
    await bad('11.csv', ['time,x', '2026-01-01T00:00:00Z,1'], /header needs "agent" and "time"/)
    await bad('12.csv', ['agent,time,x', 'a,2026-01-01T00:00:00Z,1e400'], /must be a number/)
    await bad('13.csv', ['agent,time,x', 'a,2026-01-01T00:00:00Z'], /:2: expected 3 fields, got 2/)
    await assert.rejects(readFleet(join(t.dir, 'missing.jsonl')), /no such file/)
    await assert.rejects(readFleet(file('e.jsonl', '\n\n')), /empty file/)
    await assert.rejects(readFleet(file('big.jsonl', good.join('\n')), {maxLines: 10}), /more than 10 lines/)
  })
})
