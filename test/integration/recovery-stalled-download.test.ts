/**
 * A stream host that starts an MP4 and then stops sending, without closing the connection. The
 * download must be abandoned after a stall timeout and retried, leaving no partial file: otherwise
 * the job would hold a worker forever, its lease kept alive by heartbeats (four such downloads and
 * the service stops working altogether).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { network } from "../helpers/no-network";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

let h: FakeMuxHarness | undefined;
let storageDir: string | undefined;
afterEach(() => {
  h?.close();
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
});

describe("a stream host that stalls mid-download", () => {
  it("abandons the download after the stall timeout, retries it later, and leaves no partial file", async () => {
    storageDir = mkdtempSync(join(tmpdir(), "mux-ingest-stall-"));
    h = await createFakeMuxHarness({
      env: { STORAGE_DIR: storageDir },
      fake: { signingKey: { id: "k", privateKeyBase64: "unused" } },
      adjust: (settings) => {
        settings.stream.downloadStallTimeoutMs = 200;
      },
    });
    const stalled: Array<ReadableStreamDefaultController<Uint8Array>> = [];
    network.use(
      http.get("https://stream.mux.com/:playbackId/:name", () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            // A first chunk, then silence: the connection stays open.
            controller.enqueue(new Uint8Array(1024));
            stalled.push(controller);
          },
        });
        return new HttpResponse(body, { headers: { "content-type": "video/mp4" } });
      }),
    );
    const asset = h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    await h.fake.fireEvent(asset.id, "video.asset.ready");
    await h.fake.webhooks.flush();

    const result = await h.runner.drain({ timeoutMs: 10_000 });
    expect(result.timedOut).toBe(false);
    expect(stalled.length).toBeGreaterThan(0);
    const job = h.database.sqlite
      .prepare("SELECT status, attempts, last_error FROM jobs WHERE type = 'download'")
      .get() as { status: string; attempts: number; last_error: string };
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.last_error).toMatch(/sent nothing for 200 ms/);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "ready" });
    expect(
      readdirSync(storageDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()),
    ).toEqual([]);
  });
});
