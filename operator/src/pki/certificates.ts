// A small certificate authority: ECDSA P-256 keys and X.509 certificates in PEM.
// Used by the local control plane (API server serving cert, client certs) and by the
// operator's admission webhook (a CA generated at start-up).
import "reflect-metadata";
import { webcrypto } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = {
  name: "ECDSA",
  namedCurve: "P-256",
  hash: "SHA-256",
} as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  certificate: string;
  privateKey: string;
}

export interface CertificateAuthority extends KeyPairPem {
  /** Issues a certificate signed by this CA. */
  issue(request: CertificateRequest): Promise<KeyPairPem>;
}

export interface CertificateRequest {
  /** Common name; for a client certificate the Kubernetes user name. */
  commonName: string;
  /** Organisations; for a client certificate the Kubernetes groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: "server" | "client";
  validDays?: number;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function distinguishedName(commonName: string, organizations: string[] = []): string {
  const escapeValue = (v: string) => v.replace(/([,+"\\<>;=])/g, "\\$1");
  return [...organizations.map((o) => `O=${escapeValue(o)}`), `CN=${escapeValue(commonName)}`].join(", ");
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** A CA from its PEM certificate and PKCS#8 private key (as createCertificateAuthority wrote them). */
export async function loadCertificateAuthority(pem: KeyPairPem, validDays = 365): Promise<CertificateAuthority> {
  const caCert = new x509.X509Certificate(pem.certificate);
  const der = Buffer.from(pem.privateKey.replace(/-----[^-]+-----|\s/g, ""), "base64");
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, ALGORITHM, true, ["sign"]);
  const publicKey = await caCert.publicKey.export(ALGORITHM, ["verify"]);
  return authority(caCert, { privateKey, publicKey } as CryptoKeyPair, validDays);
}

/** When a PEM certificate expires, and the DNS names and IP addresses it is for. */
export function certificateFacts(pem: string): { notAfter: Date; names: string[] } {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return { notAfter: cert.notAfter, names: (san?.names.items ?? []).map((n) => n.value) };
}

/** Creates a self-signed CA, valid for `validDays` (default 365). */
export async function createCertificateAuthority(commonName: string, validDays = 365): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const name = distinguishedName(commonName);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  return authority(caCert, keys, validDays);
}

async function authority(
  caCert: x509.X509Certificate,
  keys: CryptoKeyPair,
  validDays: number,
): Promise<CertificateAuthority> {
  const issue = async (req: CertificateRequest): Promise<KeyPairPem> => {
    const leafKeys = await generateKeys();
    const alternativeNames = [
      ...(req.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
      ...(req.ipAddresses ?? []).map((value) => ({
        type: "ip" as const,
        value,
      })),
    ];
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(
        [req.usage === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ];
    if (alternativeNames.length) extensions.push(new x509.SubjectAlternativeNameExtension(alternativeNames, false));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: distinguishedName(req.commonName, req.organizations),
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + (req.validDays ?? validDays) * DAY_MS),
      signingAlgorithm: ALGORITHM,
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      extensions,
    });
    return {
      certificate: cert.toString("pem"),
      privateKey: await exportPrivateKey(leafKeys.privateKey),
    };
  };

  return {
    certificate: caCert.toString("pem"),
    privateKey: await exportPrivateKey(keys.privateKey),
    issue,
  };
}
