/**
 * Where deliveries may go, judged by the address a URL reaches, not by how it is written:
 * link-local and metadata addresses are refused in every spelling the WHATWG parser (the one
 * `fetch` uses) accepts, credentials in the URL are refused, and every other address, loopback
 * and private ones included, is accepted. The same rule holds for `PIPELINE_URL`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../src/config/env";
import { pipelineUrlProblem } from "../../src/pipeline/pipeline-url";
import { allowedHost, forbiddenHost } from "../helpers/address-spellings";

const SECRET = "whsec_dGVzdC1waXBlbGluZS1zZWNyZXQtMTIzNDU2Nzg5MA==";
const scheme = fc.constantFrom("http", "https");
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null });
const path = fc.constantFrom("", "/", "/hooks/mux", "/a?b=c");

const url = (host: fc.Arbitrary<string>) =>
  fc
    .tuple(scheme, host, port, path)
    .map(([s, h, p, rest]) => `${s}://${h}${p === null ? "" : `:${p}`}${rest}`);

function configProblem(value: string): string | null {
  try {
    parseEnv({ DATABASE_PATH: ":memory:", PIPELINE_URL: value, PIPELINE_SECRET: SECRET });
    return null;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

describe("pipeline_url", () => {
  it("refuses link-local and metadata addresses in every spelling", () => {
    fc.assert(
      fc.property(url(forbiddenHost), (value) => {
        expect(URL.canParse(value)).toBe(true);
        expect(pipelineUrlProblem(value)).toMatch(/link-local or cloud metadata/);
        expect(configProblem(value)).toMatch(/PIPELINE_URL/);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts every other address, loopback and private ranges included", () => {
    fc.assert(
      fc.property(url(allowedHost), (value) => {
        expect(pipelineUrlProblem(value)).toBeNull();
        expect(configProblem(value)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("refuses credentials in the URL, whatever the host", () => {
    const userinfo = fc.oneof(
      fc.constant("user:pass@"),
      fc.constant("user@"),
      fc.constant(":pass@"),
      fc.stringMatching(/^[a-z0-9%]{1,8}$/).map((u) => `${u}@`),
    );
    fc.assert(
      fc.property(scheme, userinfo, allowedHost, (s, who, host) => {
        const value = `${s}://${who}${host}/hooks`;
        fc.pre(URL.canParse(value) && new URL(value).username + new URL(value).password !== "");
        expect(pipelineUrlProblem(value)).toMatch(/credentials/);
        expect(configProblem(value)).toMatch(/PIPELINE_URL/);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses other schemes", () => {
    for (const value of ["ftp://pipeline.test/", "file:///etc/passwd", "javascript:alert(1)", "ws://x/"])
      expect(pipelineUrlProblem(value)).toMatch(/http\(s\)/);
  });

  it("names the classic metadata spellings", () => {
    for (const host of [
      "169.254.169.254",
      "2852039166",
      "0xA9FEA9FE",
      "0251.0376.0251.0376",
      "169.254.169.254.",
      "[::ffff:169.254.169.254]",
      "[fe80::1]",
      "[fd00:ec2::254]",
      "%31%36%39.254.169.254",
    ])
      expect(pipelineUrlProblem(`http://${host}/latest/meta-data/`)).not.toBeNull();
  });
});
