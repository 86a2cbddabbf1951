/**
 * The import graph of a TypeScript tree. Every way one file can depend on another counts, the
 * type-only ones included: a type import is still a dependency of the design, and with
 * `verbatimModuleSyntax` an `import { type X }` even loads the module at run time.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ModuleReference } from "./module-references";
import { isTypeScriptFile, lineLocator, listFiles } from "./source-files";
import { syntaxOf } from "./syntax";

export type { ImportKind } from "./module-references";

export interface ImportRecord extends Omit<ModuleReference, "start"> {
  /** 1-based line of the `import`, `export` or `require`. */
  line: number;
  /** The repo path a relative specifier resolves to; null for a package or an unresolved path. */
  target: string | null;
}

export interface FileImports {
  file: string;
  imports: readonly ImportRecord[];
  /** Repo paths of the files it imports, sorted, each once. */
  internal: readonly string[];
  /** Bare specifiers (packages, `node:` modules) as written, sorted, each once. */
  external: readonly string[];
  /** Relative specifiers that match no file, and `import()` of a computed expression. */
  unresolved: readonly string[];
}

/** Keyed by repo path (`src/http/webhooks.ts`, forward slashes), in path order. */
export type ImportGraph = ReadonlyMap<string, FileImports>;

export interface GraphOptions {
  /** The folder to read, relative to the root; `src` unless told. */
  srcDir?: string;
  /**
   * `compilerOptions.jsxImportSource`: a `.tsx` file with JSX in it imports
   * `<source>/jsx-runtime` without saying so, and that dependency counts like any other.
   */
  jsxImportSource?: string;
}

/** Reads every `.ts`/`.tsx` file under `<rootDir>/<srcDir>` and returns what each one imports. */
export function buildImportGraph(rootDir: string, options: GraphOptions = {}): ImportGraph {
  const root = path.resolve(rootDir);
  const files = listFiles(root, options.srcDir ?? "src", isTypeScriptFile);
  const known = new Set(files);
  const isFile = (repoPath: string): boolean =>
    known.has(repoPath) || existsAsFile(path.join(root, repoPath));
  const graph = new Map<string, FileImports>();
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    const imports = readImports(file, text, options.jsxImportSource).map((record) => ({
      ...record,
      target: isInternal(record) ? resolveRelative(file, record.specifier, isFile) : null,
    }));
    graph.set(file, summarise(file, imports));
  }
  return graph;
}

/** The module references of one file, in source order, not yet resolved. */
export function readImports(fileName: string, text: string, jsxImportSource?: string): ImportRecord[] {
  const { references, jsxStart } = syntaxOf(fileName, text);
  const lineOf = lineLocator(text);
  const records: ImportRecord[] = references.map(({ start, ...reference }) => ({
    ...reference,
    line: lineOf(start),
    target: null,
  }));
  if (jsxStart !== null && jsxImportSource) {
    const specifier = `${jsxImportSource}/jsx-runtime`;
    records.push({ specifier, kind: "jsx runtime", names: ["*"], line: lineOf(jsxStart), target: null });
  }
  return records;
}

function summarise(file: string, imports: ImportRecord[]): FileImports {
  const unique = (values: string[]): string[] => [...new Set(values)].sort();
  return {
    file,
    imports,
    internal: unique(imports.flatMap((record) => (record.target ? [record.target] : []))),
    external: unique(imports.filter((r) => !r.computed && !isRelative(r.specifier)).map((r) => r.specifier)),
    unresolved: unique(
      imports
        .filter((record) => record.computed || (isInternal(record) && !record.target))
        .map((record) => (record.computed ? `import(${record.specifier})` : record.specifier)),
    ),
  };
}

function existsAsFile(absolutePath: string): boolean {
  return existsSync(absolutePath) && statSync(absolutePath).isFile();
}

/** `./x`, `../x`, `.`, `..` and absolute paths name files; any other string names a package. */
function isRelative(specifier: string): boolean {
  return /^\.\.?(\/|$)/.test(specifier) || specifier.startsWith("/");
}

function isInternal(record: ImportRecord): boolean {
  return !record.computed && isRelative(record.specifier);
}

/**
 * The file a relative specifier means, the way a bundler resolves TypeScript sources: `x` is
 * `x.ts`, `x.tsx`, `x/index.ts` or `x/index.tsx`; `x.js` names the source `x.ts`/`x.tsx`; an
 * explicit `.ts`/`.tsx` (or any other existing file, such as JSON) is taken as is.
 */
function resolveRelative(
  from: string,
  specifier: string,
  isFile: (repoPath: string) => boolean,
): string | null {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const source = /\.[mc]?jsx?$/.test(base) ? base.replace(/\.([mc]?)js(x?)$/, ".$1ts$2") : null;
  const candidates = [
    ...(source ? [source, source.replace(/\.([mc]?)ts$/, ".$1tsx")] : []),
    base,
    `${base}.ts`,
    `${base}.tsx`,
    `${base}/index.ts`,
    `${base}/index.tsx`,
  ];
  return candidates.find(isFile) ?? null;
}

export interface Cycle {
  /** Every file of the strongly connected component, sorted. */
  members: readonly string[];
  /** One shortest loop through the first member, ending where it starts: `[a, b, c, a]`. */
  path: readonly string[];
  /**
   * `path`, then a shortest loop through each member no earlier loop passes: together they show
   * how every file of a larger knot is caught in it.
   */
  loops: ReadonlyArray<readonly string[]>;
}

/**
 * The import cycles: each strongly connected component of more than one file, and each file that
 * imports itself. Only edges between files of the graph count. Sorted by first member.
 */
export function findCycles(graph: ImportGraph): Cycle[] {
  const edges = (file: string): readonly string[] =>
    (graph.get(file)?.internal ?? []).filter((target) => graph.has(target));
  const cycles: Cycle[] = [];
  for (const component of stronglyConnected([...graph.keys()], edges)) {
    const members = [...component].sort();
    const first = members[0];
    if (first === undefined) continue;
    if (members.length === 1 && !edges(first).includes(first)) continue;
    const inside = new Set(members);
    const within = (file: string): readonly string[] => edges(file).filter((target) => inside.has(target));
    const loops: string[][] = [];
    for (const member of members) {
      if (!loops.some((loop) => loop.includes(member))) loops.push(shortestLoop(member, within));
    }
    cycles.push({ members, path: loops[0] ?? [first], loops });
  }
  return cycles.sort((a, b) => (a.members[0] ?? "").localeCompare(b.members[0] ?? ""));
}

/** Tarjan's algorithm: the strongly connected components of a directed graph. */
function stronglyConnected(nodes: readonly string[], edges: (node: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    const order = index.size;
    index.set(node, order);
    lowLink.set(node, order);
    stack.push(node);
    onStack.add(node);
    for (const next of edges(node)) {
      if (!index.has(next)) {
        connect(next);
        lowLink.set(node, Math.min(lowLink.get(node) ?? order, lowLink.get(next) ?? order));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) ?? order, index.get(next) ?? order));
      }
    }
    if (lowLink.get(node) !== order) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    components.push(component);
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return components;
}

/** Breadth-first from `start` back to itself; the start is known to lie on a cycle. */
function shortestLoop(start: string, edges: (node: string) => readonly string[]): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as string;
    for (const next of edges(node)) {
      if (next === start) return [...walkBack(cameFrom, node, start), start];
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      queue.push(next);
    }
  }
  return [start];
}

/** The path from `start` to `end` that `cameFrom` recorded, both ends included. */
function walkBack(cameFrom: ReadonlyMap<string, string>, end: string, start: string): string[] {
  const path = [end];
  for (let node = end; node !== start; ) {
    node = cameFrom.get(node) ?? start;
    path.unshift(node);
  }
  return path;
}
