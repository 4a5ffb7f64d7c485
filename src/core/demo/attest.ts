import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {equalBytes, toHex} from '../bytes.js'
import {randomBytes} from '../crypto/index.js'
import {TcpError} from '../errors.js'
import {writeFileAtomic} from '../io.js'
import type {DemoStep} from './index.js'

/**
 * Attestation on a software TPM started for the demo (swtpm on loopback, stopped at the end): init, measure the
 * signed baseline into PCR 15 (not resettable), quote over a fresh nonce, verify (accepted), verify against another nonce (rejected
 * as stale), credential activation (secret returned). Skipped with the reason when swtpm or tpm2-tools is missing.
 */
export const steps: DemoStep[] = [
  {
    name: 'attest: quote the signed baseline from a software TPM and verify it',
    async run(ctx) {
      const step = 'attest'
      const {startSwtpm, swtpmMissing} = await import('../attest/backend/swtpm.js')
      const missing = swtpmMissing()
      if (missing) return {step, ok: true, skipped: missing, summary: `skipped: ${missing}`}
      const {activate, init, makeChallenge, measure, quote} = await import('../attest/backend/ops.js')
      const {verifyQuoteBundle} = await import('../attest/verify/quote.js')
      const tpm = await startSwtpm()
      try {
        const state = join(ctx.dir, 'attest')
        const {tcti} = tpm
        await init(state, {tcti, ekAlg: 'ecc'})
        const measured = ctx.artifacts.signedBaseline ?? ctx.samplePath
        await measure(state, measured, 15, {tcti})
        const nonce = randomBytes(16)
        const {bundle} = await quote(state, nonce, 'sha256:0,1,2,3,4,5,6,7,15', {tcti})
        const out = join(ctx.dir, 'quote.json')
        await writeFileAtomic(out, JSON.stringify(bundle, null, 2) + '\n', {force: true, what: 'quote bundle'})
        ctx.artifacts.quoteBundle = out
        const ak = new Uint8Array(await readFile(join(state, 'ak.pem')))
        const good = verifyQuoteBundle(bundle, {ak, nonce})
        const stale = verifyQuoteBundle(bundle, {ak, nonce: randomBytes(16)})
        const staleRejected = !stale.ok && stale.checks.some((c) => c.check === 'nonce' && !c.ok)
        const ch = await makeChallenge(new Uint8Array(await readFile(join(state, 'ek.pub'))), new Uint8Array(await readFile(join(state, 'ak.name'))))
        let activated = false
        try {
          activated = equalBytes(await activate(state, ch.challenge, {tcti}), ch.secret)
        } catch (e) {
          if (!(e instanceof TcpError)) throw e
        }
        const ok = good.ok && staleRejected && activated
        return {
          step,
          ok,
          summary: `quote of PCRs 0-7,15 over nonce ${toHex(nonce).slice(0, 8)}... ${good.ok ? `verified (${good.checks.length} checks)` : 'NOT verified'}; stale nonce ${staleRejected ? 'rejected' : 'NOT rejected'}; credential activation ${activated ? 'returned the secret' : 'FAILED'}`,
          details: {checks: good.checks, measured},
        }
      } finally {
        await tpm.stop()
      }
    },
  },
]
