// The tests' software TPM: the launcher of the demo (src/core/attest/backend/swtpm.ts), which starts swtpm on free
// loopback ports with its own state folder and stops it, even when a test fails (stop() in after(), and a kill at
// process exit).
export {startSwtpm, swtpmMissing, type Swtpm} from '../../../src/core/attest/backend/swtpm.js'
