/**
 * The connections page and a sync's page as a person uses them, signed in: the pinned
 * environment, the last test and health; "test now" recording Mux's answer; the suspension with
 * the button that clears it, coming back to the page it was pressed on; a re-pinned connection's
 * syncs running again, and a token of yet another environment suspending them again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { mirror } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";

const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" };
const SYNC_PAGE = "/dashboard/buckets/bkt_default/syncs/syn_default";
const PROD = {
  id: "pr0d42",
  name: "Production <b>live</b>",
  tokenId: "5e0f3a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
  tokenSecret: "prod-token-secret-0123456789",
  webhookSecret: "prod-webhook-secret-0123",
  webhookUrl: null,
};
const STAGING = {
  id: "st4g1ng",
  name: "Staging",
  tokenId: "6f1a4b3c-2d5e-4f6a-9b0c-1d2e3f4a5b6c",
  tokenSecret: "staging-token-secret-0123456789",
  webhookSecret: "staging-webhook-secret-0123",
  webhookUrl: null,
};

let h: PipelineWorld;
afterEach(() => h?.close());

async function signIn(): Promise<string> {
  const login = await h.app.request("/dashboard/login", {
    method: "POST",
    headers: FORM_HEADERS,
    body: `token=${encodeURIComponent(ADMIN_TOKEN)}`,
  });
  expect(login.status).toBe(303);
  return (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function page(cookie: string, path: string): Promise<string> {
  const response = await h.app.request(path, { headers: { cookie } });
  expect(response.status).toBe(200);
  return response.text();
}

/** Submits the form whose button carries `testId`, with the hidden fields the page rendered. */
async function press(cookie: string, html: string, testId: string): Promise<string> {
  const form = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) =>
    m[0].includes(`data-testid="${testId}"`),
  );
  expect(form, `a form with ${testId}`).toBeDefined();
  const fields = new URLSearchParams();
  for (const input of (form?.[2] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields.set(input[1] ?? "", input[2] ?? "");
  const response = await h.app.request(form?.[1] ?? "", {
    method: "POST",
    headers: { ...FORM_HEADERS, cookie },
    body: fields.toString(),
  });
  expect(response.status).toBe(303);
  return decodeURIComponent(response.headers.get("location") ?? "");
}

const useToken = (env: { tokenId: string; tokenSecret: string }) =>
  h.api("PATCH", "/v1/connections/con_default", {
    access_token_id: env.tokenId,
    access_token_secret: env.tokenSecret,
  });

describe("the connections page", () => {
  it("shows the pinned environment, the last test and health, and tests now", async () => {
    h = await createPipelineWorld();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    const cookie = await signIn();
    let html = await page(cookie, "/dashboard/connections");
    expect(html).toContain('data-testid="connection-con_default-environment"');
    expect(html).toContain(h.fake.environment.id);
    expect(html).toContain("never tested");
    expect(html).toContain('data-testid="sync-syn_default-health">✓ healthy<');
    expect(html).toContain(`href="${SYNC_PAGE}"`);

    const location = await press(cookie, html, "connection-con_default-test-now");
    expect(location).toBe("/dashboard/connections?notice=connection_test_passed");
    html = await page(cookie, location);
    expect(html).toContain("Tested: Mux accepted");
    expect(html).toContain(
      "the token can read video assets and write them (MP4s can be made on demand: create_renditions)",
    );
    expect(html).toMatch(/data-testid="connection-con_default-test"><span class="good">passed/);
  });

  it("records a failed test and says so, coming back to the sync's page it was pressed on", async () => {
    h = await createPipelineWorld();
    await h.pass("full");
    const cookie = await signIn();
    const html = await page(cookie, SYNC_PAGE);
    h.fake.setFaults({ errorRate: 1 });
    const location = await press(cookie, html, "connection-con_default-test-now");
    expect(location).toBe(`${SYNC_PAGE}?notice=connection_test_failed`);
    h.fake.setFaults({});
    const after = await page(cookie, "/dashboard/connections");
    expect(after).toMatch(/data-testid="connection-con_default-test"><span class="bad">failed/);
    expect(after).toContain('data-testid="connection-con_default-health">✗ its last test failed<');
  });
});

describe("a sync's page", () => {
  it("shows its settings, its newest runs with a link to all of them, and its bucket's counts", async () => {
    h = await createPipelineWorld();
    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      wait_for: ["captions"],
      create_renditions: ["highest"],
    });
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    h.fake.createAsset({ playbackPolicies: [] });
    await h.pass("full");
    await h.settle();
    const cookie = await signIn();
    const html = await page(cookie, SYNC_PAGE);
    expect(html).toContain("<code>mux://</code>");
    expect(html).toContain('data-testid="sync-create-renditions">highest<');
    expect(html).toMatch(/data-testid="sync-wait-for">captions \(at most \d+ s\)</);
    expect(html).toContain('data-testid="sync-objects-total">2<');
    expect(html).toContain('href="/dashboard/buckets/bkt_default/syncs/syn_default/runs"');
    expect(html).toMatch(/data-testid="run-run_[^"]+-assets_seen">2</);
    expect(
      (await h.app.request("/dashboard/buckets/bkt_default/syncs/syn_nope", { headers: { cookie } })).status,
    ).toBe(404);
    expect((await h.app.request(SYNC_PAGE)).status).toBe(401);
  });

  it("re-pins from the sync's page: the syncs run again, and a token of another environment suspends them again", async () => {
    h = await createPipelineWorld();
    const prod = h.fake.addEnvironment(PROD);
    h.fake.addEnvironment(STAGING);
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    expect((await useToken(PROD)).status).toBe(200);
    expect(h.syncRow().suspension).toBe("environment_changed");

    const cookie = await signIn();
    const html = await page(cookie, SYNC_PAGE);
    expect(html).toContain("suspended: the token reaches another Mux environment");
    expect(html).not.toContain("<b>live</b>");
    const location = await press(cookie, html, "sync-syn_default-repin");
    expect(location).toBe(`${SYNC_PAGE}?notice=repinned`);
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
    const after = await page(cookie, location);
    expect(after).toContain("Production &lt;b&gt;live&lt;/b&gt;");

    // The re-pinned sync mirrors the production library now.
    const live = prod.createAsset({ mp4Support: "standard", status: "ready" });
    await h.runner.drain();
    await h.pass("full");
    expect(mirror(h.pipeline.accepted).has(live.id)).toBe(true);

    // A token of yet another environment is refused the same way: suspended, nothing deleted.
    expect((await useToken(STAGING)).status).toBe(200);
    expect(h.syncRow()).toMatchObject({ status: "suspended", suspension: "environment_changed" });
    await h.pass("full");
    expect(h.syncRow().suspension).toBe("environment_changed");
    expect(h.pipeline.accepted.filter((d) => d.body.type === "object.deleted")).toEqual([]);
    const connections = await page(cookie, "/dashboard/connections");
    expect(connections).toContain('data-testid="sync-syn_default-repin"');
    expect(connections).toContain("its token reaches another environment");
  });
});
