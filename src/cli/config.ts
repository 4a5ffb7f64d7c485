/**
 * User configuration through cosmiconfig: the `tcp` key of package.json, `.tcprc`, `.tcprc.json`, `.tcprc.yaml`,
 * `.tcprc.js`, `tcp.config.js`, `tcp.config.mjs`, `tcp.config.ts` (searched upward from the working directory).
 * Flags always win over configuration. Paths in a config file are relative to that file.
 */
import {dirname, resolve} from 'node:path'
import {TcpError} from '../core/errors.js'

export interface TcpConfig {
  /** Default signing key (PATH.key) for `tcp sign`. */
  key?: string
  /** Default trust directory for `tcp verify`. */
  trust?: string
  /** Default output folder for written artifacts. */
  outDir?: string
  /** Default TCTI for `tcp attest`. */
  tcti?: string
  /** Where the file was found, when one was. */
  filepath?: string
}

const KEYS = ['key', 'trust', 'outDir', 'tcti'] as const

/** Data-only places: what verifying commands read, so that a checkout under review cannot run code in them. */
const DATA_PLACES = ['package.json', '.tcprc', '.tcprc.json', '.tcprc.yaml', '.tcprc.yml']

/**
 * Searches from `cwd` up to the project root (the nearest folder with a package.json), never above it.
 * With allowCode false only data files are read (no .js/.mjs/.ts configuration is ever executed).
 */
export async function loadConfig(cwd: string, opts: {allowCode?: boolean} = {}): Promise<TcpConfig> {
  if (process.env.TCP_NO_CONFIG) return {}
  const {cosmiconfig} = await import('cosmiconfig')
  let found
  try {
    const options = opts.allowCode === false ? {searchStrategy: 'project' as const, searchPlaces: DATA_PLACES} : {searchStrategy: 'project' as const}
    found = await cosmiconfig('tcp', options).search(cwd)
  } catch (e) {
    throw new TcpError('input', `configuration: ${(e as Error).message.split('\n')[0]}`)
  }
  if (!found || found.isEmpty) return {}
  const raw = found.config as Record<string, unknown>
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TcpError('input', `configuration ${found.filepath}: expected an object`)
  const out: TcpConfig = {filepath: found.filepath}
  const base = dirname(found.filepath)
  for (const k of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(k))
      throw new TcpError('input', `configuration ${found.filepath}: unknown key "${k}" (known: ${KEYS.join(', ')})`)
    const v = raw[k]
    if (typeof v !== 'string') throw new TcpError('input', `configuration ${found.filepath}: "${k}" must be a string`)
    out[k as (typeof KEYS)[number]] = k === 'tcti' ? v : resolve(base, v)
  }
  return out
}
