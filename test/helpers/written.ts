// Checks of the --json rules a schema cannot express (docs/json.md rules 4 and 5): every file or directory a run
// created or changed is named under `written`, and a key id sits only under a member named for key ids.
import assert from 'node:assert/strict'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join, relative, resolve, sep} from 'node:path'

/** Every path below root: directories as 'dir', files as size and modification time (to see appends). */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>()
  if (!existsSync(root)) return out
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, {withFileTypes: true})) {
      const p = join(dir, e.name)
      if (e.isDirectory()) {
        out.set(p, 'dir')
        walk(p)
      } else {
        const s = statSync(p)
        out.set(p, `${s.size}:${s.mtimeMs}`)
      }
    }
  }
  walk(root)
  return out
}

/**
 * Asserts that the paths created or changed between two snapshots are each named in doc.written, inside a written
 * directory, or a directory holding a written path; and that every written path exists. Paths in `written` are as
 * given on the command line: give absolute ones.
 */
export function assertWrittenCovers(doc: {written?: Record<string, string>}, before: Map<string, string>, after: Map<string, string>): void {
  const written = Object.values(doc.written ?? {})
  for (const w of written) assert.ok(existsSync(w), `written names ${w}, which does not exist`)
  const covered = (p: string) => written.some((w) => p === w || p.startsWith(w + sep) || w.startsWith(p + sep))
  for (const [p, state] of after) {
    if (before.get(p) === state) continue
    assert.ok(covered(p), `${p} was ${before.has(p) ? 'changed' : 'created'} but is not under written (${JSON.stringify(doc.written ?? null)})`)
  }
}

/**
 * The same check for a run in `dir` whose `written` paths are relative to `cwd` (as given on its command line):
 * takes the second snapshot itself.
 */
export function assertWritten(dir: string, before: Map<string, string>, written: Record<string, string> | undefined, cwd = process.cwd()): void {
  const resolved = Object.fromEntries(Object.entries(written ?? {}).map(([k, p]) => [k, resolve(cwd, p)]))
  try {
    assertWrittenCovers({written: resolved}, before, snapshot(dir))
  } catch (e) {
    throw new Error(`in ${relative(process.cwd(), dir) || '.'}: ${(e as Error).message}`)
  }
}

const KEY_ID_MEMBER = /^keyIds?$|KeyIds?$/

/**
 * Asserts that every string of the document containing one of the key ids (with `whole`: that is one of them, so a
 * sentence naming a key in a check's detail does not count) is the value of a member named for key ids (keyId,
 * keyIds, <role>KeyId, <role>KeyIds) or an element of an array under one. Returns how many it saw.
 */
export function assertKeyIdsNamed(doc: unknown, keyIds: readonly string[], o: {whole?: boolean} = {}): number {
  let seen = 0
  const walk = (v: unknown, path: string, member: string) => {
    if (typeof v === 'string') {
      if (!keyIds.some((id) => (o.whole ? v === id : v.includes(id)))) return
      seen++
      assert.match(member, KEY_ID_MEMBER, `${path}: a key id under "${member}", not under a keyId/keyIds member`)
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, member))
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, k)
  }
  walk(doc, '', '')
  return seen
}
