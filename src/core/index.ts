/**
 * The public library API of tcp-toolkit (`import {...} from 'tcp-toolkit'`): the same core the `tcp` commands call,
 * without oclif. Everything takes and returns Uint8Array and plain data; every failure is a TcpError whose `code`
 * says which kind (exit codes of the CLI: `exitCode`). See docs/library.md for an example.
 *
 * Only what is exported here is public; deep imports into dist/ are not part of the API and may change.
 */

// Errors
export {TcpError, EXIT, isTcpError, type TcpErrorCode, type ExitCode} from './errors.js'

// Keys: Ed25519 (signing) and X25519 (sealing), PEM public keys, passphrase-encrypted private key files.
export {generateKeyPair, publicKeyOf, encodePrivateKeyFile, decodePrivateKeyFile, type KeyPair, type PrivateKeyInfo, type PassphraseSource, type EncodeOptions} from './keys/keys.js'
export {encodePublicKeyPem, decodePublicKeyPem, KEY_TYPES, type KeyType} from './keys/pem.js'
export {keyIdOf} from './keys/keyid.js'
export {readPublicKeyFile, readPrivateKeyFile, writeKeyPair, keyPaths, type PublicKeyInfo} from './keys/files.js'

// Signing: DSSE envelopes over baselines, in-toto statements about files, countersignatures.
export {signFile, type SignedKind, type SignOptions} from './envelope/sign.js'
export {createEnvelope, addSignature, parseEnvelope, encodeEnvelope, pae, type Envelope, type DsseSignature, type Signer} from './envelope/dsse.js'
export {fileStatement, parseStatement, INTOTO_PAYLOAD_TYPE, type Statement} from './envelope/statement.js'

// Trust and verification of any artifact kind (DSSE envelope, Groth16 proof bundle, TPM quote bundle).
export {trustFromFiles, trustFromDirectory, type TrustStore, type TrustedKey} from './envelope/trust.js'
export {verifyArtifact, trustFromPublicKeys, type VerifyArtifactOptions} from './verify/artifact.js'
export {detectArtifact, ZK_BUNDLE_TYPE, TPM_QUOTE_TYPE, type ArtifactKind} from './verify/detect.js'
export {requireAllPassed, type VerifyReport, type Check} from './verify/report.js'
export {verifyEnvelopeReport, verifyEnvelopeBatch, openSignedBaseline, type EnvelopeVerifyOptions, type EnvelopeReport, type BatchResult} from './envelope/verify.js'

// Behavioural baselines.
export {parseObservations, filterAgent, type Observation, type ObservationSet} from './baseline/observations.js'
export {createBaseline, baselineBytes, baselineDigest, parseBaseline, type CreateOptions} from './baseline/baseline.js'
export {checkWindow, type WindowReport, type FeatureVerdict} from './baseline/check.js'
export {BASELINE_SCHEMA, BASELINE_PAYLOAD_TYPE, type Baseline} from './baseline/types.js'

// Sealed files (X25519 recipients or a passphrase; chunked XChaCha20-Poly1305).
export {sealBytes, unsealBytes, sealFile, unsealFile, type SealTo, type UnsealWith, type SealOptions, type UnsealOptions, type SealResult, type UnsealResult} from './seal/index.js'

// 24-byte tool descriptors and descriptor sets.
export {encodeDescriptor, decodeDescriptor, inspectDescriptor, decideDescriptor, describesCommand, commandHash, parseFlags, flagNames, riskOf, policyOf, DESCRIPTOR_LENGTH, FLAGS, RISKS, POLICIES, POLICY_CODE, type DescriptorFields, type DecodedDescriptor, type Risk, type Policy, type FlagName} from './descriptor/format.js'
export {encodeSet, decodeSet, inspectSet, parseSetSpec, type DecodedSet, type SetSpecLine} from './descriptor/set.js'

// Bytes helpers the API's callers need (hex, base64, UTF-8, constant-time compare).
export {toHex, fromHex, toBase64, fromBase64, utf8, fromUtf8, equalBytes} from './bytes.js'
