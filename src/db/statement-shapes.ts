/**
 * better-sqlite3's prepared statements, found by the shape of a plain `sql` template: its text
 * chunks in order and where its values go. A template's text chunks are the same strings on
 * every call (the literal parts of its source), whose hashes the engine keeps, so finding the
 * statement walks a few map entries instead of assembling the SQL text and hashing all of it
 * (a kilobyte for the queue's upsert), which the webhook path did for each of its statements.
 * The text is assembled once per shape, by `plainQuery`; anything that is not a plain template
 * (tables, columns, encoded values) is left to drizzle's dialect, which gives the same text.
 *
 * Bounded: past `MAX_SHAPE_NODES` entries (statements built from unbounded variants, such as
 * lists of keys of any length) the whole index is dropped and grows again from the next call.
 */
import type BetterSqlite3 from "better-sqlite3";
import { SQL, type SQLWrapper, StringChunk } from "drizzle-orm";
import { isBoundValue, Statement } from "./statement";

/** Entries in the index, all shapes together; each statement's shape takes one per text chunk and value. */
export const MAX_SHAPE_NODES = 8_192;

class ShapeNode {
  texts: Map<string, ShapeNode> | null = null;
  value: ShapeNode | null = null;
  statement: BetterSqlite3.Statement | null = null;
}

export type ShapedStatement = { prepared: BetterSqlite3.Statement; params: unknown[] };

export class StatementShapes {
  private root = new ShapeNode();
  private nodes = 0;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** The prepared statement and the values of a plain `sql` template; null for anything else. */
  find(statement: SQL): ShapedStatement | null {
    const params: unknown[] = [];
    const leaf = this.walk(statement, this.root, params);
    if (!leaf) return null;
    if (!leaf.statement) {
      const query = plainQuery(statement);
      if (!query) return null;
      leaf.statement = this.sqlite.prepare(query.sql);
    }
    return { prepared: leaf.statement, params };
  }

  /** Entries in the index now (at most `MAX_SHAPE_NODES`). */
  get size(): number {
    return this.nodes;
  }

  /** Drops every shape (and so every statement prepared here). */
  clear(): void {
    this.root = new ShapeNode();
    this.nodes = 0;
  }

  /** The node `statement`'s shape leads to from `from`, collecting its values; null if it is not plain. */
  private walk(statement: SQL, from: ShapeNode, params: unknown[]): ShapeNode | null {
    if (inlinesParams(statement)) return null;
    let node = from;
    for (const chunk of statement.queryChunks) {
      if (chunk instanceof StringChunk) {
        for (const text of chunk.value) node = this.textChild(node, text);
      } else if (chunk instanceof SQL) {
        const inner = this.walk(chunk, node, params);
        if (!inner) return null;
        node = inner;
      } else if (chunk === undefined) continue;
      else if (isBoundValue(chunk)) {
        params.push(chunk);
        node.value ??= this.grown();
        node = node.value;
      } else return null;
    }
    return node;
  }

  private textChild(node: ShapeNode, text: string): ShapeNode {
    node.texts ??= new Map();
    let child = node.texts.get(text);
    if (!child) {
      child = this.grown();
      node.texts.set(text, child);
    }
    return child;
  }

  /** A new entry, first dropping the index if it is full (the walk in progress goes on detached). */
  private grown(): ShapeNode {
    if (this.nodes >= MAX_SHAPE_NODES) this.clear();
    this.nodes++;
    return new ShapeNode();
  }
}

/** Entries in the index of `statement` templates: one per template and place it is nested at. */
export const MAX_TEMPLATE_NODES = 1_024;

class TemplateNode {
  statement: BetterSqlite3.Statement | null = null;
  /** The templates nested in this one's values, by where (`nestedKey`) and which template. */
  nested: Map<number, Map<TemplateStringsArray, TemplateNode>> | null = null;
}

/**
 * better-sqlite3's prepared statements for `statement` templates (`statement.ts`), found by
 * their literal parts, which are the same array on every call from one place in the source: one
 * map lookup per template, nested ones included. A nested template is keyed by its depth and the
 * value it fills as well, so that two statements whose templates nest differently never meet.
 * Bounded like `StatementShapes`; in practice the entries are the call sites.
 */
export class StatementTemplates {
  private roots = new Map<TemplateStringsArray, TemplateNode>();
  private nodes = 0;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** The prepared statement and the values; null when a value is SQL that is not a `statement`. */
  find(statement: Statement): ShapedStatement | null {
    const params: unknown[] = [];
    let root = this.roots.get(statement.strings);
    if (!root) {
      root = this.grown();
      this.roots.set(statement.strings, root);
    }
    const leaf = this.walk(statement, root, 0, params);
    if (!leaf) return null;
    leaf.statement ??= this.sqlite.prepare(templateText(statement));
    return { prepared: leaf.statement, params };
  }

  /** Entries in the index now (at most `MAX_TEMPLATE_NODES`). */
  get size(): number {
    return this.nodes;
  }

  private walk(
    statement: Statement,
    from: TemplateNode,
    depth: number,
    params: unknown[],
  ): TemplateNode | null {
    let node = from;
    const { values } = statement;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (isBoundValue(value)) params.push(value);
      else if (value instanceof Statement) {
        const inner = this.walk(
          value,
          this.nestedChild(node, nestedKey(depth, i), value.strings),
          depth + 1,
          params,
        );
        if (!inner) return null;
        node = inner;
      } else return null;
    }
    return node;
  }

  private nestedChild(node: TemplateNode, key: number, strings: TemplateStringsArray): TemplateNode {
    node.nested ??= new Map();
    let at = node.nested.get(key);
    if (!at) {
      at = new Map();
      node.nested.set(key, at);
    }
    let child = at.get(strings);
    if (!child) {
      child = this.grown();
      at.set(strings, child);
    }
    return child;
  }

  /** A new entry, first dropping the index if it is full (the walk in progress goes on detached). */
  private grown(): TemplateNode {
    if (this.nodes >= MAX_TEMPLATE_NODES) {
      this.roots = new Map();
      this.nodes = 0;
    }
    this.nodes++;
    return new TemplateNode();
  }
}

/** Where a nested template sits: its depth and the value of its parent it fills. */
function nestedKey(depth: number, valueIndex: number): number {
  return depth * 65_536 + valueIndex;
}

/** The text of a `statement` whose values are bound values or `statement`s. */
function templateText(statement: Statement): string {
  let text = statement.strings[0] ?? "";
  statement.values.forEach((value, i) => {
    text += value instanceof Statement ? templateText(value) : "?";
    text += statement.strings[i + 1] ?? "";
  });
  return text;
}

type Query = { sql: string; params: unknown[] };

/**
 * `statement` as SQL text and parameters, when it is made only of what a `sql` template holds in
 * the queue's and the verbs' statements: text, nested templates and primitive values (each a `?`,
 * as drizzle's SQLite dialect binds them). Null for anything else, which drizzle then compiles.
 */
export function plainQuery(statement: SQLWrapper): Query | null {
  if (!(statement instanceof SQL)) return null;
  const query: Query = { sql: "", params: [] };
  return appendPlain(statement, query) ? query : null;
}

function appendPlain(statement: SQL, query: Query): boolean {
  if (inlinesParams(statement)) return false;
  for (const chunk of statement.queryChunks) {
    if (chunk instanceof StringChunk) query.sql += chunk.value.join("");
    else if (chunk instanceof SQL) {
      if (!appendPlain(chunk, query)) return false;
    } else if (chunk === undefined) continue;
    else if (isBoundValue(chunk)) {
      query.sql += "?";
      query.params.push(chunk);
    } else return false;
  }
  return true;
}

/** Set by `.inlineParams()`: drizzle then writes values into the text, which only it knows how to. */
function inlinesParams(statement: SQL): boolean {
  return (statement as unknown as { shouldInlineParams: boolean }).shouldInlineParams;
}
