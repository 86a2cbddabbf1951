/**
 * Mux's webhook signature: `Mux-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`, with
 * Web Crypto so the same code runs wherever the fake does.
 */

const encoder = new TextEncoder();

export function importHmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
}

export async function hmacSha256Hex(secret: string | CryptoKey, message: string): Promise<string> {
  const key = typeof secret === "string" ? await importHmacKey(secret) : secret;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `secret` may be a key from `importHmacKey`, to sign many bodies with one import. */
export async function muxSignatureHeader(
  secret: string | CryptoKey,
  body: string,
  unixSeconds: number,
): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`;
}
