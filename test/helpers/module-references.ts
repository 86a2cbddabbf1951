/**
 * Every place a token stream names a module, with what it takes from it. The forms are the ones
 * TypeScript has, type-only ones included:
 *
 *   import a, { b, type c } from "m"    import type { T } from "m"    import * as ns from "m"
 *   import "m"                          import x = require("m")       export { a } from "m"
 *   export * from "m"                   export * as ns from "m"       export type { T } from "m"
 *   await import("m")                   type T = import("m").T        typeof import("m")
 *   require("m")
 */
import ts from "typescript";
import type { Token } from "./lexer";

export type ImportKind =
  | "import"
  | "import type"
  | "export from"
  | "import()"
  | "import() type"
  | "require"
  | "reference"
  | "jsx runtime";

export interface ModuleReference {
  /** As written: `../db/schema`, `hono/jsx`, `node:fs`; for a computed `import()`, the expression. */
  specifier: string;
  kind: ImportKind;
  /**
   * What is taken from the module, by its exported name (`import { a as b }` takes `a`): `default`,
   * `*` for the whole module (namespace import, `export *`, `import()`, `require`), nothing for a
   * bare `import "m"`.
   */
  names: readonly string[];
  /** Offset of the `import`, `export` or `require` that starts it. */
  start: number;
  /** `import(expression)`: nothing can resolve it statically. */
  computed?: true;
}

type Found = Omit<ModuleReference, "start"> | null;

const K = ts.SyntaxKind;

/** The tokens of one file and its text, which names are read from. */
interface Source {
  tokens: readonly Token[];
  text: string;
}

export function moduleReferences(tokens: readonly Token[], text: string): ModuleReference[] {
  const source = { tokens, text };
  const references: ModuleReference[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const isRequire = token.kind === K.RequireKeyword;
    if (token.kind !== K.ImportKeyword && token.kind !== K.ExportKeyword && !isRequire) continue;
    // `x.import(…)`, `x.require(…)`: a property, not the keyword.
    if (kindAt(source, i - 1) === K.DotToken || kindAt(source, i - 1) === K.QuestionDotToken) continue;
    let found: Found = null;
    if (token.kind === K.ImportKeyword) found = readImport(source, i);
    else if (token.kind === K.ExportKeyword) found = readReExport(source, i + 1);
    else if (kindAt(source, i - 1) !== K.FunctionKeyword) found = readRequire(source, i + 1);
    if (found) references.push({ ...found, start: token.start });
  }
  return references;
}

function readImport(source: Source, at: number): Found {
  if (kindAt(source, at + 1) === K.OpenParenToken) return readImportCall(source, at);
  let i = at + 1;
  let kind: ImportKind = "import";
  if (kindAt(source, i) === K.TypeKeyword && isTypeModifier(source, i + 1)) {
    kind = "import type";
    i++;
  }
  const bare = stringAt(source, i);
  if (bare !== null) return { specifier: bare, kind, names: [] };
  const names: string[] = [];
  if (isName(kindAt(source, i))) {
    // `import x = require("m")` is read at its `require`; `import x = Namespace.Name` names no module.
    if (kindAt(source, i + 1) === K.EqualsToken) return null;
    names.push("default");
    i += kindAt(source, i + 1) === K.CommaToken ? 2 : 1;
  }
  if (kindAt(source, i) === K.AsteriskToken) {
    names.push("*");
    i += 3; // `* as ns`
  } else if (kindAt(source, i) === K.OpenBraceToken) {
    const list = readBraces(source, i);
    names.push(...list.names);
    i = list.next;
  }
  const specifier = kindAt(source, i) === K.FromKeyword ? stringAt(source, i + 1) : null;
  return specifier === null ? null : { specifier, kind, names };
}

/** `import type X`, `import type {`, `import type *`, but not `import type from "m"` (a default named `type`). */
function isTypeModifier(source: Source, next: number): boolean {
  const kind = kindAt(source, next);
  if (kind === K.OpenBraceToken || kind === K.AsteriskToken) return true;
  return isName(kind) && !(kind === K.FromKeyword && stringAt(source, next + 1) !== null);
}

/** `export … from "m"` starting after `export`; a local `export { a }` or declaration is not one. */
function readReExport(source: Source, at: number): Found {
  let i = at;
  const opens = (index: number): boolean =>
    kindAt(source, index) === K.OpenBraceToken || kindAt(source, index) === K.AsteriskToken;
  if (kindAt(source, i) === K.TypeKeyword && opens(i + 1)) i++;
  let names: readonly string[];
  if (kindAt(source, i) === K.AsteriskToken) {
    names = ["*"];
    i += kindAt(source, i + 1) === K.AsKeyword ? 3 : 1;
  } else if (kindAt(source, i) === K.OpenBraceToken) {
    const list = readBraces(source, i);
    names = list.names;
    i = list.next;
  } else return null;
  const specifier = kindAt(source, i) === K.FromKeyword ? stringAt(source, i + 1) : null;
  return specifier === null ? null : { specifier, kind: "export from", names };
}

/** `import("m")`, or the type `import("m").Name`, `typeof import("m")`; `at` is the `import`. */
function readImportCall(source: Source, at: number): Found {
  const close = matchingParen(source, at + 1);
  if (close === at + 2) return null; // `import()`: a method named import, not a module
  const literal = stringAt(source, at + 2);
  const next = kindAt(source, at + 3);
  if (literal === null || (next !== K.CloseParenToken && next !== K.CommaToken)) {
    const from = source.tokens[at + 2]?.start ?? 0;
    const to = source.tokens[close]?.start ?? from;
    return { specifier: source.text.slice(from, to).trim(), kind: "import()", names: ["*"], computed: true };
  }
  // A type names a member right after the call; a value calls `.then(…)` or awaits the module.
  const member = kindAt(source, close + 1) === K.DotToken && isName(kindAt(source, close + 2));
  const typeMember =
    member && kindAt(source, close + 3) !== K.OpenParenToken ? nameAt(source, close + 2) : null;
  const isType = typeMember !== null || kindAt(source, at - 1) === K.TypeOfKeyword;
  return {
    specifier: literal,
    kind: isType ? "import() type" : "import()",
    names: typeMember ? [typeMember] : ["*"],
  };
}

/** `require("m")` with `at` on the `(`. */
function readRequire(source: Source, at: number): Found {
  if (kindAt(source, at) !== K.OpenParenToken || kindAt(source, at + 2) !== K.CloseParenToken) return null;
  const specifier = stringAt(source, at + 1);
  return specifier === null ? null : { specifier, kind: "require", names: ["*"] };
}

/** The exported names in `{ a, b as c, type d, "e-f" as g }`, and the index after the `}`. */
function readBraces(source: Source, open: number): { names: string[]; next: number } {
  const names: string[] = [];
  let element: number[] = [];
  const flush = (): void => {
    // A leading `type` is a modifier unless it is the name itself: `{ type }`, `{ type as t }`.
    const [first, second] = element;
    const named = element.length === 3 && kindAt(source, second ?? -1) === K.AsKeyword;
    const modifier = element.length > 1 && kindAt(source, first ?? -1) === K.TypeKeyword && !named;
    const name = modifier ? second : first;
    if (name !== undefined) names.push(nameAt(source, name));
    element = [];
  };
  let i = open + 1;
  for (; i < source.tokens.length && kindAt(source, i) !== K.CloseBraceToken; i++) {
    if (kindAt(source, i) === K.CommaToken) flush();
    else element.push(i);
  }
  flush();
  return { names, next: i + 1 };
}

/** The index of the `)` that closes the `(` at `open`, or the last token if there is none. */
function matchingParen(source: Source, open: number): number {
  let depth = 0;
  for (let i = open; i < source.tokens.length; i++) {
    const kind = kindAt(source, i);
    if (kind === K.OpenParenToken) depth++;
    else if (kind === K.CloseParenToken && --depth === 0) return i;
  }
  return source.tokens.length - 1;
}

function kindAt(source: Source, index: number): ts.SyntaxKind | undefined {
  return source.tokens[index]?.kind;
}

/** A string's value, or the source text of any other token (an identifier, a keyword). */
function nameOf(source: Source, token: Token): string {
  return token.value ?? source.text.slice(token.start, token.end);
}

function nameAt(source: Source, index: number): string {
  const token = source.tokens[index];
  return token ? nameOf(source, token) : "";
}

function stringAt(source: Source, index: number): string | null {
  const token = source.tokens[index];
  return token?.value ?? null;
}

/** An identifier or a keyword: anything that can be a binding or an exported name. */
function isName(kind: ts.SyntaxKind | undefined): boolean {
  if (kind === undefined) return false;
  return kind === K.Identifier || (kind >= K.FirstKeyword && kind <= K.LastKeyword);
}
