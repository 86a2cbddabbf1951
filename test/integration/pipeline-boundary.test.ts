/**
 * The pipeline boundary: deliveries never follow a redirect (it would re-send the body and its
 * signature to whatever host the answer names), and a bucket's pipeline_url can never be set to
 * a link-local or metadata address or carry credentials, through the API or the verb.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createBucket } from "../../src/resources/buckets";
import { allowedHost, forbiddenHost } from "../helpers/address-spellings";
import { ADMIN_TOKEN, type AdminHarness, createAdminHarness } from "../helpers/admin-api";
import { TEST_PIPELINE_SECRET } from "../helpers/harness";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const PIPELINE_URL = "https://pipeline.test/hooks";

let open: { close(): void } | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

type Sent = { url: string; redirect: RequestRedirect | undefined };

/**
 * A service whose pipeline answers every delivery with a redirect to `location`. The stub
 * behaves as `fetch` does: unless told `redirect: "manual"`, it follows the redirect itself.
 */
async function serviceRedirectedTo(status: number, location: string) {
  const sent: Sent[] = [];
  const h: FakeMuxHarness = await createFakeMuxHarness({
    env: { PIPELINE_URL, PIPELINE_SECRET: TEST_PIPELINE_SECRET, JOB_MAX_ATTEMPTS: "2" },
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith(PIPELINE_URL)) return fetch(input, init);
      sent.push({ url, redirect: init?.redirect });
      if (init?.redirect !== "manual")
        sent.push({ url: new URL(location, url).href, redirect: init?.redirect });
      return new Response("moved", { status, headers: { location } });
    },
  });
  open = h;
  return { h, sent };
}

describe("deliveries and redirects", () => {
  it("a 3xx is a failed attempt naming the target's origin; nothing is sent anywhere else", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(300, 301, 302, 303, 307, 308),
        fc.constantFrom(
          "https://attacker.test/collect",
          "http://169.254.169.254/latest/meta-data/",
          "//elsewhere.test/x",
          "/other-path",
        ),
        async (status, location) => {
          const { h, sent } = await serviceRedirectedTo(status, location);
          h.fake.createAsset({ mp4Support: "standard" });
          await h.settleAll();
          await h.fake.settle();
          await h.settleAll();
          expect(sent.length).toBeGreaterThan(0);
          expect(sent.every((s) => s.url === PIPELINE_URL && s.redirect === "manual")).toBe(true);
          const row = h.database.sqlite.prepare("select last_status, last_error from deliveries").get() as {
            last_status: number;
            last_error: string;
          };
          const origin = new URL(location, PIPELINE_URL).origin;
          expect(row.last_status).toBe(status);
          expect(row.last_error).toBe(
            `the pipeline answered a redirect to ${origin}; deliveries do not follow redirects: set pipeline_url to the final address`,
          );
          h.close();
          open = null;
        },
      ),
      { numRuns: 6 },
    );
  });
});

describe("pipeline_url on buckets", () => {
  let a: AdminHarness;
  const create = (pipelineUrl: string) =>
    a.api("POST", "/v1/buckets", { name: "videos", pipeline_url: pipelineUrl }, ADMIN_TOKEN);

  it("the API refuses forbidden addresses in any spelling, on create and on patch, and accepts others", async () => {
    a = await createAdminHarness();
    open = a;
    const accepted = await create("http://10.0.0.5:8080/hooks");
    expect(accepted.status).toBe(201);
    const { id } = (await accepted.json()) as { id: string };
    await fc.assert(
      fc.asyncProperty(forbiddenHost, fc.constantFrom("http", "https"), async (host, scheme) => {
        const value = `${scheme}://${host}/hooks`;
        const created = await create(value);
        expect(created.status).toBe(400);
        expect(await created.text()).toContain("link-local or cloud metadata");
        const patched = await a.api("PATCH", `/v1/buckets/${id}`, { pipeline_url: value }, ADMIN_TOKEN);
        expect(patched.status).toBe(400);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(allowedHost, async (host) => {
        const patched = await a.api(
          "PATCH",
          `/v1/buckets/${id}`,
          { pipeline_url: `https://${host}/h` },
          ADMIN_TOKEN,
        );
        expect(patched.status).toBe(200);
      }),
      { numRuns: 60 },
    );
    const credentials = await create("https://user:secret@pipeline.test/hooks");
    expect(credentials.status).toBe(400);
    expect(await credentials.text()).toContain("credentials");
  });

  it("the verb refuses them too (the CLI and the dashboard call it without the API's schema)", async () => {
    a = await createAdminHarness();
    open = a;
    await expect(
      createBucket(a.deps, { name: "x", pipeline_url: "http://0xA9FEA9FE/latest" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
