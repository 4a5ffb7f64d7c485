#!/usr/bin/env node
// Figures of the attestation issue, measured on a swtpm started here (run after `npm run build`):
//   1. `tcp attest init` work (EK + AK created and persisted) on a fresh software TPM, RSA and ECC EK
//   2. a quote (pcrread, tpm2_quote, pcrread) through the backend, and the share of it spent starting tpm2-tools
//   3. verifying a quote bundle: our verifier in process, `tcp verify` as a whole process, tpm2_checkquote
//   4. process start of a tpm2-tools binary (`tpm2_quote -v`, which loads the libraries but talks to no TPM)
// Nonces come from the OS CSPRNG: nothing here depends on a seed. Usage: node bench/attest.mjs [--runs 21] [--json]
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {loadavg, tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {values: opt} = parseArgs({options: {runs: {type: 'string', default: '21'}, json: {type: 'boolean'}}})
const runs = Number(opt.runs)
const core = (p) => import(join(root, 'dist', 'core', p))
const {startSwtpm, swtpmMissing} = await core('attest/backend/swtpm.js')
const {init, quote} = await core('attest/backend/ops.js')
const {toolTimes} = await core('attest/backend/tpm2-tools.js')
const {verifyQuoteBundle} = await core('attest/verify/quote.js')

const missing = swtpmMissing()
if (missing) {
  console.error(`bench/attest: ${missing}`)
  process.exit(2)
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return {median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))], n: s.length}
}
const ms = (x) => `${x.toFixed(1)} ms`
const spawnMs = (cmd, args, env) => {
  const t0 = performance.now()
  const r = spawnSync(cmd, args, {env: {...process.env, ...env}, encoding: 'utf8'})
  const t = performance.now() - t0
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`)
  return t
}

const work = mkdtempSync(join(tmpdir(), 'tcp-bench-attest-'))
const figures = {}
try {
  // 1. init on fresh TPMs (RSA key generation in the TPM dominates the RSA EK case).
  const initRuns = Math.max(3, Math.min(runs, 7))
  for (const ekAlg of ['rsa', 'ecc']) {
    const xs = []
    for (let i = 0; i < initRuns; i++) {
      const tpm = await startSwtpm()
      try {
        const t0 = performance.now()
        await init(join(work, `init-${ekAlg}-${i}`), {tcti: tpm.tcti, ekAlg, akAlg: 'ecc'})
        xs.push(performance.now() - t0)
      } finally {
        await tpm.stop()
      }
    }
    figures[`init (${ekAlg.toUpperCase()} EK, ECC AK, fresh TPM)`] = stats(xs)
  }

  // 2-4 on one TPM.
  const tpm = await startSwtpm()
  try {
    const state = join(work, 'state')
    await init(state, {tcti: tpm.tcti, ekAlg: 'ecc', akAlg: 'ecc'})
    const env = {TPM2TOOLS_TCTI: tpm.tcti}
    const sel = 'sha256:0,1,2,3,4,5,6,7,15'
    const startOnly = []
    const rawQuote = []
    const ours = []
    const childShare = []
    let bundle
    let nonce
    for (let i = 0; i < runs; i++) {
      startOnly.push(spawnMs('tpm2_quote', ['-v'], env))
      const n = randomBytes(16).toString('hex')
      rawQuote.push(spawnMs('tpm2_quote', ['-c', '0x81010020', '-l', sel, '-q', n, '-m', join(work, 'm'), '-s', join(work, 's'), '-g', 'sha256'], env))
      toolTimes.length = 0
      nonce = randomBytes(16)
      const t0 = performance.now()
      bundle = (await quote(state, nonce, sel, {tcti: tpm.tcti})).bundle
      const total = performance.now() - t0
      ours.push(total)
      childShare.push(toolTimes.reduce((a, t) => a + t.ms, 0) / total)
    }
    figures['tpm2-tools process start (tpm2_quote -v, no TPM)'] = stats(startOnly)
    figures['tpm2_quote alone (one process)'] = stats(rawQuote)
    figures['tcp quote in the backend (pcrread + quote + pcrread)'] = stats(ours)
    const share = stats(childShare)
    const startShare = (3 * figures['tpm2-tools process start (tpm2_quote -v, no TPM)'].median) / figures['tcp quote in the backend (pcrread + quote + pcrread)'].median

    const ak = new Uint8Array(readFileSync(join(state, 'ak.pem')))
    const inproc = []
    for (let i = 0; i < Math.max(runs, 200); i++) {
      const t0 = performance.now()
      const r = verifyQuoteBundle(bundle, {ak, nonce})
      inproc.push(performance.now() - t0)
      if (!r.ok) throw new Error('bundle did not verify')
    }
    figures['verify in process (verifyQuoteBundle)'] = stats(inproc)
    const bpath = join(work, 'q.json')
    writeFileSync(bpath, JSON.stringify(bundle))
    const cli = []
    const node0 = []
    for (let i = 0; i < runs; i++) {
      cli.push(spawnMs(process.execPath, [join(root, 'bin', 'run.js'), 'verify', bpath, '--ak', join(state, 'ak.pem'), '--nonce', Buffer.from(nonce).toString('hex')], {TCP_NO_CONFIG: '1'}))
      node0.push(spawnMs(process.execPath, ['-e', '0']))
    }
    figures['tcp verify (whole process)'] = stats(cli)
    figures['node -e 0 (reference)'] = stats(node0)
    writeFileSync(join(work, 'qm'), Buffer.from(bundle.attest, 'base64'))
    writeFileSync(join(work, 'qs'), Buffer.from(bundle.signature, 'base64'))
    const cq = []
    for (let i = 0; i < runs; i++) cq.push(spawnMs('tpm2_checkquote', ['-u', join(state, 'ak.pem'), '-m', join(work, 'qm'), '-s', join(work, 'qs'), '-g', 'sha256', '-q', Buffer.from(nonce).toString('hex')]))
    figures['tpm2_checkquote (signature + nonce, whole process)'] = stats(cq)

    const load = loadavg().map((x) => x.toFixed(1)).join(' ')
    const out = {runs, loadAverage: load, figures, quoteChildProcessShare: share, quoteProcessStartShare: startShare}
    if (opt.json) console.log(JSON.stringify(out, null, 2))
    else {
      console.log(`tcp attest figures, ${runs} runs each (init: ${initRuns}), medians and p90, swtpm on loopback; load average ${load} on ${(await import('node:os')).cpus().length} cores`)
      for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(56)} median ${ms(v.median).padStart(10)}   p90 ${ms(v.p90).padStart(10)}`)
      console.log(`  share of a backend quote spent inside tpm2-tools child processes: median ${(share.median * 100).toFixed(0)}%`)
      console.log(`  share of a backend quote that is bare tpm2-tools process start (3 x tpm2_quote -v): ${(startShare * 100).toFixed(0)}%`)
    }
  } finally {
    await tpm.stop()
  }
} finally {
  rmSync(work, {recursive: true, force: true})
}
