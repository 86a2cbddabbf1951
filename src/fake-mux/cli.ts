/**
 * `mux-ingest fake-mux`: serves the fake Mux on a port until SIGINT/SIGTERM, optionally with a
 * seeded library, and prints what mux-ingest needs to talk to it.
 */
import { parseArgs } from "node:util";
import { startFakeMux } from "./server";
import type { FakeMuxOptions } from "./types";

export const FAKE_MUX_USAGE = `Usage: mux-ingest fake-mux [options]

Serve a fake Mux (REST API, stream.mux.com MP4s and text tracks under /stream, image.mux.com
under /image, signed webhooks) on loopback.

Options:
  --port N              port to listen on (default 8790; 0 picks a free one)
  --host H              address to bind (default 127.0.0.1)
  --assets N            generate a seeded library of N assets (default 0)
  --seed S              seed for ids, the library and fault decisions (default 1)
  --captioned R         share of the library with captions or subtitles (0..1, default 0)
  --token-id ID         access token id (default: a fixed UUID)
  --token-secret S      access token secret
  --webhook-url URL     where to POST webhooks (e.g. http://127.0.0.1:8787/webhooks/mux)
  --webhook-secret S    webhook signing secret
  --drop-rate R         fraction of webhooks never sent (0..1)
  --duplicate-rate R    fraction of webhooks sent twice (0..1)
  --reorder             deliver webhooks with random delays, out of order
  --error-rate R        fraction of API requests answered with a 5xx (0..1)
  --rate-limit N        sustained GET requests per second (default 5; 0 = no limit)
  --help                show this help

Control API: GET /_fake/state, POST /_fake/assets, POST /_fake/settle, GET /_fake/stats, …`;

export type FakeMuxCommandIo = {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Resolves when the server should stop; default: SIGINT or SIGTERM. */
  until?: Promise<unknown>;
  /** Called once the server is up, with its base URL (for tests). */
  onReady?: (url: string) => void;
};

function rate(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--${name} must be a number between 0 and 1`);
  return n;
}

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function runFakeMuxCommand(argv: string[], io: FakeMuxCommandIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let options: FakeMuxOptions & { port: number; host: string };
  let assets: number;
  let seed: number;
  let captioned: number;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        assets: { type: "string" },
        seed: { type: "string" },
        captioned: { type: "string" },
        "token-id": { type: "string" },
        "token-secret": { type: "string" },
        "webhook-url": { type: "string" },
        "webhook-secret": { type: "string" },
        "drop-rate": { type: "string" },
        "duplicate-rate": { type: "string" },
        reorder: { type: "boolean" },
        "error-rate": { type: "string" },
        "rate-limit": { type: "string" },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      out(FAKE_MUX_USAGE);
      return 0;
    }
    const rateLimit = values["rate-limit"] === undefined ? 5 : Number(values["rate-limit"]);
    if (!Number.isFinite(rateLimit) || rateLimit < 0)
      throw new Error("--rate-limit must be a non-negative number");
    const webhookUrl = values["webhook-url"];
    if (webhookUrl !== undefined && !URL.canParse(webhookUrl)) throw new Error("--webhook-url must be a URL");
    assets = nonNegativeInt("assets", values.assets, 0);
    seed = nonNegativeInt("seed", values.seed, 1);
    captioned = rate("captioned", values.captioned) ?? 0;
    options = {
      port: nonNegativeInt("port", values.port, 8790),
      host: values.host ?? "127.0.0.1",
      seed,
      ...(values["token-id"] && { tokenId: values["token-id"] }),
      ...(values["token-secret"] && { tokenSecret: values["token-secret"] }),
      ...(values["webhook-secret"] && { webhookSecret: values["webhook-secret"] }),
      webhookUrl: webhookUrl ?? null,
      faults: {
        dropRate: rate("drop-rate", values["drop-rate"]),
        duplicateRate: rate("duplicate-rate", values["duplicate-rate"]),
        reorder: values.reorder ?? false,
        errorRate: rate("error-rate", values["error-rate"]),
      },
      rateLimit:
        rateLimit > 0 ? { perSecond: rateLimit, burst: Math.max(1, Math.ceil(rateLimit * 2)) } : null,
    };
  } catch (error) {
    err(`fake-mux: ${error instanceof Error ? error.message : String(error)}`);
    err("Run with --help for the options.");
    return 2;
  }

  let running: Awaited<ReturnType<typeof startFakeMux>>;
  try {
    running = await startFakeMux(options);
  } catch (error) {
    err(
      `fake-mux: could not listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  const { fake, url, streamBaseUrl, imageBaseUrl } = running;
  if (assets > 0) fake.generateLibrary(assets, seed, { captioned });

  out(`Fake Mux listening on ${url}`);
  out("");
  out(`  MUX_BASE_URL=${url}`);
  out(`  MUX_STREAM_BASE_URL=${streamBaseUrl}`);
  out(`  MUX_IMAGE_BASE_URL=${imageBaseUrl}`);
  out(`  MUX_TOKEN_ID=${fake.credentials.tokenId}`);
  out(`  MUX_TOKEN_SECRET=${fake.credentials.tokenSecret}`);
  out(`  MUX_WEBHOOK_SECRET=${fake.credentials.webhookSecret}`);
  out(`  MUX_SIGNING_KEY=${fake.signingKey.id}`);
  out(`  MUX_PRIVATE_KEY: curl -s ${url}/_fake/signing-key   (data.private_key, base64 PEM)`);
  out("");
  out(`  webhooks → ${options.webhookUrl ?? "(none; set with PUT /_fake/webhook-url)"}`);
  out(`  library: ${assets} assets (seed ${seed}); state at ${url}/_fake/state`);
  out("Press Ctrl+C to stop.");
  io.onReady?.(url);

  await (io.until ?? waitForSignal());
  await running.close();
  out("Fake Mux stopped.");
  return 0;
}
