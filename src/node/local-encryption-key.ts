/**
 * Without ENCRYPTION_KEY, secrets at rest are sealed with a random key kept next to the database
 * (mode 0600): never in clear, and no configuration needed to start. Production deployments set
 * ENCRYPTION_KEY so the key does not sit beside the data.
 *
 * The file holds 32 random bytes, base64 (as written here) or hex. Anything else is refused at
 * start: an empty or truncated file would seal secrets under a key anyone can guess.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Config, ConfigError } from "../config/env";

export const LOCAL_KEY_BYTES = 32;

export type LocalKey = {
  key: string;
  /** Where it was generated, when it was (a person should hear about it). */
  generatedAt: string | null;
  /** An existing file whose looser mode (octal) was tightened to 0600. */
  tightened?: { path: string; mode: string };
};

/** The key secrets are sealed with: ENCRYPTION_KEY, else the local key file (generated when missing). */
export function configuredKey(config: Config): LocalKey {
  return config.encryptionKey
    ? { key: config.encryptionKey, generatedAt: null }
    : localEncryptionKey(config.databasePath);
}

export function localEncryptionKey(databasePath: string): LocalKey {
  if (databasePath === ":memory:")
    return { key: crypto.randomUUID() + crypto.randomUUID(), generatedAt: null };
  const path = join(dirname(resolve(databasePath)), "encryption.key");
  if (existsSync(path)) {
    const key = readLocalKey(path);
    const mode = statSync(path).mode & 0o777;
    if (mode === 0o600) return { key, generatedAt: null };
    chmodSync(path, 0o600);
    return { key, generatedAt: null, tightened: { path, mode: mode.toString(8).padStart(4, "0") } };
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(LOCAL_KEY_BYTES))).toString("base64");
  // "wx": never overwrite a key another process wrote meanwhile.
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return { key, generatedAt: path };
}

/** The key file's passphrase (its trimmed text, as it always was), once it is known to be a whole key. */
export function readLocalKey(path: string): string {
  const key = readFileSync(path, "utf8").trim();
  const problem = localKeyProblem(key);
  if (problem) {
    throw new ConfigError([
      `${path}: ${problem}. It must hold ${LOCAL_KEY_BYTES} random bytes, base64 or hex (e.g. openssl rand -base64 ${LOCAL_KEY_BYTES}). If secrets were sealed with it, restore the original file; otherwise remove it to have a new one generated.`,
    ]);
  }
  return key;
}

/** Why a key file's text is not a whole key, or null when it is one. */
export function localKeyProblem(key: string): string | null {
  if (key.length === 0) return "is empty";
  if (/^[0-9a-fA-F]+$/.test(key) && key.length === LOCAL_KEY_BYTES * 2) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) return "is neither base64 nor hex";
  const bytes = (key.length / 4) * 3 - (key.match(/=+$/)?.[0].length ?? 0);
  return bytes === LOCAL_KEY_BYTES ? null : `holds ${bytes} bytes, not ${LOCAL_KEY_BYTES}`;
}
