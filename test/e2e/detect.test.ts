// tcp sample --scenario and tcp detect as whole processes of the built bin/run.js: exit codes and stdout documents.
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {tcpProcess, tempDir} from '../helpers/cli.js'

describe('tcp detect (whole process)', () => {
  const t = tempDir()
  const p = (n: string) => join(t.dir, n)
  after(t.cleanup)

  it('clones among 300 agents: exit 3 with the group; --help teaches', () => {
    const s = tcpProcess(['sample', '--scenario', 'clones', '--agents', '300', '--observations', '40', '--compromised', '6', '--seed', '2', '--out', p('c.jsonl'), '--json'])
    assert.equal(s.code, 0, s.stderr)
    const attackers: string[] = s.json().compromisedAgents
    const r = tcpProcess(['detect', '--from', p('c.jsonl'), '--detector', 'clones', '--json'])
    assert.equal(r.code, 3, r.stderr)
    const [group] = r.json().findings
    assert.deepEqual([...group.members].sort(), [...attackers].sort())
    const h = tcpProcess(['detect', '--help'])
    assert.equal(h.code, 0)
    assert.match(h.stdout, /EXAMPLES/)
  })
})
