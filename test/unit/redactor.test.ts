/**
 * The log redactor masks a registered secret in every form a log line can carry it: as it is,
 * JSON-escaped once (a field value: quotes, backslashes, a PEM key's newlines, control
 * characters as \u escapes) and twice (a JSON document logged as a string). Short values are
 * never registered: they would mask ordinary words in every later line.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonLogger, MIN_REDACTED_LENGTH, Redactor } from "../../src/lib/logger";

const escaped = (s: string) => JSON.stringify(s).slice(1, -1);

/** Secrets made of the characters JSON escapes, mixed with ordinary and non-ASCII ones. */
const secretChars = fc.constantFrom(..."\"\\\n\r\t\u0001\u001f/'`é∑😀-abcXYZ019=+ ".split(""), "😀");
const secret = fc
  .array(fc.oneof(secretChars, fc.string({ minLength: 1, maxLength: 1 })), {
    minLength: MIN_REDACTED_LENGTH,
    maxLength: 60,
  })
  .map((chars) => chars.join(""))
  .filter((s) => s.length >= MIN_REDACTED_LENGTH && !/^[\w\s]*$/.test(s));

function logOnce(value: string, register: string | null) {
  const redactor = new Redactor();
  if (register !== null) redactor.add(register);
  const lines: string[] = [];
  const logger = jsonLogger({ redactor, write: (line) => lines.push(line), level: "debug" });
  logger.info(`message with ${value} inside`, {
    field: value,
    nested: { deeper: [value] },
    document: JSON.stringify({ secret: value }),
    error: new Error(`failed: ${value}`),
  });
  return lines;
}

describe("Redactor", () => {
  it("no line carries a registered secret in any of its encodings (property)", () => {
    fc.assert(
      fc.property(secret, (value) => {
        for (const line of logOnce(value, value)) {
          for (const form of [value, escaped(value), escaped(escaped(value))])
            expect(line).not.toContain(form);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("masks a PEM key logged as a field and inside a logged JSON document", () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";
    const [line] = logOnce(pem, pem);
    expect(line).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
    expect(line).toContain("[redacted]");
  });

  it("never registers a value shorter than the minimum, so ordinary words stay readable", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: MIN_REDACTED_LENGTH - 1 }), (word) => {
        const [line] = logOnce(word, word);
        expect(JSON.parse(String(line)).field).toBe(word);
      }),
    );
    const [line] = logOnce("asset_id", "asset_id");
    expect(line).toContain('"field":"asset_id"');
  });
});
