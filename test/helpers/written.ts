// Rule 4 of docs/json.md, checked on a real run: every file or folder a command created is named under `written`
// in its --json document (a path inside a written folder counts, and so does a folder that holds a written path).
import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {join, relative, resolve, sep} from 'node:path'

/** Every file and folder under `dir`, as absolute paths (empty when `dir` does not exist). */
export function tree(dir: string): Set<string> {
  const out = new Set<string>()
  if (!existsSync(dir)) return out
  for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) out.add(join(e.parentPath, e.name))
  return out
}

const within = (path: string, folder: string) => path === folder || path.startsWith(folder + sep)

/**
 * Asserts that what appeared under `dir` since `before` (a `tree` taken before the run) is what `written` names:
 * each new path is a written path, lies inside one, or is a folder holding one; and each written path exists.
 * Written paths are resolved against `cwd` (they are printed as given on the command line).
 */
export function assertWritten(dir: string, before: Set<string>, written: Record<string, string> | undefined, cwd = process.cwd()): void {
  const paths = Object.values(written ?? {}).map((p) => resolve(cwd, p))
  for (const p of paths) assert.ok(existsSync(p), `written names ${relative(dir, p)}, which does not exist`)
  const created = [...tree(dir)].filter((p) => !before.has(p))
  const missing = created.filter((p) => !paths.some((w) => within(p, w) || within(w, p)))
  assert.deepEqual(missing.map((p) => relative(dir, p)), [], `created but not under "written" (${JSON.stringify(written)})`)
}
