/** `tcp verify ENVELOPE`: a DSSE envelope (signed baseline, signed file, in-toto Statement). */
import {Flags} from '@oclif/core'
import {readFileBytes, readJsonFile} from '../../core/io.js'
import {loadTrust, parseAt, trustFlags} from '../trust.js'
import {defineKind} from './kind.js'

export const atFlag = Flags.string({description: 'verify as of this ISO time instead of now (expiry and trust windows)'})

export default defineKind({
  flags: {
    ...trustFlags,
    at: atFlag,
    file: Flags.string({description: 'envelope: the original file the envelope names: its digest must match'}),
    previous: Flags.string({description: 'envelope: the previous signed baseline: the chain must link to it'}),
  },
  async verify({doc, flags, config}) {
    const {verifyEnvelopeReport} = await import('../../core/envelope/verify.js')
    const trust = await loadTrust(flags, config)
    const file = flags.file ? {name: flags.file, bytes: await readFileBytes(flags.file, {what: 'original file'})} : undefined
    const previous = flags.previous ? await readJsonFile(flags.previous, {what: 'previous baseline'}) : undefined
    const {baseline: _b, ...r} = verifyEnvelopeReport(doc, {trust, threshold: flags.threshold, now: parseAt(flags.at), file, previous})
    return {...r, trust: trust.source}
  },
})
