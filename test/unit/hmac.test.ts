import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { nodeHmac } from "../../src/mux/node-hmac";
import { WebCryptoHmac } from "../../src/mux/signature";

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
});
