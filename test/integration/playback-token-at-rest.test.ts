/**
 * Signed playback tokens are never stored: the object keeps the unsigned rendition URL, the
 * delivery is signed at send time, and what is recorded of it (the body last sent, the
 * pipeline's answer) carries the unsigned URL. No JWT-shaped string rests in any table or in the
 * database file's bytes.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_PIPELINE_SECRET } from "../helpers/harness";
import { network } from "../helpers/no-network";
import { PipelineRecorder } from "../helpers/pipeline-receiver";
import { testSigningKey } from "../helpers/signing-key";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const PIPELINE_URL = "https://pipeline.test/hooks";
const JWT = /eyJ[A-Za-z0-9_-]{8,}/;
let h: FakeMuxHarness;
afterEach(() => h?.close());

describe("signed playback tokens at rest", () => {
  it("delivers a signed-policy asset with a fresh token, and stores none", async () => {
    const key = testSigningKey();
    h = await createFakeMuxHarness({
      env: {
        PIPELINE_URL,
        PIPELINE_SECRET: TEST_PIPELINE_SECRET,
        MUX_SIGNING_KEY: key.id,
        MUX_PRIVATE_KEY: key.privateKeyBase64,
        JOB_MAX_ATTEMPTS: "5",
      },
      fake: { signingKey: key },
    });
    const pipeline = new PipelineRecorder(TEST_PIPELINE_SECRET);
    // The first answer fails and echoes the body: the failure path records it too.
    let echoed = false;
    network.use(
      http.post(PIPELINE_URL, async ({ request }) => {
        if (!echoed) {
          echoed = true;
          return new HttpResponse(`bad: ${await request.text()}`, { status: 500 });
        }
        return new HttpResponse(null, { status: await pipeline.handle(request) });
      }),
    );
    const asset = h.fake.createAsset({ mp4Support: "standard", playbackPolicies: ["signed"] });
    for (let i = 0; i < 10; i++) {
      await h.settleAll();
      await h.fake.settle();
      const next = await h.deps.jobs.nextDueAt();
      if (next === null) break;
      h.clock.set(Math.max(h.clock.now(), next));
    }
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered", playback_policy: "signed" });
    const sent = pipeline.accepted.at(-1)?.body.data.rendition as { url: string } | undefined;
    expect(sent?.url).toMatch(/\?token=eyJ/);

    const tables = h.database.sqlite
      .prepare("select name from sqlite_master where type = 'table'")
      .all() as Array<{ name: string }>;
    for (const { name } of tables) {
      for (const row of h.database.sqlite.prepare(`select * from "${name}"`).all()) {
        expect(JSON.stringify(row), `table ${name}`).not.toMatch(JWT);
      }
    }
    expect(h.database.sqlite.serialize().toString("latin1")).not.toMatch(JWT);
    const stored = h.database.sqlite.prepare("select payload from deliveries").all() as Array<{
      payload: string;
    }>;
    expect(stored.some((d) => String(d.payload).includes(`/${asset.playback_ids?.[0]?.id}/`))).toBe(true);
  });
});
