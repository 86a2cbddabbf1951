/**
 * The import-graph helper, on small trees written to a temp dir: the structure test is only as
 * good as the graph it reads, so each import form, the cycle finder and the comment stripper are
 * pinned here.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are source text, templates included.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { buildImportGraph, type FileImports, findCycles, type ImportGraph } from "../helpers/import-graph";
import { findMatches, isTypeScriptFile, listFiles, stripComments } from "../helpers/source-files";

const roots: string[] = [];

/** A fresh root holding `files` (repo path → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "import-graph-"));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function imported(graph: ImportGraph, file: string): FileImports {
  const imports = graph.get(file);
  if (!imports) throw new Error(`${file} is not in the graph`);
  return imports;
}

/** One target file per import form, so each form is seen (or missed) on its own. */
const FORMS = {
  "default import": ['import value from "./forms/default";', "src/forms/default.ts"],
  "import type": ['import type { T } from "./forms/type-only";', "src/forms/type-only.ts"],
  "inline type": ['import { type U } from "./forms/inline-type";', "src/forms/inline-type.ts"],
  "namespace import": ['import * as ns from "./forms/namespace";', "src/forms/namespace.ts"],
  "side-effect import": ['import "./forms/side-effect";', "src/forms/side-effect.ts"],
  "named re-export": ['export { e as f } from "./forms/re-export";', "src/forms/re-export.ts"],
  "export *": ['export * from "./forms/star";', "src/forms/star.ts"],
  "export * as": ['export * as starry from "./forms/star-as";', "src/forms/star-as.ts"],
  "export type": ['export type { V } from "./forms/export-type";', "src/forms/export-type.ts"],
  "dynamic import": ['export const load = () => import("./forms/dynamic");', "src/forms/dynamic.ts"],
  "awaited import": ["const mod = await import(`./forms/awaited`);", "src/forms/awaited.ts"],
  "import() type": ['type Q = import("./forms/type-query").Q;', "src/forms/type-query.ts"],
  "typeof import()": ['type R = typeof import("./forms/typeof-query");', "src/forms/typeof-query.ts"],
  "import = require": ['import legacy = require("./forms/import-equals");', "src/forms/import-equals.ts"],
  "explicit .js": ['import { js } from "./forms/explicit.js";', "src/forms/explicit.ts"],
  "explicit .ts": ['import { viaTs } from "./forms/explicit-ts.ts";', "src/forms/explicit-ts.ts"],
  "folder index": ['import { folder } from "./forms/folder";', "src/forms/folder/index.ts"],
  ".tsx file": ['import { Component } from "./forms/component";', "src/forms/component.tsx"],
  "import after nested templates": [
    "const nested = `a ${`b ${1 / 2} }`} {` + String(import('./forms/after-templates'));",
    "src/forms/after-templates.ts",
  ],
  "import() type in a signature": [
    "let handler: (c: import('./forms/in-generic').C<string>) => void;",
    "src/forms/in-generic.ts",
  ],
} as const;

const FORMS_FILE = [
  ...Object.values(FORMS).map(([line]) => line),
  'import { Hono } from "hono";',
  'import { readFile } from "node:fs";',
  'import { jobs as queueJobs, type Other } from "./forms/renamed";',
  "// import { commented } from './forms/in-comment';",
  "/* export * from './forms/in-block-comment'; */",
  "const text = \"import quoted from './forms/in-string'\";",
  "const template = `export * from './forms/in-template' ${text} import('./forms/in-template')`;",
  'const method = { import: (x: string) => x }.import("./forms/as-property");',
  "const pattern = /import x from '.\\/forms\\/in-regex'/;",
  "",
].join("\n");

const FORM_TARGETS = Object.fromEntries(
  Object.values(FORMS).map(([, target]) => [target, "export const x = 1;\n"]),
);

describe("buildImportGraph", () => {
  const root = tree({
    "src/all-forms.ts": FORMS_FILE,
    ...FORM_TARGETS,
    "src/forms/renamed.ts": "export const jobs = 1;\n",
    "src/forms/in-comment.ts": "",
    "src/forms/in-string.ts": "",
    "src/forms/in-template.ts": "",
    "src/forms/as-property.ts": "",
    "src/forms/in-regex.ts": "",
    "src/forms/in-block-comment.ts": "",
    "src/view.tsx": [
      'import { helper } from "./forms/default";',
      "export const View = () => <p>Don't read this as code: // or /* or `import('./forms/in-jsx')`</p>;",
      "",
    ].join("\n"),
    "src/forms/in-jsx.ts": "",
    "src/broken.ts":
      'import { gone } from "./nowhere";\nconst name = "x";\nawait import(`./forms/${name}`);\n',
  });
  const graph = buildImportGraph(root, { jsxImportSource: "hono/jsx" });
  const allForms = imported(graph, "src/all-forms.ts");

  it("keys files by repo path with forward slashes, every .ts and .tsx under src/", () => {
    expect([...graph.keys()]).toContain("src/forms/folder/index.ts");
    expect([...graph.keys()]).toContain("src/forms/component.tsx");
  });

  it.each(Object.entries(FORMS))("sees a %s", (_form, [, target]) => {
    expect(allForms.internal).toContain(target);
  });

  it("records each import once", () => {
    const packagesAndRenamed = 3;
    expect(allForms.imports).toHaveLength(Object.keys(FORMS).length + packagesAndRenamed);
  });

  it("sees nothing in comments, strings, templates, regular expressions, properties or JSX text", () => {
    const noise = ["in-comment", "in-block-comment", "in-string", "in-template", "as-property", "in-regex"];
    for (const name of noise) expect(allForms.internal).not.toContain(`src/forms/${name}.ts`);
    expect(imported(graph, "src/view.tsx").internal).toEqual(["src/forms/default.ts"]);
  });

  it("keeps packages and node: modules as external names, with the implied JSX runtime", () => {
    expect(allForms.external).toEqual(["hono", "node:fs"]);
    expect(imported(graph, "src/view.tsx").external).toEqual(["hono/jsx/jsx-runtime"]);
  });

  it("tells type-only imports and records the exported names taken", () => {
    const by = (specifier: string) => allForms.imports.find((record) => record.specifier === specifier);
    expect(by("./forms/type-only")).toMatchObject({ kind: "import type", names: ["T"], line: 2 });
    expect(by("./forms/inline-type")).toMatchObject({ kind: "import", names: ["U"] });
    expect(by("./forms/renamed")).toMatchObject({ names: ["jobs", "Other"] });
    expect(by("./forms/re-export")).toMatchObject({ kind: "export from", names: ["e"] });
    expect(by("./forms/namespace")?.names).toEqual(["*"]);
    expect(by("./forms/star")?.names).toEqual(["*"]);
    expect(by("./forms/default")?.names).toEqual(["default"]);
    expect(by("./forms/side-effect")?.names).toEqual([]);
    expect(by("./forms/type-query")).toMatchObject({ kind: "import() type", names: ["Q"] });
    expect(by("./forms/typeof-query")).toMatchObject({ kind: "import() type", names: ["*"] });
    expect(by("./forms/dynamic")).toMatchObject({ kind: "import()", names: ["*"] });
  });

  it("reports relative imports that resolve to nothing, and computed import()", () => {
    expect(imported(graph, "src/broken.ts").unresolved).toEqual(["./nowhere", "import(`./forms/${name}`)"]);
    expect(imported(graph, "src/broken.ts").internal).toEqual([]);
  });
});

describe("findCycles", () => {
  it("reports a 3-file cycle (through a type-only import) and a self-import, each as a path", () => {
    const root = tree({
      "src/cycle/one.ts": 'import { two } from "./two";\n',
      "src/cycle/two.ts": 'import type { Three } from "./three";\n',
      "src/cycle/three.ts": 'export { one } from "./one";\n',
      "src/self.ts": 'import { self } from "./self";\n',
      "src/leaf.ts": 'import { one } from "./cycle/one";\n',
    });
    expect(findCycles(buildImportGraph(root))).toEqual([
      {
        members: ["src/cycle/one.ts", "src/cycle/three.ts", "src/cycle/two.ts"],
        path: ["src/cycle/one.ts", "src/cycle/two.ts", "src/cycle/three.ts", "src/cycle/one.ts"],
        loops: [["src/cycle/one.ts", "src/cycle/two.ts", "src/cycle/three.ts", "src/cycle/one.ts"]],
      },
      {
        members: ["src/self.ts"],
        path: ["src/self.ts", "src/self.ts"],
        loops: [["src/self.ts", "src/self.ts"]],
      },
    ]);
  });

  it("shows how every file of a larger knot is caught, with a loop through each", () => {
    const root = tree({
      "src/a.ts": 'import { b } from "./b";\n',
      "src/b.ts": 'import { a } from "./a";\nimport { c } from "./c";\n',
      "src/c.ts": 'import { b } from "./b";\n',
    });
    const [knot, ...others] = findCycles(buildImportGraph(root));
    expect(others).toEqual([]);
    expect(knot?.members).toEqual(["src/a.ts", "src/b.ts", "src/c.ts"]);
    expect(knot?.loops).toEqual([
      ["src/a.ts", "src/b.ts", "src/a.ts"],
      ["src/c.ts", "src/b.ts", "src/c.ts"],
    ]);
  });

  it("reports none for an acyclic tree, diamonds included", () => {
    const root = tree({
      "src/top.ts": 'import { left } from "./left";\nimport { right } from "./right";\n',
      "src/left.ts": 'import type { Bottom } from "./bottom";\n',
      "src/right.ts": 'export * from "./bottom";\n',
      "src/bottom.ts": 'import { readFile } from "node:fs";\n',
    });
    expect(findCycles(buildImportGraph(root))).toEqual([]);
  });
});

describe("stripComments", () => {
  it("blanks comments, keeps strings, templates and regular expressions, and keeps line numbers", () => {
    const text = [
      'const url = "https://example.test"; // trailing process.env',
      "/* block",
      "   process.env */ const t = `// ${/* inner */ 1} /*`;",
      "const re = /\\/\\/x/g; const q = a / b; // after division",
      "",
    ].join("\n");
    const comments = [
      "// trailing process.env",
      "/* block\n   process.env */",
      "/* inner */",
      "// after division",
    ];
    const blank = (comment: string): string => comment.replace(/[^\n]/g, " ");
    const expected = comments.reduce((code, comment) => code.replace(comment, blank(comment)), text);
    expect(stripComments("x.ts", text)).toBe(expected);
    expect(expected).not.toContain("process.env");
  });
});

describe("findMatches", () => {
  const code = [
    "const a = sql`SELECT 1",
    "  FROM ${jobs}`;",
    "log(`${jobs} done`);",
    "const b = sql`x ${jobs.id}`;",
  ];

  it("numbers each match by the line it starts on, across lines", () => {
    expect(findMatches(code.join("\n"), /SELECT\s+1\s+FROM/)).toEqual([{ line: 1, text: code[0] }]);
  });

  it("with `inside`, keeps only the matches within those spans", () => {
    const lines = findMatches(code.join("\n"), /\$\{jobs\b/, /\bsql`[^`]*`/).map((match) => match.line);
    expect(lines).toEqual([2, 4]);
  });
});

describe("on the real src/ tree", () => {
  it("sees every module specifier that ts.preProcessFile sees, and no other", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const graph = buildImportGraph(root);
    const differing = listFiles(root, "src", isTypeScriptFile).filter((file) => {
      const text = readFileSync(path.join(root, file), "utf8");
      const expected = ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
      const seen = imported(graph, file).imports.map((record) => record.specifier);
      return JSON.stringify(seen.sort()) !== JSON.stringify(expected.sort());
    });
    expect(differing).toEqual([]);
  });
});
