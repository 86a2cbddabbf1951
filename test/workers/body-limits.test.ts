/**
 * The body rules hold inside workerd too (its Request framing differs from Node's): an oversized
 * webhook, declared or streamed, is 413, a wrong media type 415, and a forged webhook to an
 * unknown connection id answers what a bad signature answers.
 */
import { describe, expect, it } from "vitest";
import { WEBHOOK_BODY_LIMIT_BYTES } from "../../src/http/body-limits";
import { muxEvent, muxSignature } from "../helpers/sign-mux";
import { createWorkerHarness } from "./helpers/worker-harness";

const nowS = () => Math.floor(Date.now() / 1000);

describe("body rules on Workers", () => {
  it("refuses an oversized webhook, declared or streamed, and a wrong media type", async () => {
    const worker = createWorkerHarness();
    const big = "x".repeat(WEBHOOK_BODY_LIMIT_BYTES + 1);
    const headers = {
      "content-type": "application/json",
      "mux-signature": `t=${nowS()},v1=${"0".repeat(64)}`,
    };
    expect((await worker.fetch("/webhooks/mux", { method: "POST", body: big, headers })).status).toBe(413);
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 4 * WEBHOOK_BODY_LIMIT_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await worker.fetch("/webhooks/mux", { method: "POST", body: stream, headers });
    expect(streamed.status).toBe(413);
    const typed = await worker.fetch("/webhooks/mux", {
      method: "POST",
      body: "{}",
      headers: { ...headers, "content-type": "text/plain" },
    });
    expect(typed.status).toBe(415);
  });

  it("answers an unknown connection id as it answers a bad signature", async () => {
    const worker = createWorkerHarness();
    const body = JSON.stringify(muxEvent("video.asset.ready", { id: "asset-w" }));
    const headers = {
      "content-type": "application/json",
      "mux-signature": muxSignature(body, "wrong", nowS()),
    };
    const unknown = await worker.fetch("/webhooks/mux/con_nope", { method: "POST", body, headers });
    const forged = await worker.fetch("/webhooks/mux/con_default", { method: "POST", body, headers });
    expect(unknown.status).toBe(401);
    expect(forged.status).toBe(401);
    expect(await unknown.text()).toBe(await forged.text());
  });
});
