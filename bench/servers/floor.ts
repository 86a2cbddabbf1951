/**
 * The floor of the webhook benchmark: the essential work of `/webhooks/mux`, written plainly on
 * `node:http` with no framework, so that what mux-ingest costs above it is overhead, not work.
 * Per request: read the body (bounded), check `Mux-Signature` (HMAC-SHA256 of `t.body` against
 * one secret, ±300 s), parse the JSON, then insert the `webhook_events` row and, only if that row
 * is new, one ingest `jobs` row (the same upsert on the same unique index as the queue's), in a
 * transaction shared by every request of the same event-loop turn (group commit); the 200 goes
 * out only after that COMMIT. The database is made by our own migrations (same tables, indexes
 * and the count triggers of migration 0006, which our writes pay for too) and opened with the
 * same pragmas (`openNodeDatabase`: WAL, the chosen `synchronous`, checkpoints on a worker
 * thread as in `serve`, whose holds on writes its group commit waits for as ours does), in a
 * process started with the same node flags as ours (`bench/webhook-ingest.ts`).
 * Argument: a JSON object `{ databasePath, secret, synchronous }`.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { openNodeDatabase } from "../../src/db/node";
import type { DatabaseSynchronous } from "../../src/db/synchronous";
import { runWhenOpen } from "../../src/db/write-gate";
import { cpuMs, failStart, peakRssMiB, serveParent } from "../lib/child";
import { createProfiler, isProfilerRequest, type ProfilerRequest } from "../lib/profiler";

type FloorArgs = { databasePath: string; secret: string; synchronous: DatabaseSynchronous };

export type FloorRequest = { op: "counts" } | ProfilerRequest;
export type FloorCounts = { events: number; jobs: number; cpuMs: number; peakRssMiB: number };

const MAX_BODY_BYTES = 256 * 1024;
const TOLERANCE_SECONDS = 300;
const CONNECTION_ID = "conn_floor";
const SYNC_ID = "sync_floor";
const OK_BODY = JSON.stringify({ received: true, duplicate: false });
const DUPLICATE_BODY = JSON.stringify({ received: true, duplicate: true });

type Event = { id: string; type: string; assetId: string | null; createdAt: number | null };
type Member = { event: Event; response: ServerResponse };

function main(): void {
  const args = JSON.parse(process.argv[2] ?? "{}") as FloorArgs;
  // Checkpoints on a worker thread, as `serve` has them: the two servers' commits pay alike.
  const database = openNodeDatabase(args.databasePath, {
    synchronous: args.synchronous,
    backgroundCheckpoints: {},
  });
  const sqlite = database.sqlite;
  const insertEvent = sqlite.prepare(
    `INSERT INTO webhook_events (id, connection_id, type, asset_id, outcome, jobs_enqueued, nonce,
                                 event_created_at, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, id) DO NOTHING`,
  );
  const upsertJob = sqlite.prepare(
    `INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, attempts, max_attempts,
                       available_at, rerun, created_at, updated_at)
     VALUES (?, 'default', 'ingest', ?, ?, 'pending', 0, 5, ?, 0, ?, ?)
     ON CONFLICT (queue, idempotency_key) DO UPDATE SET
       payload = excluded.payload,
       rerun = CASE WHEN jobs.status = 'running' THEN 1 ELSE jobs.rerun END,
       attempts = CASE WHEN jobs.status IN ('done', 'dead') THEN 0 ELSE jobs.attempts END,
       available_at = CASE WHEN jobs.status IN ('done', 'dead') THEN excluded.available_at ELSE jobs.available_at END,
       status = CASE WHEN jobs.status IN ('done', 'dead') THEN 'pending' ELSE jobs.status END,
       updated_at = excluded.updated_at`,
  );
  // One transaction for the whole group; a new event gets its job, a duplicate nothing.
  const commit = sqlite.transaction((members: Member[], now: number) =>
    members.map(({ event }) => {
      const fresh =
        insertEvent.run(
          event.id,
          CONNECTION_ID,
          event.type,
          event.assetId,
          event.assetId === null ? "no_sync" : "enqueued",
          event.assetId === null ? 0 : 1,
          randomUUID(),
          event.createdAt,
          now,
        ).changes > 0;
      if (fresh && event.assetId !== null) {
        const payload = JSON.stringify({ syncId: SYNC_ID, assetId: event.assetId, via: "webhook" });
        upsertJob.run(`job_${randomUUID()}`, `ingest:${SYNC_ID}:${event.assetId}`, payload, now, now, now);
      }
      return fresh;
    }),
  );

  let pending: Member[] = [];
  const flush = () => {
    const members = pending;
    pending = [];
    let fresh: boolean[];
    try {
      fresh = commit(members, Date.now());
    } catch {
      for (const member of members) answer(member.response, 500, '{"error":"write failed"}');
      return;
    }
    for (const [i, member] of members.entries())
      answer(member.response, 200, fresh[i] ? OK_BODY : DUPLICATE_BODY);
  };
  // While the WAL checkpointer holds writes to start the WAL over, the group waits, as ours does.
  const enqueue = (member: Member) => {
    if (pending.push(member) === 1) setImmediate(() => runWhenOpen(database.writeGate, flush));
  };

  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/webhooks/mux") {
      answer(response, 404, '{"error":"not found"}');
      return;
    }
    readBody(request, (body) => {
      if (body === null) {
        answer(response, 413, '{"error":"too large"}');
        return;
      }
      const event = verifiedEvent(body, request.headers["mux-signature"], args.secret);
      if (event === null) answer(response, 401, '{"error":"unauthorized"}');
      else enqueue({ event, response });
    });
  });
  const profiler = createProfiler();
  server.listen(0, "127.0.0.1", () => {
    serveParent({
      ready: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      handle: async (raw) => {
        const request = raw as FloorRequest;
        if (isProfilerRequest(request)) return profiler(request);
        return {
          events: (sqlite.prepare("SELECT COUNT(*) AS n FROM webhook_events").get() as { n: number }).n,
          jobs: (sqlite.prepare("SELECT COUNT(*) AS n FROM jobs").get() as { n: number }).n,
          cpuMs: cpuMs(),
          peakRssMiB: peakRssMiB(),
        } satisfies FloorCounts;
      },
      shutdown: () =>
        new Promise<void>((resolve) =>
          server.close(() => {
            database.close();
            resolve();
          }),
        ),
    });
  });
}

function readBody(request: IncomingMessage, done: (body: string | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on("end", () => done(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
}

/** The event if the signature matches and is fresh, and the body is an event; null otherwise. */
function verifiedEvent(body: string, header: string | string[] | undefined, secret: string): Event | null {
  if (typeof header !== "string") return null;
  const match = /^t=(\d{1,12}),\s*v1=([0-9a-f]{64})$/.exec(header);
  if (!match?.[1] || !match[2]) return null;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(match[2], "hex"))) return null;
  if (Math.abs(Date.now() / 1000 - Number(match[1])) > TOLERANCE_SECONDS) return null;
  let json: { id?: unknown; type?: unknown; object?: { type?: unknown; id?: unknown }; created_at?: unknown };
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof json.id !== "string" || typeof json.type !== "string") return null;
  const assetId = json.object?.type === "asset" && typeof json.object.id === "string" ? json.object.id : null;
  const createdAt = typeof json.created_at === "string" ? Date.parse(json.created_at) : Number.NaN;
  return { id: json.id, type: json.type, assetId, createdAt: Number.isNaN(createdAt) ? null : createdAt };
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

try {
  main();
} catch (error) {
  failStart(error);
}
