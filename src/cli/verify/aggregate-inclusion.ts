/** `tcp verify INCL.json --root ROOT.dsse.json --pub AGG.pub`: an agent's inclusion proof in a signed root. */
import {Flags} from '@oclif/core'
import {readJsonFile} from '../../core/io.js'
import {TcpError} from '../../core/errors.js'
import {parseAt, trustFlags} from '../trust.js'
import {atFlag} from './dsse-envelope.js'
import {defineKind} from './kind.js'

export default defineKind({
  flags: {
    ...trustFlags,
    at: atFlag,
    root: Flags.string({description: 'inclusion proof: the signed aggregate root (checked with --pub/--trust)'}),
  },
  async verify({doc, flags, trust}) {
    if (!flags.root) throw new TcpError('usage', 'an inclusion proof needs --root ROOT.dsse.json (the signed root it claims)')
    const {verifyInclusionProof} = await import('../../core/aggregate/prove.js')
    const store = await trust()
    const root = await readJsonFile(flags.root, {what: 'aggregate root'})
    return verifyInclusionProof(doc, root, store, parseAt(flags.at))
  },
})
