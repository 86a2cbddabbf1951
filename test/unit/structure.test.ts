/**
 * The shape of `src/`, checked on the tree as it is when the test runs. Each rule lists every
 * violation (file:line → what it reaches for), so one run is a complete to-do list.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { buildImportGraph, findCycles, type ImportRecord } from "../helpers/import-graph";
import { countLines, findMatches, listFiles, stripComments } from "../helpers/source-files";

/**
 * The project's map, top to bottom. A file belongs to the layer whose paths hold it (a path ending
 * in `/` is a folder, any other is one file) and may import its own layer and those below it, never
 * one above: the entries wire everything, `lib` knows nothing of the rest.
 */
const LAYERS = [
  {
    name: "entries",
    paths: ["src/cli.ts", "src/cli/", "src/node/", "src/worker.ts", "src/workers/", "src/demo/"],
  },
  { name: "root", paths: ["src/service-graph.ts", "src/settings.ts", "src/config/"] },
  { name: "http", paths: ["src/http/"] },
  { name: "resources", paths: ["src/resources/"] },
  { name: "jobs", paths: ["src/jobs/"] },
  { name: "sync", paths: ["src/sync/"] },
  {
    name: "adapters",
    paths: ["src/mux/", "src/db/", "src/storage/", "src/queue/", "src/metrics/", "src/pipeline/"],
  },
  { name: "lib", paths: ["src/lib/"] },
] as const;

/**
 * The fake Mux is a test double shipped as a tool, beside the layers rather than in them: it
 * builds on `lib` and the real Mux types only, and only the demo, the CLI and tests use it, so
 * nothing in the service can come to depend on a fake.
 */
const FAKE_MUX = {
  paths: ["src/fake-mux/"],
  mayImport: ["src/fake-mux/", "src/lib/", "src/mux/"],
  importedOnlyFrom: ["src/fake-mux/", "src/demo/", "src/cli/", "test/"],
} as const;

const ENTRIES = LAYERS[0].paths;
/** Where HTTP is spoken: the server, the fake Mux's server, and the entries that start them. */
const HONO_EDGES = [...ENTRIES, "src/http/", ...FAKE_MUX.paths];
/** The domain a Mux adapter must not know of. */
const DOMAIN = ["src/sync/", "src/jobs/", "src/resources/", "src/http/"];
const MAX_LINES = 400;

/** The queue's own table: only `src/queue/` may name it, in imports or in SQL. */
const JOBS_TABLE = {
  owner: "src/queue/",
  /** Where the `jobs` table is defined. */
  module: "src/queue/tables.ts",
  /** Where the other tables are: taking `jobs` from there would mean it moved back. */
  legacyModule: "src/db/schema.ts",
  /** SQL naming the table, in any string or template. */
  sql: /\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+[`"']?jobs\b/i,
  /**
   * The drizzle table interpolated into a `sql` template: `${jobs}`, `${jobs.status}`,
   * `${schema.jobs}`. Only inside one: elsewhere `${jobs}` is some local value, such as a count
   * in a log line. `${deps.jobs.activeCondition(key)}` is the queue's own SQL, asked for by name.
   */
  interpolated: /\$\{\s*(?:schema\s*\.\s*)?jobs\s*[.}]/,
  /** A `sql` tagged template, substitutions included (a template nested in one ends it early). */
  sqlTemplate: /\bsql\s*`(?:[^`\\]|\\.)*`/,
} as const;

const ROOT = path.resolve(import.meta.dirname, "../..");

/** `within(f, ["src/http/"])`: f is in that folder; `within(f, ["src/cli.ts"])`: f is that file. */
function within(file: string, paths: readonly string[]): boolean {
  return paths.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p));
}

type Place = { kind: "layer"; rank: number; name: string } | { kind: "fake-mux" } | { kind: "none" };

function placeOf(file: string): Place {
  if (within(file, FAKE_MUX.paths)) return { kind: "fake-mux" };
  const rank = LAYERS.findIndex((layer) => within(file, layer.paths));
  const layer = LAYERS[rank];
  return layer ? { kind: "layer", rank, name: layer.name } : { kind: "none" };
}

function describePlace(place: Place): string {
  return place.kind === "layer" ? `${place.rank + 1}. ${place.name}` : place.kind;
}

function jsxImportSource(): string | undefined {
  const { config } = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const source: unknown = config?.compilerOptions?.jsxImportSource;
  return typeof source === "string" ? source : undefined;
}

/** Fails with every violation, one a line, under the rule's name. */
function expectNone(rule: string, violations: readonly string[]): void {
  const list = violations.map((violation) => `  ${violation}`).join("\n");
  expect(violations, `${rule}: ${violations.length} violation(s)\n${list}\n`).toEqual([]);
}

const at = (file: string, record: ImportRecord): string => `${file}:${record.line}`;

/** Violations in file order, then line order (`a.ts:9` before `a.ts:10`). */
function byLocation(violations: readonly string[]): string[] {
  return [...violations].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

describe("structure of src/", () => {
  const graph = buildImportGraph(ROOT, { srcDir: "src", jsxImportSource: jsxImportSource() });
  const sources = [...graph.keys()].map((file) => {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    return { file, code: stripComments(file, text) };
  });
  const imports = [...graph.values()].flatMap(({ file, imports: records }) =>
    records.map((record) => ({ file, record })),
  );
  /**
   * Each line of code (comments stripped) matching one of `patterns`, in the files `applies` keeps;
   * with `inside`, only matches within what `inside` matches.
   */
  const codeMatching = (
    applies: (file: string) => boolean,
    patterns: readonly RegExp[],
    inside?: RegExp,
  ): string[] =>
    sources
      .filter(({ file }) => applies(file))
      .flatMap(({ file, code }) =>
        patterns.flatMap((pattern) =>
          findMatches(code, pattern, inside).map((match) => `${file}:${match.line} → ${match.text}`),
        ),
      );

  it("has no import cycles, type-only imports included", () => {
    const violations = findCycles(graph).map(({ members, loops }) => {
      const knot = members.length === 1 ? "self-import" : `knot of ${members.length} files`;
      return [`${knot}: ${members.join(", ")}`, ...loops.map((loop) => `    ${loop.join(" → ")}`)].join("\n");
    });
    expectNone("Import cycles", violations);
  });

  it("imports Hono only at the edges", () => {
    const violations = imports
      .filter(({ file, record }) => isHono(record.specifier) && !within(file, HONO_EDGES))
      .map(({ file, record }) => `${at(file, record)} → ${record.specifier} (${record.kind})`);
    expectNone(`Hono outside ${HONO_EDGES.join(", ")}`, violations);
  });

  it("leaves the jobs table to src/queue/", () => {
    const outsideQueue = (file: string): boolean => !within(file, [JOBS_TABLE.owner]);
    const imported = imports
      .filter(({ file }) => outsideQueue(file))
      .flatMap(({ file, record }) => {
        if (record.target === JOBS_TABLE.module)
          return [`${at(file, record)} → imports ${JOBS_TABLE.module}`];
        if (record.target !== JOBS_TABLE.legacyModule) return [];
        if (record.names.includes("jobs"))
          return [`${at(file, record)} → takes \`jobs\` from ${JOBS_TABLE.legacyModule}`];
        if (record.names.includes("*"))
          return [`${at(file, record)} → takes all of ${JOBS_TABLE.legacyModule}, \`jobs\` included`];
        return [];
      });
    const sql = [
      ...codeMatching(outsideQueue, [JOBS_TABLE.sql]),
      ...codeMatching(outsideQueue, [JOBS_TABLE.interpolated], JOBS_TABLE.sqlTemplate),
    ];
    expectNone("The jobs table touched outside src/queue/", byLocation([...imported, ...sql]));
  });

  it("points every import down the layers", () => {
    const unplaced = [...graph.keys()]
      .filter((file) => placeOf(file).kind === "none")
      .map((file) => `${file} → belongs to no layer`);
    const unresolved = [...graph.values()].flatMap(({ file, unresolved: specifiers }) =>
      specifiers.map((specifier) => `${file} → ${specifier} resolves to no file`),
    );
    const upward = imports.flatMap(({ file, record }) => {
      const problem = record.target ? layerProblem(file, record.target) : null;
      return problem ? [`${at(file, record)} → ${record.target}: ${problem}`] : [];
    });
    expectNone("Layers", [...unplaced, ...unresolved, ...upward]);
  });

  it("keeps src/mux/ free of the domain", () => {
    const violations = imports
      .filter(
        ({ file, record }) => within(file, ["src/mux/"]) && record.target && within(record.target, DOMAIN),
      )
      .map(({ file, record }) => `${at(file, record)} → ${record.target}`);
    expectNone(`src/mux/ importing ${DOMAIN.join(", ")}`, violations);
  });

  it(`keeps every file at ${MAX_LINES} lines or fewer`, () => {
    const violations = listFiles(ROOT, "src")
      .map((file) => ({ file, lines: countLines(readFileSync(path.join(ROOT, file), "utf8")) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file} → ${lines} lines`);
    expectNone(`Files over ${MAX_LINES} lines`, violations);
  });

  it("reads configuration only at the entries", () => {
    const readers = [...ENTRIES, ...FAKE_MUX.paths];
    const applies = (file: string): boolean => !within(file, readers);
    const inCode = codeMatching(applies, [
      /\bprocess\s*(\?\.|\.)\s*(env|argv)\b/,
      /\bprocess\s*(\?\.)?\[\s*["'`](env|argv)["'`]\s*\]/,
      /\{[^{}]*\b(env|argv)\b[^{}]*\}\s*=\s*(globalThis\s*\.\s*)?process\b/,
    ]);
    const imported = imports
      .filter(({ file, record }) => applies(file) && /^(node:)?process$/.test(record.specifier))
      .filter(({ record }) => record.names.some((name) => name === "env" || name === "argv"))
      .map(({ file, record }) => `${at(file, record)} → ${record.names.join(", ")} from ${record.specifier}`);
    expectNone("process.env / process.argv outside the entries", byLocation([...inCode, ...imported]));
  });

  it("builds the service graph in src/service-graph.ts only", () => {
    const violations = codeMatching(
      (file) => file !== "src/service-graph.ts",
      [
        /\bnew\s+(JobRunner|JobStore|JobDispatcher|JobMessageConsumer|Doorbell|ConnectionCredentialsCache)\s*\(/,
        // Calls, not the declarations.
        /(?<!function\s+)\b(createJobRegistry|createApp)\s*\(/,
      ],
    );
    expectNone("Parts of the service graph built outside the composition root", violations);
  });

  it("registers nothing in a global registry outside the entries", () => {
    const violations = codeMatching(
      (file) => !within(file, ENTRIES),
      [/\bglobalRegistry\s*(\?\.|\.)\s*add\s*\(/, /\bextendZodWithOpenApi\s*\(/],
    );
    expectNone("Global registry mutated outside the entries", violations);
  });
});

/** `hono`, `hono/<anything>` and `@hono/<anything>`. */
function isHono(specifier: string): boolean {
  return /^(hono(\/|$)|@hono\/)/.test(specifier);
}

/** Why `file` may not import `target`, or null when it may. */
function layerProblem(file: string, target: string): string | null {
  const from = placeOf(file);
  const to = placeOf(target);
  if (to.kind === "fake-mux" && !within(file, FAKE_MUX.importedOnlyFrom))
    return `only ${FAKE_MUX.importedOnlyFrom.join(", ")} may import the fake Mux`;
  if (from.kind === "fake-mux")
    return within(target, FAKE_MUX.mayImport)
      ? null
      : `the fake Mux may import only ${FAKE_MUX.mayImport.join(", ")}`;
  // A file of no layer is reported once as such; what it imports is judged once it has a place.
  if (from.kind === "none") return null;
  if (to.kind === "none") return target.startsWith("src/") ? "belongs to no layer" : "outside src/";
  if (from.kind === "layer" && to.kind === "layer" && to.rank < from.rank)
    return `up from ${describePlace(from)} to ${describePlace(to)}`;
  return null;
}
