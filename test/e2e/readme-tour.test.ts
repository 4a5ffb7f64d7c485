// The README's short tour is what a new user types first: run it as written, line by line, in an empty folder with
// `tcp` on the PATH, and hold each line to the exit status its comment promises (`# exit N`, else 0). readme.test.ts
// checks that the commands and flags exist; this checks that the tour works (review 2: it signed to b1.json.dsse.json
// and then verified b1.dsse.json, checked a late.jsonl nothing had written, and unsealed over its own input).
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, ROOT, tempDir} from '../helpers/cli.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

describe('README tour', () => {
  const t = tempDir('tcp-tour-')
  after(t.cleanup)

  it('runs as written; every line exits as its comment says', () => {
    const section = readme.slice(readme.indexOf('## A short tour'))
    // The first two blocks: the core tour and the fleet layer (the third needs a TPM and a minute of setup).
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1]!)
    assert.equal(blocks.length, 2, 'two sh blocks under "## A short tour"')
    const block = blocks.join('')
    const bin = join(t.dir, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'tcp'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'tcp'), 0o755)
    const work = join(t.dir, 'work')
    mkdirSync(work)
    const env: NodeJS.ProcessEnv = {...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: t.dir, XDG_CONFIG_HOME: join(t.dir, 'xdg'), TCP_NO_CONFIG: ''}
    delete env.TCP_PASSPHRASE // the tour must say where the passphrase comes from
    const lines = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
    assert.ok(lines.length >= 8, `only ${lines.length} lines`)
    // One shell for the whole block, so that `export` lines carry over; each line reports its own status.
    const script = lines.map((l, i) => `${l.replace(/\s#.*$/, '')}\necho "@@ ${i} $?" >&2`).join('\n')
    const r = spawnSync('bash', ['-c', script], {cwd: work, env, encoding: 'utf8', timeout: 180_000})
    const status = new Map([...r.stderr.matchAll(/^@@ (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]))
    lines.forEach((line, i) => {
      const want = Number(/#.*\bexit (\d)/.exec(line)?.[1] ?? 0)
      assert.equal(status.get(i), want, `"${line.trim()}" exited ${status.get(i)}, the README says ${want}\n${r.stderr}`)
    })
  })
})
