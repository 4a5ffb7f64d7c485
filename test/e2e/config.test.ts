// Configuration: read from the working directory (never its parents) and the user's config dir
// ($XDG_CONFIG_HOME/tcp); code configuration runs only from the user's config dir (never a checkout's), from files
// the user owns and nobody else can write;
// verifiers take trust only from --pub/--trust or the user's config dir, and every report names its trust source.
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tcpProcess, tempDir} from '../helpers/cli.js'

describe('configuration', () => {
  const t = tempDir()
  after(t.cleanup)
  const xdg = join(t.dir, 'xdg')
  const env = {TCP_PASSPHRASE: 'cfg', TCP_NO_CONFIG: '', XDG_CONFIG_HOME: xdg, TCP_CONFIG_DIR: ''}
  const run = (argv: string[], cwd = t.dir, extra: Record<string, string> = {}) => tcpProcess(argv, {cwd, env: {...env, ...extra}})
  const marker = join(t.dir, 'config-code-ran')
  const evilCode = `import {writeFileSync} from 'node:fs'\nwriteFileSync(${JSON.stringify(marker)}, 'ran')\nexport default {}\n`

  before(() => {
    mkdirSync(xdg)
    assert.equal(run(['keys', 'generate', '--out', 'keys/ci']).code, 0)
    assert.equal(run(['keys', 'generate', '--out', 'keys/evil']).code, 0)
    mkdirSync(join(t.dir, 'trust'))
    copyFileSync(join(t.dir, 'keys/ci.pub'), join(t.dir, 'trust/ci.pub'))
    mkdirSync(join(t.dir, 'evtrust'))
    copyFileSync(join(t.dir, 'keys/evil.pub'), join(t.dir, 'evtrust/evil.pub'))
    writeFileSync(join(t.dir, 'note.txt'), 'hello\n')
    assert.equal(run(['sign', 'note.txt', '--key', 'keys/ci.key']).code, 0)
    assert.equal(run(['sign', 'note.txt', '--key', 'keys/evil.key', '--out', 'evil.dsse.json']).code, 0)
  })

  it('.tcprc.json in the working directory supplies the signing key; a subfolder does not read it', () => {
    writeFileSync(join(t.dir, '.tcprc.json'), JSON.stringify({key: 'keys/ci.key'}))
    const s = run(['sign', 'note.txt', '--out', 'note2.dsse.json'])
    assert.equal(s.code, 0, s.stderr)
    mkdirSync(join(t.dir, 'sub1'))
    writeFileSync(join(t.dir, 'sub1/n.txt'), 'x\n')
    const sub = run(['sign', 'n.txt'], join(t.dir, 'sub1'))
    assert.equal(sub.code, 2)
    assert.match(sub.stderr, /key/)
    rmSync(join(t.dir, '.tcprc.json'))
  })

  it('a tcp.config.mjs in a parent folder is never executed (sign, verify)', () => {
    rmSync(join(t.dir, '.tcprc.json'), {force: true})
    writeFileSync(join(t.dir, 'tcp.config.mjs'), evilCode)
    mkdirSync(join(t.dir, 'sub2'))
    writeFileSync(join(t.dir, 'sub2/n.txt'), 'x\n')
    // Without --out, sign reads the configuration (for outDir); without --pub/--trust, verify reads it for trust.
    const s = run(['sign', 'n.txt', '--key', '../keys/ci.key'], join(t.dir, 'sub2'))
    assert.equal(s.code, 0, s.stderr)
    run(['verify', 'n.txt.dsse.json'], join(t.dir, 'sub2'))
    assert.equal(existsSync(marker), false, 'the parent folder\'s configuration code ran')
    rmSync(join(t.dir, 'tcp.config.mjs'))
  })

  it('a checkout\'s "tcti" is ignored and said so: a cmd: TCTI runs a program (review 2: .tcprc.json ran it under attest init)', () => {
    const d = join(t.dir, 'tcti-clone')
    mkdirSync(d)
    writeFileSync(join(d, '.tcprc.json'), JSON.stringify({tcti: `cmd:touch ${marker}`}))
    const r = run(['attest', 'init', '--state', 'st'], d, {TPM2TOOLS_TCTI: 'device:/nonexistent/tpm'})
    assert.equal(existsSync(marker), false, 'the checkout\'s TCTI command ran')
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /"tcti" of .*\.tcprc\.json is ignored/)
    assert.match(r.stderr, /nonexistent/) // the user's own TPM2TOOLS_TCTI was used instead
  })

  it('a code configuration in a user config dir others can write is refused, not executed (exit 2); in a shared working folder it is ignored', () => {
    const shared = join(t.dir, 'shared')
    mkdirSync(shared)
    writeFileSync(join(shared, 'tcp.config.mjs'), evilCode)
    writeFileSync(join(shared, 'n.txt'), 'x\n')
    chmodSync(shared, 0o1777)
    const s = run(['sign', 'n.txt', '--key', join(t.dir, 'keys/ci.key')], shared)
    assert.equal(s.code, 0, s.stderr)
    assert.match(s.stderr, /was not executed/)
    assert.equal(existsSync(marker), false)
    chmodSync(shared, 0o755)
    const udir = join(t.dir, 'xdg3', 'tcp')
    mkdirSync(udir, {recursive: true})
    writeFileSync(join(udir, 'config.mjs'), evilCode)
    chmodSync(udir, 0o777)
    const u = run(['sign', 'n.txt', '--key', join(t.dir, 'keys/ci.key'), '--force'], shared, {XDG_CONFIG_HOME: join(t.dir, 'xdg3')})
    assert.equal(u.code, 2, u.stderr)
    assert.match(u.stderr, /was not executed: the folder .* is writable by everyone/)
    chmodSync(udir, 0o755)
    chmodSync(join(udir, 'config.mjs'), 0o666)
    const g = run(['sign', 'n.txt', '--key', join(t.dir, 'keys/ci.key'), '--force'], shared, {XDG_CONFIG_HOME: join(t.dir, 'xdg3')})
    assert.equal(g.code, 2, g.stderr)
    assert.match(g.stderr, /the file .* is writable by everyone/)
    assert.equal(existsSync(marker), false)
  })

  it('a checkout\'s own tcp.config.mjs (owned by the user, as after git clone) never runs, even for sign; the user config dir\'s does', () => {
    // sign --key without --out still reads the configuration (for outDir): running the checkout's code here would
    // hand it the passphrase in the environment and the key file it is about to decrypt.
    const clone = join(t.dir, 'clone')
    mkdirSync(clone)
    writeFileSync(join(clone, 'tcp.config.mjs'), evilCode)
    writeFileSync(join(clone, 'n.txt'), 'x\n')
    const s = run(['sign', 'n.txt', '--key', join(t.dir, 'keys/ci.key')], clone)
    assert.equal(s.code, 0, s.stderr)
    assert.equal(existsSync(marker), false, 'the checkout\'s configuration code ran')
    assert.match(s.stderr, /tcp\.config\.mjs in the working directory was not executed/)
    assert.equal(s.stderr.trim().split('\n').length, 1, s.stderr)
    for (const argv of [['prove', '--help'], ['log', 'append', '--key', join(t.dir, 'keys/ci.key'), '--log', 'a.log', '--from', 'nope.jsonl']]) run(argv, clone)
    assert.equal(existsSync(marker), false)
    // The same code in the user's own config dir is the user's: it runs.
    const udir = join(t.dir, 'xdg2', 'tcp')
    mkdirSync(udir, {recursive: true})
    writeFileSync(join(udir, 'config.mjs'), evilCode)
    rmSync(join(clone, 'tcp.config.mjs'))
    assert.equal(run(['sign', 'n.txt', '--key', join(t.dir, 'keys/ci.key'), '--force'], clone, {XDG_CONFIG_HOME: join(t.dir, 'xdg2')}).code, 0)
    assert.equal(existsSync(marker), true)
    rmSync(marker)
  })

  it('data configuration: a tcti from the working directory never runs; key/outDir from a folder others can write are refused (exit 2)', () => {
    const shared = join(t.dir, 'shared-data')
    mkdirSync(shared)
    const ran = join(t.dir, 'tcti-cmd-ran')
    // tpm2-tools' cmd TCTI runs its configuration as a shell command: a data file can carry code.
    writeFileSync(join(shared, '.tcprc.json'), JSON.stringify({tcti: `cmd:touch ${ran}`}))
    chmodSync(shared, 0o1777)
    // A working directory's tcti is never used (wherever it is); the command says so and runs nothing of it.
    const a = run(['attest', 'init', '--state', join(shared, 'state'), '--tcti', 'swtpm:host=127.0.0.1,port=1'], shared)
    assert.notEqual(a.code, 0, a.stderr)
    assert.equal(existsSync(ran), false, 'the TCTI command did not run')
    const b = run(['attest', 'init', '--state', join(shared, 'state2')], shared)
    assert.match(b.stderr, /the "tcti" of .*\.tcprc\.json is ignored/)
    assert.equal(existsSync(ran), false, 'the TCTI command did not run')
    // The signing key and the output folder from such a file would be another user's choice as well.
    writeFileSync(join(shared, '.tcprc.json'), JSON.stringify({key: join(t.dir, 'keys/evil.key')}))
    writeFileSync(join(shared, 'n.txt'), 'x\n')
    const s = run(['sign', 'n.txt'], shared)
    assert.equal(s.code, 2, s.stderr)
    assert.match(s.stderr, /was not used: the folder .* is writable by everyone/)
    assert.equal(existsSync(join(shared, 'n.txt.dsse.json')), false)
    // The same file in a folder only you can write is used.
    chmodSync(shared, 0o755)
    assert.equal(run(['sign', 'n.txt'], shared).code, 0)
  })

  it('cosmiconfig meta configuration (.config/config.json search places) does not make a verifier run code', () => {
    const d = join(t.dir, 'meta')
    mkdirSync(join(d, '.config'), {recursive: true})
    writeFileSync(join(d, '.config/config.json'), JSON.stringify({searchPlaces: ['evil.mjs']}))
    writeFileSync(join(d, 'evil.mjs'), evilCode)
    writeFileSync(join(d, 'package.json'), JSON.stringify({tcp: {}}))
    run(['verify', join(t.dir, 'note.txt.dsse.json')], d)
    assert.equal(existsSync(marker), false)
  })

  it('verify ignores "trust" from the checkout (package.json) and says so: exit 2, not the attacker\'s key', () => {
    const pr = join(t.dir, 'pr')
    mkdirSync(pr)
    writeFileSync(join(pr, 'package.json'), JSON.stringify({name: 'pr', tcp: {trust: '../evtrust'}}))
    const v = run(['verify', '../evil.dsse.json', '--file', '../note.txt'], pr)
    assert.equal(v.code, 2, v.stdout + v.stderr)
    assert.match(v.stderr, /no trusted keys.*package\.json.*is ignored/)
    writeFileSync(join(pr, '.tcprc.json'), JSON.stringify({trust: '../evtrust'}))
    assert.equal(run(['verify', '../evil.dsse.json'], pr).code, 2)
  })

  it('trust from the user config dir works and the report names it (text and --json)', () => {
    mkdirSync(join(xdg, 'tcp'), {recursive: true})
    writeFileSync(join(xdg, 'tcp/config.json'), JSON.stringify({trust: join(t.dir, 'trust')}))
    const v = run(['verify', 'note.txt.dsse.json', '--file', 'note.txt'])
    assert.equal(v.code, 0, v.stderr)
    assert.match(v.stdout, new RegExp(`^trust: ${join(t.dir, 'trust')} \\(user config ${join(xdg, 'tcp/config.json')}\\)$`, 'm'))
    const j = run(['verify', 'note.txt.dsse.json', '--json'])
    assert.equal(j.code, 0)
    assert.match(j.json().report.trust, /\(user config .*config\.json\)$/)
    // The attacker's envelope is refused under the user's trust (exit 1), and the rejection names the trust too.
    const bad = run(['verify', 'evil.dsse.json', '--json'])
    assert.equal(bad.code, 1)
    assert.match(bad.json().report.trust, /user config/)
    // TCP_NO_CONFIG=1 reads nothing, not even the user's config.
    assert.equal(run(['verify', 'note.txt.dsse.json'], t.dir, {TCP_NO_CONFIG: '1'}).code, 2)
    // A user config file others can write is not a trust source.
    chmodSync(join(xdg, 'tcp/config.json'), 0o666)
    const w = run(['verify', 'note.txt.dsse.json'])
    assert.equal(w.code, 2)
    assert.match(w.stderr, /"trust" is not used: the file .* is writable by everyone/)
    chmodSync(join(xdg, 'tcp/config.json'), 0o644)
  })

  it('flags name the trust in the report: --pub and --trust, and --batch', () => {
    const p = run(['verify', 'note.txt.dsse.json', '--pub', 'keys/ci.pub'])
    assert.equal(p.code, 0, p.stderr)
    assert.match(p.stdout, /^trust: --pub keys\/ci\.pub$/m)
    const d = run(['verify', 'note.txt.dsse.json', '--trust', 'trust', '--json'])
    assert.equal(d.json().report.trust, '--trust trust')
    // Flags win over the configuration: a foreign key fails even though the configuration trusts ours.
    assert.equal(run(['verify', 'note.txt.dsse.json', '--pub', 'keys/evil.pub']).code, 1)
  })

  it('a configuration that is a link to a device or a folder is refused, not read forever', () => {
    const d = join(t.dir, 'links')
    mkdirSync(d)
    symlinkSync('/dev/zero', join(d, '.tcprc'))
    const z = run(['sign', join(t.dir, 'note.txt'), '--key', join(t.dir, 'keys/ci.key')], d)
    assert.equal(z.code, 2, z.stderr)
    assert.match(z.stderr, /\.tcprc: not a regular file/)
    rmSync(join(d, '.tcprc'))
    symlinkSync(t.dir, join(d, 'package.json'))
    assert.equal(run(['sign', join(t.dir, 'note.txt'), '--key', join(t.dir, 'keys/ci.key')], d).code, 2)
  })

  it('a bad configuration is a one-line error with exit 2; duplicate names in .tcprc.json too', () => {
    writeFileSync(join(t.dir, '.tcprc.json'), JSON.stringify({keyy: 'x'}))
    const r = run(['sign', 'note.txt'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /unknown key "keyy"/)
    writeFileSync(join(t.dir, '.tcprc.json'), '{"key": "keys/ci.key", "key": "keys/evil.key"}')
    const d = run(['sign', 'note.txt', '--out', 'd.dsse.json'])
    assert.equal(d.code, 2, d.stderr)
    assert.match(d.stderr, /duplicate member name "key"/)
    writeFileSync(join(t.dir, '.tcprc'), 'key: keys/ci.key\nkey: keys/evil.key\n')
    rmSync(join(t.dir, '.tcprc.json'))
    const y = run(['sign', 'note.txt', '--out', 'y.dsse.json'])
    assert.equal(y.code, 2, y.stderr)
    assert.match(y.stderr, /duplicated mapping key/)
    rmSync(join(t.dir, '.tcprc'))
  })
})
