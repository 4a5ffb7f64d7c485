/** Flags shared by several commands, declared once. */
import {Flags} from '@oclif/core'

export const passphraseFileFlag = Flags.string({
  description: 'read the passphrase from the first line of this file (else TCP_PASSPHRASE, else a prompt on a TTY)',
})

export const forceFlag = Flags.boolean({description: 'overwrite existing output files'})
