import {Args, Flags} from '@oclif/core'
import {TcpCommand} from '../../cli/base.js'
import {STATE_OPTION, TCTI_OPTION} from '../../core/attest/options.js'
import {DEFAULT_MEASURE_PCR} from '../../core/attest/bundle.js'

export default class AttestMeasure extends TcpCommand {
  static override summary = 'Extend a PCR with the SHA-256 of a file and append the measurement to the event log'
  static override description = `PCR[n] := SHA-256(PCR[n] || SHA-256(FILE)) in the sha256 bank, then the entry (PCR, digest, file name, time) is
appended to eventlog.json in the state folder. A verifier replays the log up to the quoted value. Only PCRs 8-15 are
accepted: no software can reset them (16 and 23 can be reset by anyone with TPM access), and the PCR must hold
exactly what the log says (a PCR the boot chain also extends is refused).`

  static override examples = [
    '<%= config.bin %> attest measure baseline.dsse.json --state ./attest            # PCR 15',
    '<%= config.bin %> attest measure $(npm pack --silent) --pcr 14 --state ./attest',
  ]

  static override args = {file: Args.string({description: 'the file to measure', required: true})}

  static override flags = {
    pcr: Flags.integer({description: 'PCR index, 8..15 (not resettable)', default: DEFAULT_MEASURE_PCR}),
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
    const {eventLog, ...result} = r
    return {...result, written: {eventLog}}
  }
}
