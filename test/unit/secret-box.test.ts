import { describe, expect, it } from "vitest";
import { SecretBox, secretHint } from "../../src/lib/secret-box";

describe("SecretBox", () => {
  it("round-trips a secret, with a fresh IV each time", async () => {
    const box = await SecretBox.fromPassphrase("a passphrase that is long enough for the test");
    const a = await box.seal("token-secret");
    const b = await box.seal("token-secret");
    expect(a).not.toBe(b);
    expect(a).not.toContain("token-secret");
    expect(await box.open(a)).toBe("token-secret");
  });

  it("refuses to open with another key, saying so", async () => {
    const sealed = await (await SecretBox.fromPassphrase("first key, long enough to be a key")).seal("x");
    const other = await SecretBox.fromPassphrase("second key, long enough to be a key");
    await expect(other.open(sealed)).rejects.toThrow(/ENCRYPTION_KEY differs/);
  });
});

describe("secretHint", () => {
  it("shows the end of a plain secret, and the end of a PEM key's material rather than its footer", () => {
    expect(secretHint("abcdefc0ff")).toBe("c0ff");
    const pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1\nZyX9w==\n-----END RSA PRIVATE KEY-----\n";
    expect(secretHint(pem)).toBe("yX9w");
  });
});
