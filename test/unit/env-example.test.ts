/**
 * `.env.example` is the configuration's other description: it must list exactly the variables
 * the schema reads, each once, and a default it shows must be the default the schema applies
 * (setting the shown value changes nothing).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { envSchema, parseEnv } from "../../src/config/env";

const EXAMPLE = readFileSync(resolve(import.meta.dirname, "../../.env.example"), "utf8");

/** `# NAME=value` or `NAME=value` lines: the variables the file documents, with their shown values. */
function documented(text: string): Array<{ name: string; value: string; commentAbove: boolean }> {
  const lines = text.split("\n");
  return lines.flatMap((line, i) => {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) return [];
    const above =
      lines
        .slice(0, i)
        .reverse()
        .find((l) => !/^#?\s*[A-Z][A-Z0-9_]*=/.test(l)) ?? "";
    return [
      { name: match[1] as string, value: (match[2] as string).trim(), commentAbove: /^# \S/.test(above) },
    ];
  });
}

describe(".env.example", () => {
  const entries = documented(EXAMPLE);
  const names = entries.map((e) => e.name);

  it("lists every variable of the schema, and no other, each once", () => {
    const schemaNames = Object.keys(envSchema.shape).sort();
    expect([...new Set(names)].sort()).toEqual(schemaNames);
    expect(names.length).toBe(new Set(names).size);
  });

  it("says what each variable means, in a comment above it", () => {
    for (const entry of entries) expect(entry.commentAbove, entry.name).toBe(true);
  });

  it("shows each default exactly as the schema applies it", () => {
    const defaults = parseEnv({});
    for (const { name, value } of entries.filter((e) => e.value !== "")) {
      expect(parseEnv({ [name]: value }), `${name}=${value}`).toEqual(defaults);
    }
  });
});
