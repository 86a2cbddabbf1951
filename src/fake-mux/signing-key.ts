/**
 * The fake's URL signing key, in the format Mux's API hands out: base64 of a PKCS#1 PEM
 * (`-----BEGIN RSA PRIVATE KEY-----`). Generation uses node:crypto because it is synchronous
 * (the key must exist when `createFakeMux` returns); verification uses Web Crypto.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

export type SigningKey = { id: string; privateKeyBase64: string };

export function generateSigningKey(id: string): SigningKey {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { id, privateKeyBase64: Buffer.from(privateKey).toString("base64") };
}

/** The public half, ready for `crypto.subtle.verify`. Accepts a base64 PEM or a raw PEM. */
export async function importVerificationKey(privateKeyBase64: string): Promise<CryptoKey> {
  const pem = privateKeyBase64.includes("-----BEGIN")
    ? privateKeyBase64
    : Buffer.from(privateKeyBase64, "base64").toString("utf8");
  const spki = createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" });
  return crypto.subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
    "verify",
  ]);
}
