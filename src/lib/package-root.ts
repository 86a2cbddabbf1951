/**
 * Where the installed package is: found by walking up from a module to the `package.json` named
 * `mux-ingest`, so the sources (`src/…`) and the build (`dist/chunks/…`, installed under
 * `node_modules/mux-ingest/`) find the same files (migrations, the manifest), whatever the
 * current directory. Node only.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "mux-ingest";

type Manifest = { name?: string; version?: string };

function readManifest(dir: string): Manifest | null {
  const path = join(dir, "package.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Manifest) : null;
}

/** The package's root folder, seen from the module at `moduleUrl` (`import.meta.url`). */
export function packageRoot(moduleUrl: string): string {
  const from = dirname(fileURLToPath(moduleUrl));
  for (let dir = from; ; dir = dirname(dir)) {
    if (readManifest(dir)?.name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`${PACKAGE_NAME}: no package root above ${from}`);
  }
}

/** The package's version, from its manifest. */
export function packageVersion(moduleUrl: string): string {
  return readManifest(packageRoot(moduleUrl))?.version ?? "unknown";
}
