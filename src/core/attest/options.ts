/**
 * Option texts shared by the `tcp attest` commands (plain data: core never imports oclif; each command wraps these
 * in its own Flags).
 */
export const STATE_OPTION = {
  description: 'attestation state folder (AK/EK public parts, handles, event log)',
  default: '.tcp-attest',
} as const

export const TCTI_OPTION = {
  description: 'TPM transport for tpm2-tools, e.g. swtpm:host=127.0.0.1,port=2321 (default: configuration "tcti", then TPM2TOOLS_TCTI, then device:/dev/tpmrm0)',
} as const
