/**
 * EK certificate check on the verifier side (no TPM): the certificate certifies exactly this EK public key, and it
 * chains, signature by signature, to a self-signed CA the verifier trusts (TCG EK Credential Profile: the TPM
 * manufacturer's CA; for swtpm, its local CA under /var/lib/swtpm-localca).
 *
 * What it does NOT check: revocation (no CRL or OCSP), the TCG-specific extensions (TPM manufacturer, model and
 * version in the subject alternative name), or key usage constraints. It checks the validity period of every
 * certificate at `now`.
 */
import {X509Certificate} from 'node:crypto'
import {equalBytes} from '../../bytes.js'
import {TcpError} from '../../errors.js'
import {parsePublic, publicKeyOf, spki} from '../structures.js'

function loadCert(bytes: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(bytes)
  } catch (e) {
    throw new TcpError('input', `${what}: not an X.509 certificate (${(e as Error).message})`)
  }
}

/** Splits PEM text holding one or more certificates; DER input is one certificate. */
export function loadCertificates(bytes: Uint8Array, what: string): X509Certificate[] {
  const text = Buffer.from(bytes).toString('latin1')
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)
  if (!pems) return [loadCert(bytes, what)]
  return pems.map((p, i) => loadCert(Buffer.from(p, 'latin1'), `${what} [${i}]`))
}

function inValidity(c: X509Certificate, now: Date): boolean {
  return new Date(c.validFrom) <= now && now <= new Date(c.validTo)
}

export interface EkCertResult {
  subject: string
  chain: string[]
}

/** Throws TcpError('rejected') naming the first thing that does not hold. */
export function checkEkCertificate(cert: Uint8Array, ekPublic: Uint8Array, cas: Uint8Array[], now = new Date()): EkCertResult {
  const leaf = loadCert(cert, 'ek-cert')
  const ek = publicKeyOf(parsePublic(ekPublic, 'ek (TPM2B_PUBLIC)'))
  const trusted = cas.flatMap((c, i) => loadCertificates(c, `ek-ca ${i}`))
  if (trusted.length === 0) throw new TcpError('usage', 'ek-ca: at least one CA certificate is needed to check an EK certificate')
  if (!equalBytes(spki(leaf.publicKey), spki(ek))) throw new TcpError('rejected', 'ek-cert: the certificate certifies another key than the EK')
  const chain = [leaf.subject]
  let cur = leaf
  for (let depth = 0; depth < 8; depth++) {
    if (!inValidity(cur, now)) throw new TcpError('rejected', `ek-cert: "${cur.subject}" is not valid at ${now.toISOString()} (${cur.validFrom} to ${cur.validTo})`)
    const issuer = trusted.find((ca) => cur.checkIssued(ca) && cur.verify(ca.publicKey))
    if (!issuer) throw new TcpError('rejected', `ek-cert: no trusted CA issued and signed "${cur.subject}" (issuer "${cur.issuer}")`)
    if (issuer.ca === false) throw new TcpError('rejected', `ek-cert: issuer "${issuer.subject}" is not a CA certificate`)
    chain.push(issuer.subject)
    if (issuer.checkIssued(issuer) && issuer.verify(issuer.publicKey)) {
      if (!inValidity(issuer, now)) throw new TcpError('rejected', `ek-cert: root "${issuer.subject}" is not valid at ${now.toISOString()}`)
      return {subject: leaf.subject, chain}
    }
    cur = issuer
  }
  throw new TcpError('rejected', 'ek-cert: chain longer than 8 certificates')
}
