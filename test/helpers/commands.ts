// Command lines shown in Markdown pages (README.md, docs/figures.md), and whether each names something real: a tcp
// command with its flags (from the oclif manifest), an npm script, a script file, a benchmark's own options.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from './cli.js'

export type Manifest = {commands: Record<string, {flags: Record<string, {char?: string}>}>}

/** tcp's own commands (oclif.manifest.json), with those of the plugins package.json lists (`tcp help`...). */
export function loadManifest({plugins = true}: {plugins?: boolean} = {}): Manifest {
  const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8')) as Manifest
  const own = read(ROOT)
  if (!plugins) return own
  const names = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).oclif.plugins ?? []) as string[]
  return {commands: Object.assign({}, ...names.map((n) => read(join(ROOT, 'node_modules', n)).commands), own.commands)}
}

const FENCE = /```(\w*)\n([\s\S]*?)```/g

/**
 * The command lines of a Markdown text, split on &&, | and ;: every line of its ```sh blocks (comments cut) and,
 * with `inline`, every inline code span outside fenced blocks that starts with tcp, node or npm.
 */
export function commandLines(text: string, {inline = false}: {inline?: boolean} = {}): string[] {
  const lines = [...text.matchAll(FENCE)].filter((m) => m[1] === 'sh').flatMap((m) => m[2]!.split('\n'))
  if (inline) {
    const prose = text.replace(FENCE, '')
    for (const m of prose.matchAll(/`([^`]+)`/g)) {
      const span = m[1]!.replaceAll('\\|', '|').replace(/\s*\n\s*/g, ' ')
      if (/^(tcp|node|npm) /.test(span)) lines.push(span)
    }
  }
  return lines
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .flatMap((l) => l.split(/&&|\||;/))
    .map((l) => l.trim())
    .filter(Boolean)
}

/** The words after `tcp` of each command line that runs tcp. */
export function tcpInvocations(lines: string[]): string[][] {
  const out: string[][] = []
  for (const line of lines) {
    const words = line.split(/\s+/)
    const i = words.indexOf('tcp')
    if (i >= 0) out.push(words.slice(i + 1))
  }
  return out
}

/** The longest command id that the leading words spell ('' when none). */
export function commandId(manifest: Manifest, words: string[]): string {
  let id = ''
  for (let n = 1; n <= Math.min(3, words.length); n++) {
    const cand = words.slice(0, n).join(':')
    if (cand in manifest.commands) id = cand
  }
  return id
}

/**
 * Why `tcp WORDS` is not a real command with real flags, or undefined when it is. A bare `-` is a file (stdin);
 * `--help` is oclif's own, on every command.
 */
export function tcpProblem(manifest: Manifest, words: string[]): string | undefined {
  const id = commandId(manifest, words)
  if (!id) return `"tcp ${words.join(' ')}" is not a command`
  const flags = manifest.commands[id]!.flags
  for (const w of words.filter((x) => x.startsWith('-') && x !== '-' && x !== '--help')) {
    const name = w.startsWith('--') ? w.slice(2).split('=')[0]! : w.slice(1)
    const ok = w.startsWith('--') ? name in flags : Object.values(flags).some((f) => f.char === name)
    if (!ok) return `"tcp ${id.replaceAll(':', ' ')}" has no flag ${w}`
  }
  return undefined
}

/**
 * Why a command line that runs `npm run NAME` or `node FILE` does not name something real, or undefined. A script
 * under bench/ must also declare every `--flag` the line gives it (as a parseArgs option or a literal '--flag').
 */
export function scriptProblem(line: string): string | undefined {
  const words = line.split(/\s+/)
  const npm = words.indexOf('npm')
  if (npm >= 0 && words[npm + 1] === 'run') {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>
    const name = words[npm + 2] ?? ''
    return name in scripts ? undefined : `"${line}": package.json has no script ${name}`
  }
  const node = words.indexOf('node')
  const file = node >= 0 ? words[node + 1] : undefined
  if (!file || !/\.(m?js|cjs)$/.test(file)) return undefined
  if (!existsSync(join(ROOT, file))) return `"${line}": ${file} does not exist`
  if (!file.startsWith('bench/')) return undefined
  const source = readFileSync(join(ROOT, file), 'utf8')
  for (const w of words.slice(node + 2).filter((x) => x.startsWith('--'))) {
    const name = w.slice(2).split('=')[0]!
    const declared = source.includes(`'--${name}'`) || new RegExp(`(^|[\\s{,])'?${name}'?: \\{type`, 'm').test(source)
    if (!declared) return `"${line}": ${file} has no option --${name}`
  }
  return undefined
}
