/**
 * Encryption of connection secrets at rest: AES-256-GCM with a key derived (HKDF-SHA-256) from
 * `ENCRYPTION_KEY`. Web Crypto only, so Node and Workers read each other's rows.
 * Format: `v1.<base64 iv>.<base64 ciphertext+tag>`.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SecretBox {
  private constructor(private readonly key: CryptoKey) {}

  static async fromPassphrase(passphrase: string): Promise<SecretBox> {
    const material = await crypto.subtle.importKey("raw", encoder.encode(passphrase), "HKDF", false, [
      "deriveKey",
    ]);
    const key = await crypto.subtle.deriveKey(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: encoder.encode("mux-ingest/secret-box"),
        info: encoder.encode("v1"),
      },
      material,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    return new SecretBox(key);
  }

  async seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.key, encoder.encode(plaintext)),
    );
    return `v1.${toBase64(iv)}.${toBase64(sealed)}`;
  }

  async open(envelope: string): Promise<string> {
    const [version, iv, data] = envelope.split(".");
    if (version !== "v1" || !iv || !data) throw new Error("Not a sealed secret (expected v1.<iv>.<data>)");
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(iv) },
        this.key,
        fromBase64(data),
      );
      return decoder.decode(plain);
    } catch {
      throw new Error("Cannot decrypt a stored secret: ENCRYPTION_KEY differs from the one that sealed it");
    }
  }
}

/**
 * The last four characters, for showing a write-only secret as `****c0ff`. A PEM key ends with a
 * constant footer, so its hint comes from the end of the key material instead.
 */
export function secretHint(secret: string): string {
  const material = secret.includes("-----BEGIN")
    ? secret
        .split("\n")
        .filter((line) => !line.startsWith("-----"))
        .join("")
        .replace(/\s+/g, "")
    : secret.trim();
  return material.replace(/=+$/, "").slice(-4);
}

export function maskHint(hint: string | undefined | null): string | null {
  return hint ? `****${hint}` : null;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
