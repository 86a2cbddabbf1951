/**
 * A secret is registered with the log redactor once it is stored: a create that Mux refuses (or
 * that fails validation) registers nothing, so its values are not masked in later lines. A
 * stored one is masked from then on.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type AdminHarness, createAdminHarness } from "../helpers/admin-api";
import { TEST_TOKEN_ID } from "../helpers/harness";

let h: AdminHarness;
afterEach(() => h?.close());

describe("redactor registration", () => {
  it("a refused create registers nothing: its secret stays readable in later lines", async () => {
    h = await createAdminHarness({ ADMIN_TOKEN });
    for (const value of ["asset_id", "connection_id", "video.asset.ready"]) {
      const refused = await h.api("POST", "/v1/connections", {
        name: "refused",
        access_token_id: TEST_TOKEN_ID,
        access_token_secret: value,
        webhook_secrets: [value],
        validate: true,
      });
      expect(refused.status).toBe(400);
      const invalid = await h.api("POST", "/v1/connections", {
        name: "invalid",
        access_token_id: "not-a-uuid",
        access_token_secret: value,
      });
      expect(invalid.status).toBe(400);
      h.deps.logger.info(`later line about ${value}`, { [value]: value });
      const line = String(h.logs.at(-1));
      expect(line).toContain(`"${value}":"${value}"`);
      expect(line).not.toContain("[redacted]");
    }
  });

  it("a stored secret is masked from then on", async () => {
    h = await createAdminHarness({ ADMIN_TOKEN });
    const secret = 'stored-secret-with-"quotes"-and-\\backslash';
    const created = await h.api("POST", "/v1/connections", {
      name: "stored",
      access_token_id: TEST_TOKEN_ID,
      access_token_secret: secret,
    });
    expect(created.status).toBe(201);
    h.deps.logger.info("later", { value: secret, document: JSON.stringify({ secret }) });
    const line = String(h.logs.at(-1));
    expect(line).toContain("[redacted]");
    expect(line).not.toContain("stored-secret-with");
  });
});
