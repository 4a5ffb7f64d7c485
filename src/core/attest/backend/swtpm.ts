/**
 * A software TPM for the demo and the tests: swtpm on loopback, on two free ports (P and P+1, which the swtpm TCTI
 * expects), with its own state folder; stopped (and its folder removed) by stop(), and killed at process exit if a
 * caller forgot. Flags: --flags not-need-init,startup-clear; TCTI swtpm:host=127.0.0.1,port=P.
 * Not for production: a software TPM proves nothing about the host it runs on.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createConnection, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface Swtpm {
  tcti: string
  port: number
  ctrlPort: number
  /** The swtpm state folder (not the tcp attest state). */
  dir: string
  /** With `ekCert`: the CA made for this TPM alone (intermediate that signed the EK certificate, and its root). */
  ca?: {intermediate: string; root: string}
  stop(): Promise<void>
}

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], {encoding: 'utf8'}).status === 0

/** Why a software TPM cannot run here, or undefined when swtpm, swtpm_setup and tpm2-tools are installed. */
export function swtpmMissing(): string | undefined {
  const missing = ['swtpm', 'swtpm_ioctl', 'swtpm_setup', 'tpm2_quote'].filter((b) => !has(b))
  return missing.length ? `not installed: ${missing.join(', ')} (apt-get install swtpm swtpm-tools tpm2-tools)` : undefined
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** A free port P with P+1 free too: the swtpm TCTI always talks to the control channel on P+1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + Math.floor(Math.random() * 40000)
    if ((await canBind(p)) && (await canBind(p + 1))) return p
  }
  throw new Error('no free pair of loopback ports found')
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({host: '127.0.0.1', port})
    c.once('connect', () => {
      c.destroy()
      resolve(true)
    })
    c.once('error', () => resolve(false))
  })
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

async function startOnce(dir: string): Promise<Swtpm> {
  const port = await freePortPair()
  const ctrlPort = port + 1
  // Absolute state path: swtpm resolves it after changing directory.
  const child = spawn(
    'swtpm',
    ['socket', '--tpm2', '--tpmstate', `dir=${dir}`, '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`, '--flags', 'not-need-init,startup-clear'],
    {stdio: ['ignore', 'ignore', 'pipe']},
  )
  live.add(child)
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += String(d)))
  let exited = false
  child.once('exit', () => {
    exited = true
    live.delete(child)
  })
  const deadline = Date.now() + 5000
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`swtpm did not start on port ${port}: ${stderr.trim() || 'no output'}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  // Another swtpm may have taken the port between the probe and our bind: ours then exits, so make sure it lives.
  await new Promise((r) => setTimeout(r, 50))
  if (exited) throw new Error(`swtpm exited after start on port ${port}: ${stderr.trim() || 'no output'}`)
  const stop = async () => {
    if (!exited) {
      spawnSync('swtpm_ioctl', ['--tcp', `127.0.0.1:${ctrlPort}`, '-s'], {timeout: 3000})
      const t = setTimeout(() => child.kill('SIGKILL'), 2000)
      if (!exited) await new Promise((r) => child.once('exit', r))
      clearTimeout(t)
    }
    rmSync(dir, {recursive: true, force: true})
  }
  return {tcti: `swtpm:host=127.0.0.1,port=${port}`, port, ctrlPort, dir, stop}
}

/**
 * Writes a swtpm_setup configuration whose local CA lives in `caDir` (created on first use by swtpm_localca), so that
 * manufacturing an EK certificate needs neither root nor /var/lib/swtpm-localca, and each TPM has its own CA.
 */
function localCaConfig(caDir: string): string {
  const tool = spawnSync('sh', ['-c', 'command -v swtpm_localca'], {encoding: 'utf8'}).stdout.trim() || '/usr/bin/swtpm_localca'
  writeFileSync(join(caDir, 'swtpm-localca.conf'), [`statedir = ${caDir}`, `signingkey = ${caDir}/signkey.pem`, `issuercert = ${caDir}/issuercert.pem`, `certserial = ${caDir}/certserial`, ''].join('\n'))
  writeFileSync(join(caDir, 'swtpm-localca.options'), '--platform-manufacturer tcp\n--platform-version 2.1\n--platform-model swtpm\n')
  const conf = join(caDir, 'swtpm_setup.conf')
  writeFileSync(conf, [`create_certs_tool = ${tool}`, `create_certs_tool_config = ${caDir}/swtpm-localca.conf`, `create_certs_tool_options = ${caDir}/swtpm-localca.options`, 'active_pcr_banks = sha256', ''].join('\n'))
  return conf
}

/**
 * Starts a fresh swtpm. With `ekCert`, swtpm_setup first manufactures the state with an EK certificate signed by a
 * local CA made for this TPM (about 1.2 s here; only the sha256 bank is then enabled).
 */
export async function startSwtpm(opts: {ekCert?: boolean} = {}): Promise<Swtpm> {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-swtpm-'))
  const caDir = opts.ekCert ? mkdtempSync(join(tmpdir(), 'tcp-swtpm-ca-')) : undefined
  const cleanup = () => {
    rmSync(dir, {recursive: true, force: true})
    if (caDir) rmSync(caDir, {recursive: true, force: true})
  }
  try {
    if (caDir) {
      const args = ['--tpm2', '--tpmstate', dir, '--create-ek-cert', '--overwrite', '--config', localCaConfig(caDir)]
      const r = spawnSync('swtpm_setup', args, {encoding: 'utf8', timeout: 60_000})
      if (r.status !== 0) throw new Error(`swtpm_setup failed: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`)
    }
    let last: unknown
    for (let i = 0; i < 3; i++) {
      try {
        const t = await startOnce(dir)
        const stop = t.stop
        return {
          ...t,
          ca: caDir ? {intermediate: join(caDir, 'issuercert.pem'), root: join(caDir, 'swtpm-localca-rootca-cert.pem')} : undefined,
          stop: async () => {
            await stop()
            cleanup()
          },
        }
      } catch (e) {
        last = e // a port taken between probing and binding: try other ports
      }
    }
    throw last
  } catch (e) {
    cleanup()
    throw e
  }
}
