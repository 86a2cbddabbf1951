/** An RSA signing key in Mux's API format (base64 of a PKCS#1 PEM), made once per test file. */
import { generateKeyPairSync } from "node:crypto";

let cached: { id: string; privateKeyBase64: string } | null = null;

export function testSigningKey(): { id: string; privateKeyBase64: string } {
  if (!cached) {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    cached = { id: "testSigningKeyId01", privateKeyBase64: Buffer.from(privateKey).toString("base64") };
  }
  return cached;
}
