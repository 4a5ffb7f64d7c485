import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {STATE_OPTION, TCTI_OPTION} from '../../core/attest/options.js'

export default class AttestMeasure extends TcpCommand {
  static override summary = 'Extend a PCR with the SHA-256 of a file and append the measurement to the event log'
  static override description = `PCR[n] := SHA-256(PCR[n] || SHA-256(FILE)) in the sha256 bank, then the entry (PCR, digest, file name, time) is
appended to eventlog.json in the state folder. A verifier replays the log against the quoted value.`

  static override examples = [
    '<%= config.bin %> attest measure baseline.dsse.json --pcr 16 --state ./attest',
    '<%= config.bin %> attest measure $(npm pack --silent) --pcr 23 --state ./attest',
  ]

  static override args = {file: Args.string({description: 'the file to measure', required: true})}

  static override flags = {
    pcr: Flags.integer({description: 'PCR index (8..23; 16 is the debug PCR, 23 the application PCR)', default: 16}),
    state: Flags.string(STATE_OPTION),
    tcti: Flags.string(TCTI_OPTION),
  }

  async run() {
    const {args, flags} = await this.parse(AttestMeasure)
    const {measure} = await import('../../core/attest/backend/ops.js')
    const {resolveTcti} = await import('../../core/attest/backend/tpm2-tools.js')
    const tcti = resolveTcti(flags.tcti, (await this.tcpConfig()).tcti)
    const r = await measure(flags.state, args.file, flags.pcr, {tcti})
    this.log(`extended sha256 PCR ${r.pcr} with ${r.digest} (${args.file}); event log entry ${r.seq} in ${r.eventLog}`)
    return r
  }
}
