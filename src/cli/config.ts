/**
 * User configuration, read from exactly two folders and never from their parents:
 *   1. the working directory: the `tcp` key of package.json, `.tcprc` (YAML or JSON), `.tcprc.json`, `.tcprc.yaml`,
 *      `.tcprc.yml`, then code: `.tcprc.js/.cjs/.mjs/.ts`, `tcp.config.js/.cjs/.mjs/.ts` (the first found is used);
 *   2. the user's own config dir (oclif's configDir: `$XDG_CONFIG_HOME/tcp`, usually `~/.config/tcp`):
 *      `config.json`, `config.yaml`, `config.yml`, `config`, then `config.js/.cjs/.mjs/.ts`.
 * Values of the working directory win over the user's, flags win over both. Paths are relative to their file.
 *
 * Two rules keep a folder someone else controls from acting as the user:
 * - code configuration (`.tcprc.js`, `tcp.config.mjs`...) never runs from the working directory: a fresh clone's files
 *   belong to the user, so ownership says nothing about who wrote them, and `tcp sign` there would run the
 *   checkout's code next to the passphrase and the key. Such a file is reported (`ignoredCode`), never executed.
 *   In the user's config dir code runs only when the file and its folder belong to the user and neither is
 *   writable by group or others;
 * - `trust` (the keys verifiers accept) and `tcti` (which program tpm2-tools talks to; `cmd:PROGRAM` runs one) are
 *   taken only from the user's config dir: a checkout under review cannot choose its own verifier or run a program
 *   through tpm2-tools. Such a key in the working directory is reported, never used.
 * cosmiconfig's own search is not used: it walks parents and reads a "meta" configuration (`.config/config.js`,
 * the `cosmiconfig` key of package.json) that can add search places and run code. Only its loaders are used.
 * `TCP_NO_CONFIG=1` reads nothing.
 */
import {lstat, readFile, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {dirname, extname, join, resolve} from 'node:path'
import {TcpError} from '../core/errors.js'
import {parseJson} from '../core/json.js'

export interface TcpConfig {
  /** Default signing key (PATH.key) for `tcp sign`. */
  key?: string
  /** Default trust directory for verifiers: from the user's config dir only. */
  trust?: string
  /** Default output folder for written artifacts. */
  outDir?: string
  /** Default TCTI for `tcp attest`. */
  tcti?: string
  /** The working directory's file, when one was read. */
  filepath?: string
  /** The user config dir's file, when one was read. */
  userFilepath?: string
  /** A working-directory file that names a trust directory (ignored: see above). */
  ignoredTrust?: string
  /** A code configuration file in the working directory (never executed: see above). */
  ignoredCode?: string
  /** A working-directory file that names a TCTI (ignored: a `cmd:` TCTI runs a program). */
  ignoredTcti?: string
}

const KEYS = ['key', 'trust', 'outDir', 'tcti'] as const

const DATA_PLACES = ['package.json', '.tcprc', '.tcprc.json', '.tcprc.yaml', '.tcprc.yml']
const CODE_PLACES = ['.tcprc.js', '.tcprc.cjs', '.tcprc.mjs', '.tcprc.ts', 'tcp.config.js', 'tcp.config.cjs', 'tcp.config.mjs', 'tcp.config.ts']
const USER_DATA_PLACES = ['config.json', 'config.yaml', 'config.yml', 'config']
const USER_CODE_PLACES = ['config.js', 'config.cjs', 'config.mjs', 'config.ts']

/** `~/…` for paths under the home folder, for messages. */
export function tildify(p: string): string {
  const h = homedir()
  return h && (p === h || p.startsWith(h + '/')) ? '~' + p.slice(h.length) : p
}

/**
 * Why code at `path` must not run as this user, or undefined. Checks the file and its folder: owned by the
 * effective user, not writable by group or others, not a symbolic link. Platforms without uids (Windows) are
 * judged by mode bits only.
 */
export async function unsafeToExecute(path: string): Promise<string | undefined> {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined
  for (const [p, what] of [[path, 'file'], [dirname(path), 'folder']] as const) {
    const st = await lstat(p)
    if (what === 'file' && st.isSymbolicLink()) return `the ${what} ${p} is a symbolic link`
    if (uid !== undefined && st.uid !== uid) return `the ${what} ${p} belongs to uid ${st.uid}, not to you (uid ${uid})`
    if (st.mode & 0o022) return `the ${what} ${p} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`
  }
  return undefined
}

/** Configuration files are small; a checkout can hold a symbolic link to /dev/zero or a huge file. */
const MAX_CONFIG_BYTES = 4 << 20

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p)
  } catch {
    return false
  }
  const st = await stat(p).catch(() => undefined)
  if (!st || !st.isFile()) throw new TcpError('input', `configuration ${p}: not a regular file`)
  if (st.size > MAX_CONFIG_BYTES) throw new TcpError('input', `configuration ${p}: ${st.size} bytes, more than the ${MAX_CONFIG_BYTES} a configuration may have`)
  return true
}

/** The raw object of the first configuration file in `dir`, or undefined. */
async function readPlace(dir: string, data: string[], code: string[], allowCode: boolean): Promise<{filepath: string; raw: unknown; ignoredCode?: boolean} | undefined> {
  for (const name of data) {
    const filepath = join(dir, name)
    if (!(await exists(filepath))) continue
    const text = await readFile(filepath, 'utf8').catch((e) => {
      throw new TcpError('io', `configuration ${filepath}: ${(e as Error).message}`)
    })
    if (name === 'package.json') {
      const pkg = parseJson(text, `configuration ${filepath}`) as Record<string, unknown> | null
      if (pkg && typeof pkg === 'object' && pkg.tcp !== undefined) return {filepath, raw: pkg.tcp}
      continue
    }
    if (extname(name) === '.json') return {filepath, raw: parseJson(text, `configuration ${filepath}`)}
    const {defaultLoaders} = await import('cosmiconfig')
    try {
      // js-yaml (cosmiconfig's YAML loader) refuses duplicate mapping keys, as parseJson does for JSON.
      return {filepath, raw: await defaultLoaders['.yaml']!(filepath, text)}
    } catch (e) {
      // cosmiconfig puts "YAML Error in FILE:" on the first line and the reason on the second.
      const lines = (e as Error).message.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('YAML Error in'))
      throw new TcpError('input', `configuration ${filepath}: ${lines[0] ?? 'not valid YAML'}`)
    }
  }
  for (const name of code) {
    const filepath = join(dir, name)
    if (!(await exists(filepath))) continue
    if (!allowCode) return {filepath, raw: undefined, ignoredCode: true}
    const why = await unsafeToExecute(filepath)
    if (why) throw new TcpError('input', `configuration ${filepath} was not executed: ${why}; remove it, fix its owner and mode, or set TCP_NO_CONFIG=1`)
    const {defaultLoaders} = await import('cosmiconfig')
    try {
      const loaded = await defaultLoaders[extname(name) as '.js' | '.cjs' | '.mjs' | '.ts'](filepath, await readFile(filepath, 'utf8'))
      return {filepath, raw: (loaded as {default?: unknown})?.default ?? loaded}
    } catch (e) {
      throw new TcpError('input', `configuration ${filepath}: ${(e as Error).message.split('\n')[0]}`)
    }
  }
  return undefined
}

function validate(found: {filepath: string; raw: unknown}): Partial<Record<(typeof KEYS)[number], string>> {
  const {filepath, raw} = found
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new TcpError('input', `configuration ${filepath}: expected an object`)
  const out: Partial<Record<(typeof KEYS)[number], string>> = {}
  for (const [k, v] of Object.entries(raw)) {
    if (!(KEYS as readonly string[]).includes(k))
      throw new TcpError('input', `configuration ${filepath}: unknown key "${k}" (known: ${KEYS.join(', ')})`)
    if (typeof v !== 'string') throw new TcpError('input', `configuration ${filepath}: "${k}" must be a string`)
    out[k as (typeof KEYS)[number]] = k === 'tcti' ? v : resolve(dirname(filepath), v)
  }
  return out
}

/**
 * Reads the working directory's configuration (`cwd`, never its parents; data files only) and the user's
 * (`userDir`, where the user's own code configuration may run).
 */
export async function loadConfig(cwd: string, opts: {userDir?: string} = {}): Promise<TcpConfig> {
  if (process.env.TCP_NO_CONFIG) return {}
  const out: TcpConfig = {}
  if (opts.userDir) {
    const u = await readPlace(opts.userDir, USER_DATA_PLACES, USER_CODE_PLACES, true)
    if (u) {
      const v = validate(u)
      // Trust anchors from a file another user can rewrite would be that user's choice, not ours.
      const why = v.trust === undefined ? undefined : await unsafeToExecute(u.filepath)
      if (why) throw new TcpError('input', `configuration ${u.filepath}: its "trust" is not used: ${why}`)
      Object.assign(out, v, {userFilepath: u.filepath})
    }
  }
  const w = await readPlace(cwd, DATA_PLACES, CODE_PLACES, false)
  if (w?.ignoredCode) out.ignoredCode = w.filepath
  else if (w) {
    const {trust, tcti, ...rest} = validate(w)
    // "key" and "outDir" choose what you sign with and where your outputs go: from a file or folder another user
    // can write (a shared /tmp) they are that user's choice, so they are refused like code.
    const why = Object.keys(rest).length ? await unsafeToExecute(w.filepath) : undefined
    if (why) throw new TcpError('input', `configuration ${w.filepath} was not used: ${why}; remove it, fix its owner and mode, or set TCP_NO_CONFIG=1`)
    Object.assign(out, rest, {filepath: w.filepath})
    if (trust !== undefined) out.ignoredTrust = w.filepath
    if (tcti !== undefined) out.ignoredTcti = w.filepath
  }
  return out
}
