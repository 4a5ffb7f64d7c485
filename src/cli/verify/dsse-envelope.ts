/** `tcp verify ENVELOPE`: a DSSE envelope (signed baseline, signed file, in-toto Statement). */
import {Flags} from '@oclif/core'
import {readFileBytes, readJsonFile} from '../../core/io.js'
import {parseAt, trustFlags} from '../trust.js'
import {defineKind} from './kind.js'

export const atFlag = Flags.string({description: 'verify as of this ISO time instead of now (expiry and trust windows)'})

export default defineKind({
  flags: {
    ...trustFlags,
    at: atFlag,
    file: Flags.string({description: 'envelope: the original file the envelope names: its digest must match'}),
    previous: Flags.string({description: 'envelope: the previous signed baseline: the chain must link to it'}),
  },
  async verify({doc, flags, trust}) {
    const {verifyEnvelopeReport} = await import('../../core/envelope/verify.js')
    const file = flags.file ? {name: flags.file, bytes: await readFileBytes(flags.file, {what: 'original file'})} : undefined
    const previous = flags.previous ? await readJsonFile(flags.previous, {what: 'previous baseline'}) : undefined
    const {baseline: _b, ...report} = verifyEnvelopeReport(doc, {trust: await trust(), threshold: flags.threshold, now: parseAt(flags.at), file, previous})
    return report
  },
})
