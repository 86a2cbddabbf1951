/**
 * The dashboard's answers to a suspended sync, as a person uses them: signed in, the page shows
 * the suspension with its buttons; each button's form (with the page's CSRF value) does what the
 * API would: confirm the held deletions, resume without them, re-pin the connection. Forms are
 * posted as the browser does, from the dashboard's own origin.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";

const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" };

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

async function page(cookie: string, path = "/"): Promise<string> {
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

async function heldBySilentDeletions() {
  h = await createPipelineWorld();
  const assets = Array.from({ length: 20 }, () =>
    h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
  );
  await h.pass("full");
  h.fake.setFaults({ dropRate: 1 });
  for (const asset of assets.slice(0, 8)) h.fake.deleteAsset(asset.id);
  await h.fake.settle();
  h.clock.advance(60_000);
  await h.pass("full");
  expect(h.syncRow().suspension).toBe("deletion_guard");
  return assets.slice(0, 8);
}

describe("a sync held by the deletion guard, on the dashboard", () => {
  it("confirms the held deletions with its button", async () => {
    const gone = await heldBySilentDeletions();
    const cookie = await signIn();
    const html = await page(cookie);
    expect(html).toContain("without a deletion webhook");
    const location = await press(cookie, html, "sync-syn_default-confirm-deletions");
    expect(location).toBe("/?notice=deletions_confirmed");
    expect(await page(cookie, location)).toContain("The held deletions were confirmed.");
    await h.runner.drain();
    for (const asset of gone)
      expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:deleted_in_mux"]);
    expect(h.syncRow().suspension).toBeNull();
  });

  it("resumes without deleting with the other button", async () => {
    const gone = await heldBySilentDeletions();
    const cookie = await signIn();
    await press(cookie, await page(cookie), "sync-syn_default-resume");
    const held = gone.filter((a) => h.objectOf(a.id)?.state === "delivered");
    expect(held.length).toBe(4);
    for (const asset of held) expect(h.objectOf(asset.id)?.pending_deletion_at).toBeNull();
  });
});

describe("a sync suspended for an environment change, on the dashboard", () => {
  it("re-pins the connection to the environment its token reaches, and the sync runs again", async () => {
    h = await createPipelineWorld();
    const prod = h.fake.addEnvironment({
      id: "pr0d42",
      name: "Production",
      tokenId: "5e0f3a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
      tokenSecret: "prod-token-secret-0123456789",
      webhookSecret: "prod-webhook-secret-0123",
      webhookUrl: null,
    });
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    await h.api("PATCH", "/v1/connections/con_default", {
      access_token_id: prod.credentials.tokenId,
      access_token_secret: prod.credentials.tokenSecret,
    });
    expect(h.syncRow().suspension).toBe("environment_changed");
    const cookie = await signIn();
    const html = await page(cookie);
    expect(html).toContain("pr0d42");
    const location = await press(cookie, html, "sync-syn_default-repin");
    expect(location).toBe("/?notice=repinned");
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
    const connection = (await (await h.api("GET", "/v1/connections/con_default")).json()) as {
      environment: unknown;
    };
    expect(connection.environment).toEqual({ id: "pr0d42", name: "Production" });
  });
});
