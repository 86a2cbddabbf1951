/** The package's version, as `mux-ingest --version` prints it: the installed manifest's. */
import { packageVersion } from "../lib/package-root";

export function version(): string {
  return packageVersion(import.meta.url);
}
