/**
 * Oversized bodies against a real `mux-ingest serve` process: several concurrent 128 MiB POSTs,
 * streamed to every route group that reads a body (dashboard forms, the admin API with and
 * without the token, both webhook routes), declared by Content-Length or chunked without it, and
 * to routes that never read one (health, metrics, an unknown path). Each is answered (413 where a
 * body is read) without being held in memory: the process's resident memory
 * (`/proc/<pid>/status` VmRSS, sampled throughout) stays within a small margin, and `/healthz`
 * and a signed webhook keep answering meanwhile.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { type ServeProcess, startServe } from "../helpers/serve-process";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const TOKEN_ID = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const TOKEN_SECRET = "hostile-bodies-token-secret";
const WEBHOOK_SECRET = "hostile-bodies-webhook-secret";
const ADMIN_TOKEN = "hostile-bodies-admin-token-0123456789";
const MIB = 1024 * 1024;
const OVERSIZED = 128 * MIB;
/** What the process may grow by while it refuses all of them (allocator and GC noise). */
const RSS_MARGIN = 30 * MIB;

let fake: RunningFakeMux;
let serve: ServeProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-hostile-"));
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: null,
  });
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: WEBHOOK_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    ADMIN_TOKEN,
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    POLLING_INTERVAL_SECONDS: "3600",
  });
});

afterAll(async () => {
  await serve?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

type Target = { path: string; headers: Record<string, string>; method?: string; answers?: number[] };

type Upload = { status: number; written: number; reset: boolean };

/**
 * Streams `total` bytes to `path` in 64 KiB writes (honouring backpressure) and stops writing as
 * soon as the answer arrives. Resolves with the status and how many bytes were written; `reset`
 * when the server closed the connection before this client read an answer (status 0).
 */
function streamPost(target: Target, total: number, declareLength: boolean): Promise<Upload> {
  const url = new URL(target.path, serve.url);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered: number | null = null;
    const req = request(url, {
      method: target.method ?? "POST",
      headers: { ...target.headers, ...(declareLength ? { "content-length": String(total) } : {}) },
    });
    req.on("response", (res) => {
      answered = res.statusCode ?? 0;
      res.resume();
      res.on("end", () => {
        req.destroy();
        resolve({ status: answered ?? 0, written, reset: false });
      });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      // The server may close the socket after answering, while we are still writing. It drains
      // what follows its answer for a bounded time only (@hono/node-server: 500 ms, 64 MiB), then
      // closes: on a busy machine the reset can reach this client before it has read the answer.
      if (answered !== null) return;
      if (err.code === "ECONNRESET" || err.code === "EPIPE") resolve({ status: 0, written, reset: true });
      else reject(err);
    });
    const pump = () => {
      while (answered === null && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (answered === null) req.end();
    };
    pump();
  });
}

const signedWebhook = (id: string) => {
  // The serve process pins its connection to the fake's environment on its first pass.
  const body = JSON.stringify(
    muxEvent(
      "video.asset.created",
      { id: `asset-${id}`, status: "preparing" },
      { environment: fake.fake.environment },
    ),
  );
  return fetch(`${serve.url}/webhooks/mux`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "mux-signature": muxSignature(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
    },
  });
};

describe("mux-ingest serve under oversized bodies", () => {
  it("answers 413 to concurrent 128 MiB POSTs on every body-reading route, its memory flat, still healthy", async () => {
    const pid = serve.process.pid as number;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const json = { "content-type": "application/json" };
    const targets: Target[] = [
      { path: "/dashboard/login", headers: form },
      { path: "/dashboard/retry", headers: form },
      { path: "/dashboard/retry", headers: { ...form, authorization: `Bearer ${ADMIN_TOKEN}` } },
      { path: "/v1/connections", headers: json },
      { path: "/v1/connections", headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` } },
      { path: "/webhooks/mux", headers: json },
      { path: "/webhooks/mux/con_default", headers: json },
      // Routes that never read a body, and a path with no route: answered, the body drained (Node
      // itself may answer 400 to body bytes it reads as a next request on the connection).
      { path: "/healthz", headers: json, method: "GET", answers: [200, 400] },
      { path: "/metrics", headers: json, method: "GET", answers: [200, 400] },
      { path: "/no-such-route", headers: json, answers: [404, 400] },
    ];
    const uploads = targets.flatMap((target) => [
      { target, declareLength: true },
      { target, declareLength: false },
    ]);
    let resets = 0;
    // All at once; an upload reset before its answer was read is sent again alone, so that every
    // route's answer is still seen.
    const attack = async () => {
      const results = await Promise.all(
        uploads.map(({ target, declareLength }) => streamPost(target, OVERSIZED, declareLength)),
      );
      for (const [i, result] of results.entries()) {
        const upload = uploads[i];
        if (!result.reset || !upload) continue;
        resets += 1;
        results[i] = await streamPost(upload.target, OVERSIZED, upload.declareLength);
      }
      return results;
    };
    // One round first: what the process allocates once (young generation, socket buffers, lazily
    // built paths) is not what this measures; what a further round adds is.
    expect((await signedWebhook("warm")).status).toBe(200);
    await attack();
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 10);

    const started = Date.now();
    let results: Upload[];
    let health: Response;
    let hook: Response;
    try {
      const attacks = attack();
      // While they stream, the process answers its health check and takes a signed webhook.
      health = await fetch(`${serve.url}/healthz`);
      hook = await signedWebhook("during");
      results = await attacks;
      peak = Math.max(peak, rssBytes(pid));
    } finally {
      clearInterval(sampler);
    }
    const elapsed = Date.now() - started;
    const after = rssBytes(pid);
    console.info(
      `RSS before ${(before / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB, after ${(after / MIB).toFixed(1)} MiB; ` +
        `${results.length} uploads of ${OVERSIZED / MIB} MiB in ${elapsed} ms; ` +
        `largest upload before the answer: ${(Math.max(...results.map((r) => r.written)) / MIB).toFixed(1)} MiB; ` +
        `${resets} reset before their answer was read, sent again`,
    );

    const wrong = targets
      .flatMap((target) => [target, target])
      .map((target, i) => ({
        target: `${target.method ?? "POST"} ${target.path}`,
        status: results[i]?.status ?? 0,
        allowed: target.answers ?? [413],
      }))
      .filter(({ status, allowed }) => !allowed.includes(status));
    expect(wrong).toEqual([]);
    expect(health.status).toBe(200);
    expect(hook.status).toBe(200);
    expect(peak - before).toBeLessThan(RSS_MARGIN);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    expect((await signedWebhook("after")).status).toBe(200);
  });
});
