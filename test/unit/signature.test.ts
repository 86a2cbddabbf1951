import { describe, expect, it } from "vitest";
import { parseSignatureHeader, verifyMuxSignature, WebhookSignatureError } from "../../src/mux/signature";
import { muxSignature } from "../helpers/sign-mux";

const SECRET = "SuperSecret123";
const BODY = '{"test":"body"}';
const T = 1565125718;

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookSignatureError);
    return (err as WebhookSignatureError).reason;
  }
  throw new Error("expected verification to fail");
}

describe("verifyMuxSignature", () => {
  it("accepts Mux's published known-answer vector", async () => {
    const header = "t=1565125718,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7";
    await expect(
      verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T }),
    ).resolves.toBe(0);
  });

  it("agrees with an independent node:crypto signer", async () => {
    const header = muxSignature(BODY, SECRET, T);
    expect(header).toBe("t=1565125718,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7");
    await expect(
      verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T + 10 }),
    ).resolves.toBe(0);
  });

  it("rejects the wrong secret", async () => {
    const header = muxSignature(BODY, "another-secret", T);
    expect(
      await failure(verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T })),
    ).toBe("mismatch");
  });

  it("accepts the second of two secrets (rotation) and says which matched", async () => {
    const header = muxSignature(BODY, "new-secret", T);
    await expect(
      verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET, "new-secret"], nowSeconds: T }),
    ).resolves.toBe(1);
  });

  it("accepts any of several v1 values", async () => {
    const good = muxSignature(BODY, SECRET, T).split("v1=")[1];
    const header = `t=${T},v1=${"0".repeat(64)},v1=${good}`;
    await expect(
      verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T }),
    ).resolves.toBe(0);
  });

  it("tolerates a space after the comma", async () => {
    const header = muxSignature(BODY, SECRET, T).replace(",", ", ");
    await expect(
      verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T }),
    ).resolves.toBe(0);
  });

  it("rejects a missing header", async () => {
    expect(
      await failure(verifyMuxSignature({ rawBody: BODY, header: null, secrets: [SECRET], nowSeconds: T })),
    ).toBe("missing_header");
  });

  it("rejects a header without t=", async () => {
    const header = muxSignature(BODY, SECRET, T).replace(/^t=\d+,/, "");
    expect(
      await failure(verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T })),
    ).toBe("malformed_header");
  });

  it("rejects a header without v1=", async () => {
    const header = muxSignature(BODY, SECRET, T).replace("v1=", "v2=");
    expect(
      await failure(verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T })),
    ).toBe("no_v1");
  });

  it("accepts a timestamp exactly 300 s old and rejects 301 s", async () => {
    const header = muxSignature(BODY, SECRET, T);
    await expect(
      verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T + 300 }),
    ).resolves.toBe(0);
    expect(
      await failure(verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T + 301 })),
    ).toBe("too_old");
  });

  it("rejects a timestamp more than 300 s in the future (the SDK alone would accept it)", async () => {
    const header = muxSignature(BODY, SECRET, T);
    expect(
      await failure(verifyMuxSignature({ rawBody: BODY, header, secrets: [SECRET], nowSeconds: T - 301 })),
    ).toBe("too_new");
  });

  it("rejects a body that was parsed and re-serialised", async () => {
    const raw = '{ "test": "body" }';
    const header = muxSignature(raw, SECRET, T);
    const reserialised = JSON.stringify(JSON.parse(raw));
    expect(
      await failure(verifyMuxSignature({ rawBody: reserialised, header, secrets: [SECRET], nowSeconds: T })),
    ).toBe("mismatch");
  });

  it("rejects uppercase hex, as Mux compares lowercase hex", () => {
    const header = muxSignature(BODY, SECRET, T).toUpperCase().replace("T=", "t=").replace("V1=", "v1=");
    expect(() => parseSignatureHeader(header)).toThrow(WebhookSignatureError);
  });
});
