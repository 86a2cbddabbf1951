/**
 * What the structure checks need from one source file, read once and shared: the module
 * references (for the import graph) and the comments (to strip them from code). `.ts` files are
 * only scanned; a `.tsx` file is also parsed, because only a parser tells JSX text from code.
 */
import ts from "typescript";
import { lex, type Range } from "./lexer";
import { type ModuleReference, moduleReferences } from "./module-references";

export interface SyntaxFacts {
  text: string;
  references: readonly ModuleReference[];
  /** `[start, end)` of each comment, in order. */
  comments: readonly Range[];
  /** Where the first JSX element or fragment starts: its presence imports the JSX runtime. */
  jsxStart: number | null;
}

const cache = new Map<string, SyntaxFacts>();

export function syntaxOf(fileName: string, text: string): SyntaxFacts {
  const cached = cache.get(fileName);
  if (cached?.text === text) return cached;
  const jsx = fileName.endsWith(".tsx") ? readJsx(fileName, text) : { textRanges: [], start: null };
  const { tokens, comments } = lex(text, jsx.textRanges);
  const facts = { text, references: moduleReferences(tokens, text), comments, jsxStart: jsx.start };
  cache.set(fileName, facts);
  return facts;
}

/** The ranges of JSX text (which may hold `//`, quotes or backticks as plain prose) and the first JSX node. */
function readJsx(fileName: string, text: string): { textRanges: Range[]; start: number | null } {
  const options = {
    languageVersion: ts.ScriptTarget.Latest,
    jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
  };
  const sourceFile = ts.createSourceFile(fileName, text, options, false, ts.ScriptKind.TSX);
  const ranges: Range[] = [];
  let start: number | null = null;
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) ranges.push([node.pos, node.end]);
    else if (
      start === null &&
      (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node))
    )
      start = node.getStart(sourceFile);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { textRanges: ranges.sort((a, b) => a[0] - b[0]), start };
}
