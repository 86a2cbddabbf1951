/**
 * Without ENCRYPTION_KEY, secrets at rest are sealed with a random key kept next to the database
 * (mode 0600): never in clear, and no configuration needed to start. Production deployments set
 * ENCRYPTION_KEY so the key does not sit beside the data.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The passphrase, and where it was generated when it was (a person should hear about it). */
export function localEncryptionKey(databasePath: string): { key: string; generatedAt: string | null } {
  if (databasePath === ":memory:")
    return { key: crypto.randomUUID() + crypto.randomUUID(), generatedAt: null };
  const path = join(dirname(resolve(databasePath)), "encryption.key");
  if (existsSync(path)) return { key: readFileSync(path, "utf8").trim(), generatedAt: null };
  mkdirSync(dirname(path), { recursive: true });
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, generatedAt: path };
}
