import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {EventQueue, Kind} from '../../../src/core/consensus/queue.js'

describe('consensus event queue', () => {
  it('pops in (time, insertion) order across the heap and the FIFO of later events, through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({min: 0, max: 50}), fc.boolean()), {maxLength: 300}), (ops) => {
        const q = new EventQueue(4)
        const present: Array<[number, number]> = [] // [time, id]; ids increase with insertion
        let id = 0
        let lastLater = 0
        const popOne = (): void => {
          let m = 0
          for (let i = 1; i < present.length; i++) {
            const [t, k] = present[i]!
            const [tm, km] = present[m]!
            if (t < tm || (t === tm && k < km)) m = i
          }
          const [t, k] = present.splice(m, 1)[0]!
          const s = q.pop()
          assert.deepEqual([q.time[s], q.ref[s]], [t, k])
          q.release(s)
        }
        for (const [later, dt, pop] of ops) {
          if (pop && present.length > 0) {
            popOne()
            continue
          }
          const t = later ? (lastLater += dt) : dt
          if (later) q.pushLater(t, Kind.Timeout, 0, 0, 0, 0, id, 0)
          else q.push(t, Kind.Propose, 0, 0, 0, 0, id, 0)
          present.push([t, id++])
          assert.equal(q.size, present.length)
        }
        while (present.length > 0) popOne()
        assert.equal(q.size, 0)
      }),
      {numRuns: 200, seed: 7},
    )
  })

  it('orders ties by insertion and refuses a later event that goes back in time', () => {
    const q = new EventQueue(2)
    q.push(5, Kind.Propose, 0, 0, 0, 0, 1, 0)
    q.pushLater(5, Kind.Timeout, 0, 0, 0, 0, 2, 0)
    q.push(5, Kind.Propose, 0, 0, 0, 0, 3, 0)
    q.push(1, Kind.Propose, 0, 0, 0, 0, 0, 0)
    const order = [0, 1, 2, 3].map(() => {
      const s = q.pop()
      q.release(s)
      return q.ref[s]
    })
    assert.deepEqual(order, [0, 1, 2, 3])
    q.pushLater(10, Kind.Timeout, 0, 0, 0, 0, 4, 0)
    assert.throws(() => q.pushLater(9, Kind.Timeout, 0, 0, 0, 0, 5, 0), /backwards/)
  })
})
