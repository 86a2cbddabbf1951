/**
 * Builds the scale benchmark's database in bulk: a year of a busy library written straight into
 * a file migrated by our migrations, through better-sqlite3's prepared statements in large
 * transactions (not through HTTP). The growing tables' secondary indexes and the count triggers
 * are dropped for the load and recreated from their own SQL (read back from `sqlite_master`)
 * afterwards, and the count tables are recomputed by the migrations' own backfill statements
 * (read from `migrations/*.sql`), so they match what the triggers would have kept.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { MIGRATIONS_FOLDER } from "../../src/db/node";

export type ScaleShape = {
  objects: number;
  webhookEvents: number;
  deliveries: number;
  historyPerObject: number;
  runsPerSync: number;
  finishedJobs: number;
};

export const SCALE_SHAPE: ScaleShape = {
  objects: 1_000_000,
  webhookEvents: 10_000_000,
  deliveries: 3_000_000,
  historyPerObject: 3,
  runsPerSync: 100_000,
  finishedJobs: 100_000,
};

/** The service's bootstrapped rows, plus three more buckets with a sync each on the same connection. */
export const DEFAULT_BUCKET = "bkt_default";
const BUCKETS = [
  { bucket: DEFAULT_BUCKET, sync: "syn_default", share: 0.4 },
  { bucket: "bkt_scale_1", sync: "syn_scale_1", share: 0.2 },
  { bucket: "bkt_scale_2", sync: "syn_scale_2", share: 0.2 },
  { bucket: "bkt_scale_3", sync: "syn_scale_3", share: 0.2 },
];
const CONNECTION = "con_default";

const GROWING = ["objects", "deliveries", "webhook_events", "object_history", "runs", "jobs"];
const COUNT_TABLES = ["gauge_counts", "job_counts", "object_counts"];
const DAY_MS = 86_400_000;
const CHUNK = 50_000;

export type SeedReport = {
  seconds: { total: number; byTable: Record<string, number>; indexes: number };
  rows: Record<string, number>;
  /** Asset ids of a sample of delivered objects in the default bucket (details to fetch). */
  sampleAssets: string[];
  /** A feed position halfway through the default bucket's objects (a cursor from the middle). */
  middleFeedSeq: number;
};

/** A deterministic generator, so two runs build the same library. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function muxLikeId(n: number, length = 44): string {
  // Unique per n (its base-62 digits lead), padded with a fixed pseudo-random tail.
  let head = "";
  let rest = n;
  do {
    head += ALPHABET[rest % 62];
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  let tail = "";
  for (let i = 0; tail.length < length - head.length; i++) tail += ALPHABET[(n * 31 + i * 17) % 62];
  return (head + tail).slice(0, length);
}

type Placed = { state: string; reason: string | null; message: string | null };
/** Mostly delivered; some waiting, skipped, deleted and failed, with their reasons. */
function placeObject(r: number): Placed {
  if (r < 0.9) return { state: "delivered", reason: null, message: null };
  if (r < 0.93)
    return { state: "waiting_for_rendition", reason: null, message: "Waiting for the MP4 rendition" };
  if (r < 0.945) return { state: "skipped", reason: "filtered", message: "Excluded by the sync's filters" };
  if (r < 0.96) return { state: "skipped", reason: "no_static_renditions", message: "No MP4 rendition" };
  if (r < 0.965) return { state: "skipped", reason: "no_playback_id", message: "No playback id" };
  if (r < 0.97) return { state: "skipped", reason: "asset_errored", message: "The asset errored in Mux" };
  if (r < 0.995) return { state: "deleted", reason: "deleted_in_mux", message: "Deleted in Mux" };
  return { state: "failed", reason: "delivery_failed", message: "The pipeline answered 500 eight times" };
}

/** Runs migrations 0006+'s count backfills, read from the migration files themselves. */
function backfillStatements(): string[] {
  const statements: string[] = [];
  for (const file of readdirSync(MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const part of readFileSync(join(MIGRATIONS_FOLDER, file), "utf8").split(
      "--> statement-breakpoint",
    )) {
      const statement = part.replace(/^\s*--.*$/gm, "").trim();
      if (new RegExp(`^INSERT INTO (${COUNT_TABLES.join("|")}) `).test(statement)) statements.push(statement);
    }
  }
  return statements;
}

/**
 * The deployment both databases share: four buckets, each with a sync on the default
 * connection, so a webhook for an asset concerns four syncs (four ingest jobs) on either
 * database and only the tables' sizes differ between them.
 */
function insertDeployment(sqlite: BetterSqlite3.Database, now: number): void {
  const bucket = sqlite.prepare(
    "INSERT OR IGNORE INTO buckets (id, name, secret_hints, origin, created_at, updated_at) VALUES (?, ?, '{}', 'api', ?, ?)",
  );
  const sync = sqlite.prepare(
    `INSERT OR IGNORE INTO syncs (id, bucket_id, connection_id, status, origin, polling_interval_seconds, next_run_at, created_at, updated_at)
     VALUES (?, ?, ?, 'active', 'api', 300, ?, ?, ?)`,
  );
  for (const b of BUCKETS) {
    bucket.run(b.bucket, b.bucket, now - 365 * DAY_MS, now);
    sync.run(b.sync, b.bucket, CONNECTION, now + 3_600_000, now - 365 * DAY_MS, now);
  }
}

/** The empty database: migrated and bootstrapped by the service, then the same deployment, no rows. */
export function seedEmptyDeployment(path: string, now: number): void {
  const sqlite = new BetterSqlite3(path);
  try {
    sqlite.transaction(() => insertDeployment(sqlite, now))();
  } finally {
    sqlite.close();
  }
}

export function seedScaleDatabase(path: string, now: number, shape: ScaleShape = SCALE_SHAPE): SeedReport {
  const started = performance.now();
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144");
  const growing = GROWING.map((t) => `'${t}'`).join(", ");
  const saved = sqlite
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (${growing}) AND type IN ('index', 'trigger')`,
    )
    .all() as Array<{ type: string; name: string; sql: string }>;
  for (const { type, name } of saved) sqlite.exec(`DROP ${type.toUpperCase()} "${name}"`);

  const byTable: Record<string, number> = {};
  const timed = (table: string, body: () => void) => {
    const t = performance.now();
    body();
    byTable[table] = Math.round(performance.now() - t) / 1000;
  };
  const bulk = <T>(statement: BetterSqlite3.Statement, count: number, row: (i: number) => T) => {
    const insertChunk = sqlite.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) statement.run(row(i));
    });
    for (let from = 0; from < count; from += CHUNK) insertChunk(from, Math.min(count, from + CHUNK));
  };

  timed("buckets", () => insertDeployment(sqlite, now));

  const random = lcg(15);
  const bucketOf = (i: number) => {
    const at = i / shape.objects;
    let sum = 0;
    for (const b of BUCKETS) {
      sum += b.share;
      if (at < sum) return b;
    }
    return BUCKETS[BUCKETS.length - 1] ?? BUCKETS[0];
  };
  const objectId = (i: number) => `obj_${i.toString(16).padStart(20, "0")}`;
  // The year ends a day before `now`, so nothing seeded (a delivery hours after its object) is
  // dated after the service starts: to the service it is all history.
  const createdAt = (i: number) => now - 366 * DAY_MS + Math.floor((i / shape.objects) * 365 * DAY_MS);
  const placed: Placed[] = [];
  const sampleAssets: string[] = [];
  const middleObject = Math.floor(shape.objects * ((BUCKETS[0]?.share ?? 0) / 2));
  let middleFeedSeq = 0;

  timed("objects", () => {
    const insert = sqlite.prepare(
      `INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, reason, message, playback_id, playback_policy,
         rendition, metadata, version, write_token, discovered_via, last_seen_at, announced_view, acknowledged,
         source_fingerprint, state_changed_at, feed_seq, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'public', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    bulk(insert, shape.objects, (i) => {
      const p = placeObject(random());
      placed.push(p);
      const b = bucketOf(i) ?? BUCKETS[0];
      const assetId = muxLikeId(i);
      if (b?.bucket === DEFAULT_BUCKET && p.state === "delivered" && i % 4_001 === 0)
        sampleAssets.push(assetId);
      const created = createdAt(i);
      const playbackId = muxLikeId(i + 7_000_000_000);
      const rendition =
        p.state === "delivered"
          ? JSON.stringify({
              name: "high.mp4",
              url: `https://stream.mux.com/${playbackId}/high.mp4`,
              width: 1920,
              height: 1080,
              bitrate: 5_412_000,
              filesize: 126_712_345,
            })
          : null;
      const metadata = JSON.stringify({
        title: `Episode ${i} of the archive`,
        passthrough: `cms:${i}`,
        creator_id: `user-${i % 977}`,
        external_id: `ext-${i}`,
        duration: 187.32,
        aspect_ratio: "16:9",
        resolution_tier: "1080p",
        created_at: new Date(created).toISOString(),
      });
      const history = shape.historyPerObject + (p.state === "deleted" ? 1 : 0);
      return [
        objectId(i),
        b?.bucket,
        b?.sync,
        assetId,
        p.state,
        p.reason,
        p.message,
        playbackId,
        rendition,
        metadata,
        history,
        `tok-${i}`,
        i % 10 === 0 ? "poll" : "webhook",
        now - DAY_MS,
        p.state === "delivered" ? `view-${i}` : null,
        p.state === "delivered" ? 1 : 0,
        `fp-${i}`,
        created + 60_000,
        // The last history row of object i (history is written object by object below).
        null,
        created,
        created + 60_000,
      ];
    });
  });

  timed("object_history", () => {
    const insert = sqlite.prepare(
      "INSERT INTO object_history (object_id, state, reason, message, at) VALUES (?, ?, ?, ?, ?)",
    );
    const feed = sqlite.prepare("UPDATE objects SET feed_seq = ? WHERE id = ?");
    const steps = ["waiting_for_asset", "waiting_for_rendition", "ready"];
    const write = sqlite.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const p = placed[i] ?? { state: "delivered", reason: null, message: null };
        const at = createdAt(i);
        const count = shape.historyPerObject + (p.state === "deleted" ? 1 : 0);
        let last = 0;
        for (let k = 0; k < count - 1; k++)
          last = Number(
            insert.run(objectId(i), steps[k % steps.length], null, null, at + k * 1_000).lastInsertRowid,
          );
        last = Number(
          insert.run(objectId(i), p.state, p.reason, p.message, at + count * 1_000).lastInsertRowid,
        );
        feed.run(last, objectId(i));
        if (i === middleObject) middleFeedSeq = last;
      }
    });
    for (let from = 0; from < shape.objects; from += CHUNK)
      write(from, Math.min(shape.objects, from + CHUNK));
  });

  timed("deliveries", () => {
    const insert = sqlite.prepare(
      `INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, payload, status, attempts, last_status, created_at, delivered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const perObject = shape.deliveries / shape.objects;
    bulk(insert, shape.deliveries, (d) => {
      const i = Math.floor(d / perObject);
      const version = (d % Math.ceil(perObject)) + 1;
      const b = bucketOf(i) ?? BUCKETS[0];
      const p = placed[i];
      const type =
        version === 1 ? "object.ready" : p?.state === "deleted" ? "object.deleted" : "object.updated";
      const assetId = muxLikeId(i);
      const playbackId = muxLikeId(i + 7_000_000_000);
      const payload = JSON.stringify({
        type,
        data: {
          bucket_id: b?.bucket,
          sync_id: b?.sync,
          object_id: objectId(i),
          source: { provider: "mux", asset_id: assetId, playback_id: playbackId, playback_policy: "public" },
          rendition: {
            name: "high.mp4",
            url: `https://stream.mux.com/${playbackId}/high.mp4`,
            width: 1920,
            height: 1080,
            bitrate: 5_412_000,
            filesize: 126_712_345,
          },
          metadata: {
            title: `Episode ${i} of the archive`,
            passthrough: `cms:${i}`,
            creator_id: `user-${i % 977}`,
            external_id: `ext-${i}`,
            duration: 187.32,
            aspect_ratio: "16:9",
            resolution_tier: "1080p",
            created_at: new Date(createdAt(i)).toISOString(),
          },
        },
      });
      const failed = p?.state === "failed" && version === Math.ceil(perObject);
      const status = failed ? "failed" : d % 97 === 0 ? "superseded" : "delivered";
      const at = createdAt(i) + version * 3_600_000;
      return [
        `${objectId(i)}.v${version}`,
        objectId(i),
        b?.bucket,
        type,
        version,
        payload,
        status,
        failed ? 8 : 1,
        failed ? 500 : 200,
        at,
        status === "delivered" ? at + 150 : null,
      ];
    });
  });

  timed("webhook_events", () => {
    const insert = sqlite.prepare(
      `INSERT INTO webhook_events (id, connection_id, type, asset_id, outcome, jobs_enqueued, nonce, event_created_at, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const types = [
      "video.asset.created",
      "video.asset.ready",
      "video.asset.static_renditions.ready",
      "video.asset.updated",
      "video.upload.asset_created",
      "video.asset.static_rendition.ready",
    ];
    const start = now - 365 * DAY_MS;
    bulk(insert, shape.webhookEvents, (e) => {
      const type = types[e % types.length] ?? "video.asset.ready";
      const ignored = type.startsWith("video.upload");
      const at = start + Math.floor((e / shape.webhookEvents) * 365 * DAY_MS);
      // Ids ascend with e (a UUID-shaped counter), so the primary key is appended to, not shuffled.
      const hex = e.toString(16).padStart(12, "0");
      return [
        `0000${hex.slice(0, 4)}-${hex.slice(4, 8)}-4${hex.slice(8, 11)}-8${hex.slice(11)}00-${hex}`,
        CONNECTION,
        type,
        muxLikeId(Math.floor(random() * shape.objects)),
        ignored ? "ignored" : "enqueued",
        ignored ? 0 : 1,
        `nonce-${e}`,
        at - 200,
        at,
      ];
    });
  });

  timed("runs", () => {
    const insert = sqlite.prepare(
      `INSERT INTO runs (id, sync_id, kind, status, started_at, finished_at, pages, api_calls, assets_seen, enqueued, repaired)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const total = shape.runsPerSync * BUCKETS.length;
    bulk(insert, total, (r) => {
      const b = BUCKETS[r % BUCKETS.length] ?? BUCKETS[0];
      const at = now - 365 * DAY_MS + Math.floor((r / total) * 365 * DAY_MS);
      const kind = r % 288 === 0 ? "full" : "scheduled";
      return [
        `run_${r.toString(16).padStart(20, "0")}`,
        b?.sync,
        kind,
        r % 501 === 0 ? "failed" : "succeeded",
        at,
        at + 2_000,
        1,
        2,
        100,
        r % 7,
        r % 53 === 0 ? 1 : 0,
      ];
    });
  });

  timed("jobs", () => {
    const insert = sqlite.prepare(
      `INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, attempts, max_attempts, available_at, created_at, updated_at, finished_at)
       VALUES (?, 'default', ?, ?, ?, ?, 1, 8, ?, ?, ?, ?)`,
    );
    bulk(insert, shape.finishedJobs, (j) => {
      const i = Math.floor(random() * shape.objects);
      const deliver = j % 2 === 0;
      const b = bucketOf(i) ?? BUCKETS[0];
      const at = now - DAY_MS + j * 500;
      return [
        `job_${j.toString(16).padStart(20, "0")}`,
        deliver ? "deliver" : "ingest",
        deliver ? `deliver:${objectId(i)}:${j}` : `ingest:${b?.sync}:${muxLikeId(i)}:${j}`,
        deliver
          ? JSON.stringify({ objectId: objectId(i) })
          : JSON.stringify({ syncId: b?.sync, assetId: muxLikeId(i) }),
        j % 2_000 === 0 ? "dead" : "done",
        at,
        at,
        at,
        at,
      ];
    });
  });

  const indexesStarted = performance.now();
  for (const { sql } of saved.filter((s) => s.type === "index")) sqlite.exec(sql);
  for (const table of COUNT_TABLES) sqlite.exec(`DELETE FROM ${table}`);
  for (const statement of backfillStatements()) sqlite.exec(statement);
  for (const { sql } of saved.filter((s) => s.type === "trigger")) sqlite.exec(sql);
  const indexes = Math.round(performance.now() - indexesStarted) / 1000;

  const rows: Record<string, number> = {};
  for (const table of GROWING)
    rows[table] = (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  return {
    seconds: { total: Math.round(performance.now() - started) / 1000, byTable, indexes },
    rows,
    sampleAssets,
    middleFeedSeq,
  };
}
