/**
 * Reading a source tree for structure checks: list its files, and see a file's code without its
 * comments, so rules about what code does are not tripped by prose that talks about it.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { syntaxOf } from "./syntax";

/** A path relative to the root, with forward slashes whatever the platform: the form every rule speaks. */
export function toRepoPath(rootDir: string, absolutePath: string): string {
  return path.relative(rootDir, absolutePath).split(path.sep).join("/");
}

/** Every file under `dir` (relative to `rootDir`) that `keep` accepts, as sorted repo paths. */
export function listFiles(
  rootDir: string,
  dir: string,
  keep: (name: string) => boolean = () => true,
): string[] {
  const entries = readdirSync(path.join(rootDir, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => toRepoPath(rootDir, path.join(entry.parentPath, entry.name)))
    .sort();
}

export function isTypeScriptFile(name: string): boolean {
  return /\.tsx?$/.test(name);
}

/** Lines as an editor numbers them: a final newline does not start another line. */
export function countLines(text: string): number {
  if (text === "") return 0;
  const lines = text.split("\n").length;
  return text.endsWith("\n") ? lines - 1 : lines;
}

/** The text with every comment blanked out, newlines kept so line numbers still point at the original. */
export function stripComments(fileName: string, text: string): string {
  let code = "";
  let from = 0;
  for (const [start, end] of syntaxOf(fileName, text).comments) {
    code += text.slice(from, start) + text.slice(start, end).replace(/[^\n]/g, " ");
    from = end;
  }
  return code + text.slice(from);
}

/** A function from an offset in `text` to its 1-based line number. */
export function lineLocator(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

export interface LineMatch {
  line: number;
  /** The whole line the match starts on, trimmed for a report. */
  text: string;
}

/**
 * Every line on which a match of `pattern` starts; with `inside`, only matches within the spans
 * `inside` matches (such as `sql` templates). Patterns run over the whole text, not line by line,
 * so SQL split over lines (`FROM\n  jobs`) is still found.
 */
export function findMatches(text: string, pattern: RegExp, inside?: RegExp): LineMatch[] {
  const lineOf = lineLocator(text);
  const lines = text.split("\n");
  const spans = inside ? [...text.matchAll(globally(inside))] : [{ index: 0, 0: text }];
  const found = new Map<number, LineMatch>();
  for (const span of spans) {
    for (const match of span[0].matchAll(globally(pattern))) {
      const line = lineOf(span.index + match.index);
      found.set(line, { line, text: (lines[line - 1] ?? "").trim() });
    }
  }
  return [...found.values()];
}

function globally(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
}
