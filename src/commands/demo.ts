import {Flags} from '@oclif/core'
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {TcpCommand} from '../cli/base.js'
import {runDemo} from '../core/demo/index.js'
import {randomBytes} from '../core/crypto/random.js'
import {toHex} from '../core/bytes.js'
import {TcpError} from '../core/errors.js'
import {writeFileAtomic} from '../core/io.js'

const SAMPLE = fileURLToPath(new URL('../../examples/telemetry.jsonl', import.meta.url))

export default class Demo extends TcpCommand {
  static override summary = 'Run the main job end to end on bundled sample data, in a temporary folder'
  static override description = `Generates keys, builds and signs a baseline from bundled telemetry, verifies it, shows that a
tampered copy is rejected, checks a window of a compromised agent (findings), seals and unseals the raw data,
and runs the later topics' steps (proof, attestation, consensus) where this machine can.`

  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --keep --dir ./demo-out', '<%= config.bin %> demo --json']

  static override flags = {
    dir: Flags.string({description: 'work in this folder instead of a temporary one (kept; its keys open with --passphrase-file DIR/passphrase.txt)'}),
    keep: Flags.boolean({description: 'keep the temporary folder and print its path'}),
  }

  async run() {
    const {flags} = await this.parse(Demo)
    if (flags.dir && existsSync(flags.dir) && readdirSync(flags.dir).length > 0)
      throw new TcpError('exists', `--dir ${flags.dir} is not empty; the demo writes into an empty or new folder`)
    const dir = flags.dir ? resolve(flags.dir) : mkdtempSync(join(tmpdir(), 'tcp-demo-'))
    const passphrase = toHex(randomBytes(16))
    if (flags.dir || flags.keep) {
      // A kept folder's keys stay usable, under --json too (which silences notes): the passphrase is written beside
      // them, readable by the owner only, for --passphrase-file.
      await writeFileAtomic(join(dir, 'passphrase.txt'), passphrase + '\n', {mode: 0o600, what: 'demo passphrase'})
      this.note(`the demo's keys are encrypted with the passphrase in ${join(dir, 'passphrase.txt')} (use --passphrase-file)`)
    }
    try {
      const steps = await runDemo({dir, samplePath: SAMPLE, passphrase, log: (l) => this.note(l), artifacts: {}})
      for (const s of steps) this.log(`${s.ok ? 'ok  ' : s.blocked ? 'NOT RUN' : 'FAIL'} ${s.step}: ${s.skipped ? `skipped (${s.skipped})` : s.summary}`)
      const ok = steps.every((s) => s.ok)
      this.log(ok ? `demo complete: ${steps.length} steps as expected` : 'demo: some steps did not behave as expected')
      // A temporary folder is removed below: only a kept one is written (named as given with --dir).
      const result = {ok, steps, ...(flags.dir || flags.keep ? {written: {dir: flags.dir ?? dir}} : {})}
      if (!ok) throw new TcpError('rejected', `demo: step ${steps.find((s) => !s.ok && !s.blocked)!.step} did not behave as expected${steps.some((s) => s.blocked) ? ` (${steps.filter((s) => s.blocked).length} steps that depend on it not run)` : ''}`, result)
      return result
    } finally {
      if (!flags.dir && !flags.keep) rmSync(dir, {recursive: true, force: true})
      else this.note(`demo files kept in ${dir}`)
    }
  }
}
