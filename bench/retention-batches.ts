/**
 * How long retention's statements hold the write lock on a large database: seeds a file-backed
 * database in bulk (webhook events, deliveries over many objects, history, runs, finished jobs
 * with random ids and keys as the queue makes them; half of each older than retention), then
 * prunes it with the Node maintenance budget and the job runner's pruning of finished jobs, and
 * reports every statement's duration (max, p99, by kind), the event-loop delay meanwhile and the
 * rows pruned per second. The database is opened as `serve` opens it (WAL checkpoints on a worker
 * thread). Calls run back to back here, where `serve` spaces them (a maintenance tick, the
 * runner's housekeeping every 30 s): nothing lets the WAL start over between them, so past 16,000 pages a
 * commit on the event loop copies it into the file, and the slowest statements include that copy.
 *
 *   npx tsx bench/retention-batches.ts [events] [objects] [finished jobs]
 *
 * Defaults: 2,000,000 events, 200,000 objects (3 deliveries and 10 history rows each), 1,000,000
 * finished jobs; about two minutes to seed on a 2-core machine. Not part of `npm run bench` (yet):
 * prints JSON on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "../src/db/client";
import { openNodeDatabase } from "../src/db/node";
import { systemClock } from "../src/lib/clock";
import { NODE_RETENTION_BUDGET } from "../src/node/maintenance";
import { pruneFinishedJobs } from "../src/queue/prune-finished";
import { FINISHED_JOB_RETENTION_MS } from "../src/queue/runner";
import { DEFAULT_QUEUE } from "../src/queue/types";
import { DAY_MS, Retention } from "../src/sync/retention";

const events = Number(process.argv[2] ?? 2_000_000);
const objects = Number(process.argv[3] ?? 200_000);
const finishedJobs = Number(process.argv[4] ?? 1_000_000);
const RETENTION_MS = 30 * DAY_MS;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "retention-bench-"));
  const load = loadavg()[0];
  try {
    const database = openNodeDatabase(join(dir, "bench.db"), { backgroundCheckpoints: {} });
    const db = database.sqlite;
    const now = Date.now();
    // Spread over 60 days: half is older than the 30 days kept.
    const at = (i: number, n: number) => now - 60 * DAY_MS + Math.floor((i / n) * 60 * DAY_MS);
    const seedStarted = performance.now();
    db.prepare("INSERT INTO buckets (id, name, created_at, updated_at) VALUES ('bkt', 'b', 0, 0)").run();
    db.prepare(`INSERT INTO connections (id, name, access_token_id, access_token_secret, created_at, updated_at)
                VALUES ('con', 'c', 't', 's', 0, 0)`).run();
    db.prepare(
      "INSERT INTO syncs (id, bucket_id, connection_id, created_at, updated_at) VALUES ('s1', 'bkt', 'con', 0, 0)",
    ).run();
    const event =
      db.prepare(`INSERT INTO webhook_events (id, connection_id, type, asset_id, outcome, nonce, received_at)
                              VALUES (?, 'con', 'video.asset.updated', ?, 'enqueued', 'n', ?)`);
    const delivery =
      db.prepare(`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status,
                                   payload, created_at, delivered_at) VALUES (?, ?, 'bkt', 'object.updated', ?, 'delivered', ?, ?, ?)`);
    const history = db.prepare(
      "INSERT INTO object_history (object_id, state, message, at) VALUES (?, 'delivered', ?, ?)",
    );
    const run = db.prepare(
      "INSERT INTO runs (id, sync_id, kind, status, started_at) VALUES (?, 's1', 'scheduled', 'succeeded', ?)",
    );
    const payload = JSON.stringify({ type: "object.updated", data: { body: "x".repeat(600) } });
    const chunk = 100_000;
    for (let start = 0; start < events; start += chunk)
      db.transaction(() => {
        for (let i = start; i < Math.min(events, start + chunk); i++)
          event.run(`evt_${i}`, `asset_${i % objects}`, at(i, events));
      })();
    const deliveries = objects * 3;
    for (let start = 0; start < deliveries; start += chunk)
      db.transaction(() => {
        for (let i = start; i < Math.min(deliveries, start + chunk); i++) {
          const o = i % objects;
          const v = Math.floor(i / objects) + 1;
          delivery.run(`obj_${o}.v${v}`, `obj_${o}`, v, payload, at(i, deliveries), at(i, deliveries));
        }
      })();
    const rows = objects * 10;
    for (let start = 0; start < rows; start += chunk)
      db.transaction(() => {
        for (let i = start; i < Math.min(rows, start + chunk); i++)
          history.run(`obj_${i % objects}`, "Delivered to the pipeline (HTTP 200)", at(i, rows));
      })();
    db.transaction(() => {
      for (let i = 0; i < 50_000; i++) run.run(`run_${i}`, at(i, 50_000));
    })();
    // Kept a week; spread over two, so half are older. Random ids and keys, as the queue makes them.
    const job = db.prepare(`INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, attempts,
                              max_attempts, available_at, created_at, updated_at, finished_at)
                            VALUES (?, 'default', 'ingest', ?, ?, 'done', 1, 5, ?, ?, ?, ?)`);
    const jobAt = (i: number) =>
      now - 2 * FINISHED_JOB_RETENTION_MS + Math.floor((i / finishedJobs) * 2 * FINISHED_JOB_RETENTION_MS);
    for (let start = 0; start < finishedJobs; start += chunk)
      db.transaction(() => {
        for (let i = start; i < Math.min(finishedJobs, start + chunk); i++) {
          const assetId = crypto.randomUUID();
          const t = jobAt(i);
          job.run(
            `job_${crypto.randomUUID()}`,
            `ingest:s1:${assetId}`,
            JSON.stringify({ syncId: "s1", assetId }),
            t,
            t,
            t,
            t,
          );
        }
      })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const pagesBefore = db.pragma("page_count", { simple: true }) as number;

    const durations: number[] = [];
    const byKind = new Map<string, number[]>();
    const dialect = new SQLiteSyncDialect();
    const timed: Database = {
      db: new Proxy(database.db, {
        get(target, property, receiver) {
          if (property === "all")
            return async (query: SQL) => {
              const started = performance.now();
              const result = await target.all(query);
              const ms = performance.now() - started;
              durations.push(ms);
              const words = dialect.sqlToQuery(query).sql.trim().split(/\s+/);
              const kind = `${words[0]} ${words[0] === "UPDATE" ? words[1] : words[0] === "SELECT" ? words.slice(words.indexOf("FROM") + 1)[0] : words[2]}`;
              byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
              return result;
            };
          return Reflect.get(target, property, receiver);
        },
      }),
      atomic: (s) => database.atomic(s),
      ping: () => database.ping(),
      close: () => database.close(),
    };
    const retention = new Retention({
      database: timed,
      clock: systemClock,
      retention: { retentionMs: RETENTION_MS },
    });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const pruneStarted = performance.now();
    let calls = 0;
    const pruned = { webhookEvents: 0, deliveries: 0, deliveryPayloads: 0, objectHistory: 0, runs: 0 };
    const callMs: number[] = [];
    for (;;) {
      const started = performance.now();
      const pass = await retention.prune(NODE_RETENTION_BUDGET);
      callMs.push(performance.now() - started);
      calls++;
      for (const key of Object.keys(pruned) as Array<keyof typeof pruned>) pruned[key] += pass.pruned[key];
      if (pass.finished) break;
    }
    let finishedJobsPruned = 0;
    for (;;) {
      const started = performance.now();
      const n = await pruneFinishedJobs(timed, DEFAULT_QUEUE, Date.now() - FINISHED_JOB_RETENTION_MS);
      callMs.push(performance.now() - started);
      calls++;
      finishedJobsPruned += n;
      if (n === 0) break;
    }
    const pruneSeconds = (performance.now() - pruneStarted) / 1000;
    delay.disable();
    const sorted = [...durations].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    const total = Object.values(pruned).reduce((a, b) => a + b, 0) + finishedJobsPruned;
    console.log(
      JSON.stringify(
        {
          loadAverageBefore: load,
          loadAverageAfter: loadavg()[0],
          seeded: {
            events,
            deliveries,
            history: rows,
            runs: 50_000,
            finishedJobs,
            seconds: Math.round(seedSeconds),
          },
          pruned: { ...pruned, finishedJobs: finishedJobsPruned },
          calls,
          statements: durations.length,
          statementMs: { p50: pct(0.5), p99: pct(0.99), max: sorted.at(-1) ?? 0 },
          byKind: Object.fromEntries(
            [...byKind].map(([kind, list]) => {
              const s = [...list].sort((a, b) => a - b);
              const q = (p: number) =>
                Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 100) / 100;
              return [kind, { n: s.length, p50: q(0.5), p99: q(0.99), max: q(1) }];
            }),
          ),
          callMsMax: Math.max(...callMs),
          eventLoopDelayMs: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
          rowsPerSecond: Math.round(total / pruneSeconds),
          pruneSeconds: Math.round(pruneSeconds * 10) / 10,
          pages: {
            before: pagesBefore,
            after: db.pragma("page_count", { simple: true }),
            free: db.pragma("freelist_count", { simple: true }),
          },
        },
        null,
        2,
      ),
    );
    database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
