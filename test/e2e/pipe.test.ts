// `tcp ... | head` is how people read output (`tcp sample --help` shows `--out - | head -3`). When the reader stops
// early, tcp must end with a documented exit code, silently: review 2 found exit 13 (Node's "unsettled top-level
// await": the final flush of stdout never drained), which fails every `set -o pipefail` script.
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {BIN} from '../helpers/cli.js'

function throughHead(args: string): {status: string; stderr: string; first: string} {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${args} | head -1; echo "status \${PIPESTATUS[0]}" >&2`], {encoding: 'utf8', env: {...process.env, TCP_NO_CONFIG: '1'}})
  return {status: /status (\d+)/.exec(r.stderr)?.[1] ?? '?', stderr: r.stderr.replace(/status \d+\n?/, ''), first: r.stdout}
}

describe('a reader that stops early (| head)', () => {
  for (const args of ['sample --agents 300 --observations 300 --seed 1 --out -', '--help', 'sample --help']) {
    it(`tcp ${args} | head -1: exit 0, one line out, nothing on stderr but tcp's own notes`, () => {
      const r = throughHead(args)
      assert.equal(r.first.split('\n').filter(Boolean).length, 1)
      assert.equal(r.status, '0', r.stderr)
      assert.doesNotMatch(r.stderr, /Error|EPIPE|at .*\.js/, r.stderr)
    })
  }
})
