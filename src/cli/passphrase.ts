/**
 * Where a passphrase comes from, in order: --passphrase-file (first line), TCP_PASSPHRASE, a hidden prompt when
 * stdin and stderr are a TTY. Otherwise a one-line error that says how to provide one. Empty passphrases are refused.
 */
import {readFileText} from '../core/io.js'
import {TcpError} from '../core/errors.js'
import {utf8} from '../core/bytes.js'

export interface PassphraseOptions {
  passphraseFile?: string
  /** Ask twice on a TTY (new keys, new seals). */
  confirm?: boolean
  prompt?: string
}

async function promptHidden(question: string): Promise<string> {
  const {createInterface} = await import('node:readline')
  return new Promise((resolve, reject) => {
    const rl = createInterface({input: process.stdin, output: process.stderr, terminal: true})
    let muted = false
    const out = rl as unknown as {_writeToOutput: (s: string) => void}
    const orig = out._writeToOutput.bind(rl)
    out._writeToOutput = (s: string) => {
      if (!muted) orig(s)
    }
    rl.question(question, (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer)
    })
    muted = true
    rl.on('SIGINT', () => {
      rl.close()
      reject(new TcpError('passphrase', 'passphrase prompt interrupted'))
    })
  })
}

export async function getPassphrase(opts: PassphraseOptions = {}): Promise<Uint8Array> {
  let pass: string | undefined
  if (opts.passphraseFile) {
    const text = await readFileText(opts.passphraseFile, {what: 'passphrase file', maxBytes: 64 * 1024})
    pass = text.split(/\r?\n/)[0]
  } else if (process.env.TCP_PASSPHRASE !== undefined) pass = process.env.TCP_PASSPHRASE
  else if (process.stdin.isTTY && process.stderr.isTTY) {
    pass = await promptHidden(opts.prompt ?? 'Passphrase: ')
    if (opts.confirm && (await promptHidden('Repeat passphrase: ')) !== pass)
      throw new TcpError('passphrase', 'the two passphrases differ')
  } else
    throw new TcpError('passphrase', 'a passphrase is needed: set TCP_PASSPHRASE, pass --passphrase-file FILE, or run on a terminal')
  if (!pass) throw new TcpError('passphrase', 'the passphrase is empty')
  return utf8(pass)
}

/** A lazy, memoised source: asked at most once, and only if a key file turns out to be encrypted. */
export function passphraseSource(opts: PassphraseOptions = {}): () => Promise<Uint8Array> {
  let p: Promise<Uint8Array> | undefined
  return () => (p ??= getPassphrase(opts))
}
