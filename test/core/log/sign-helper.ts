// Signing forged logs with a key file, for command tests that play an attacker holding one agent's key.
import {readPrivateKeyFile} from '../../../src/core/keys/files.js'
import {keyIdOf} from '../../../src/core/keys/keyid.js'
import {craft, type Spec} from './helpers.js'

export async function craftSigned(keyFile: string, agent: string, specs: Spec[]): Promise<string> {
  const k = await readPrivateKeyFile(keyFile, async () => new Uint8Array())
  const {lines} = craft(agent, {...k, keyId: keyIdOf(k.publicKey)} as never, specs)
  return lines.map((l) => l + '\n').join('')
}
