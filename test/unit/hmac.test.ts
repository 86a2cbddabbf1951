import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nodeHmac } from "../../src/mux/node-hmac";
import { WebCryptoHmac } from "../../src/mux/signature";

/** The reference: node:crypto over the parts' UTF-8 bytes, one after the other. */
function reference(secret: string, parts: readonly string[]): string {
  const bytes = Buffer.concat(parts.map((part) => Buffer.from(part, "utf8")));
  return createHmac("sha256", secret).update(bytes).digest("hex");
}

describe("HMAC-SHA256 implementations", () => {
  it("agree with each other and with node:crypto, for several secrets and messages", async () => {
    const web = new WebCryptoHmac();
    for (const [secret, message] of [
      ["SuperSecret123", '1565125718.{"test":"body"}'],
      ["ünïcode-sécret", "1.é€😀"],
      ["s", ""],
    ] as const) {
      const expected = createHmac("sha256", secret).update(message).digest("hex");
      expect(await web.hex(secret, message)).toBe(expected);
      expect(await web.hex(secret, message)).toBe(expected);
      expect(await nodeHmac.hex(secret, message)).toBe(expected);
    }
  });

  it("hash a message given in parts as the parts' bytes one after the other, for any strings", async () => {
    const web = new WebCryptoHmac();
    // Any UTF-16 strings, lone surrogates included (each becomes U+FFFD's bytes, in every implementation).
    const text = fc.string({ unit: "binary", maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.array(text, { minLength: 1, maxLength: 4 }),
        async (secret, parts) => {
          const expected = reference(secret, parts);
          expect(await nodeHmac.hex(secret, ...parts)).toBe(expected);
          expect(await web.hex(secret, ...parts)).toBe(expected);
        },
      ),
    );
  });
});
