// Records the quote bundles of test/vectors/attest from a fresh swtpm (see README.md in this folder):
//   node --import tsx test/vectors/attest/record.ts
// For each AK kind: init, measure two files into PCR 15 and one into PCR 14, quote sha256:0-7,14,15 over a fixed
// nonce, and keep what tpm2-tools itself wrote (ak.name, the tpm2_quote -o PCR file) for the cross-checks.
import {copyFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {init, measure, quote, type AkAlg} from '../../../src/core/attest/backend/ops.js'
import {startSwtpm} from '../../core/attest/swtpm-harness.js'

const here = import.meta.dirname
const NONCE = '5ca1ab1e0ddba11c0ffee0000000000000000000000000000000000000000001'

for (const alg of ['ecc', 'rsa', 'rsapss'] as AkAlg[]) {
  const tpm = await startSwtpm()
  const state = mkdtempSync(join(tmpdir(), 'tcp-record-'))
  try {
    await init(state, {tcti: tpm.tcti, akAlg: alg})
    for (const [name, text, pcr] of [['baseline.json', '{"demo":1}\n', 15], ['toolkit.tgz', 'tcp 0.1.0\n', 15], ['agent.cfg', 'model=x\n', 14]] as const) {
      const f = join(state, name)
      writeFileSync(f, text)
      await measure(state, f, pcr, {tcti: tpm.tcti})
    }
    const q = await quote(state, Buffer.from(NONCE, 'hex'), 'sha256:0,1,2,3,4,5,6,7,14,15', {tcti: tpm.tcti})
    writeFileSync(join(here, `${alg}.bundle.json`), JSON.stringify(q.bundle, null, 2) + '\n')
    writeFileSync(join(here, `${alg}.checkquote.pcrs`), q.toolPcrFile)
    copyFileSync(join(state, 'ak.pem'), join(here, `${alg}.ak.pem`))
    copyFileSync(join(state, 'ak.name'), join(here, `${alg}.ak.name`))
    console.log(`recorded ${alg}`)
  } finally {
    rmSync(state, {recursive: true, force: true})
    await tpm.stop()
  }
}
