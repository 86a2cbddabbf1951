/**
 * `npm run build`: compiles the Node side ahead of time into `dist/`, so the installed package
 * runs on plain `node` with no TypeScript loader. One esbuild pass over four entries, with code
 * splitting so they share chunks, and every dependency left external (installed beside the
 * package, native better-sqlite3 included):
 *
 *   dist/cli.js       the `mux-ingest` command (the `bin`)
 *   dist/node.js      the Node service as a library: `startNode`, `openNode`
 *   dist/fake-mux.js  the fake Mux, for a user's own tests
 *   dist/demo.js      the demo on one machine
 *
 * Commands are imported lazily by the CLI, so `--help` loads one small chunk. Migrations are
 * not bundled: they ship as files in `migrations/`, found from the package root at run time.
 */
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist");

/** Builds `dist/` afresh; resolves with a one-line summary. */
export async function buildDist(): Promise<string> {
  rmSync(OUT, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: {
      cli: "src/cli.ts",
      node: "src/node/index.ts",
      "fake-mux": "src/fake-mux/index.ts",
      demo: "src/demo/run-demo.ts",
    },
    outdir: OUT,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
    chunkNames: "chunks/[name]-[hash]",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const scripts = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith(".js"));
  const kib = scripts.reduce((sum, [, output]) => sum + output.bytes, 0) / 1024;
  return `dist/: ${scripts.length} files, ${kib.toFixed(0)} KiB of JavaScript`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildDist());
}
