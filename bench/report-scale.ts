/** BENCHMARKS.md's scale section, from `bench/results/scale.json` (see `bench/scale.ts`). */

import { CONSOLE_PAGE_KEYS } from "./lib/console-pages";
import type { FrameShare } from "./lib/cpu-profile";
import type { ResultFile } from "./lib/results";
import type { IoPerUnit, LatencyFigures, ProfiledWindow, ScaleData, ScaleSide } from "./lib/scale-result";
import type { Stall } from "./lib/stall-watch";
import type { LoopDelay } from "./servers/scale-server";

/** The issue's goals: rates within 10 % of the empty database's, latencies under their bounds. */
export const SCALE_GOALS = {
  rateShare: 0.9,
  metricsP99Ms: 10,
  dashboardMs: 200,
  feedPageMs: 20,
  detailMs: 10,
  eventLoopMs: 20,
} as const;

type Format = {
  n: (value: number, digits?: number) => string;
  table: (header: string[], rows: Array<Array<string | number>>) => string;
  yes: (ok: boolean) => string;
  header: (result: ResultFile<unknown>) => string;
};

export function scaleSection(result: ResultFile<ScaleData>, f: Format): string {
  const { n, table, yes } = f;
  const d = result.data;
  const e = d.empty;
  const s = d.seeded;
  const rate = (label: string, pick: (side: ScaleSide) => number, unit: string) => {
    const share = pick(s) / pick(e);
    return [
      label,
      `${n(pick(e))} ${unit}`,
      `${n(pick(s))} ${unit}`,
      `${n(share * 100)} %`,
      yes(share >= SCALE_GOALS.rateShare),
    ];
  };
  const latency = (
    label: string,
    pick: (side: ScaleSide) => LatencyFigures,
    bound: number,
    key: "p50" | "p99" = "p99",
  ) => [
    label,
    `${n(pick(e).p50, 1)} / ${n(pick(e).p99, 1)} ms`,
    `${n(pick(s).p50, 1)} / ${n(pick(s).p99, 1)} ms`,
    `≤ ${n(bound)} ms (${key})`,
    yes(pick(s)[key] <= bound),
  ];
  const loop = (label: string, pick: (side: ScaleSide) => LoopDelay) => [
    label,
    `${n(pick(e).maxMs, 1)} / ${n(pick(e).p99Ms, 1)} ms`,
    `${n(pick(s).maxMs, 1)} / ${n(pick(s).p99Ms, 1)} ms`,
    `max ≤ ${SCALE_GOALS.eventLoopMs} ms`,
    yes(pick(s).maxMs <= SCALE_GOALS.eventLoopMs),
  ];
  const seedRows = Object.entries(d.seed.rows).map(([table, rows]) => `${table} ${n(rows)}`);
  return [
    "## 6. Scale: a million assets and a year of history",
    "",
    f.header(result),
    "",
    `Seeded: ${seedRows.join(", ")} in ${n(d.seed.seconds.total, 0)} s (of which ${n(d.seed.seconds.indexes, 0)} s rebuilding indexes and counts).`,
    "",
    table(
      ["figure", "empty database", "seeded database", "seeded / empty", "goal (≥ 90 %)"],
      [
        rate("webhook ingest (10 connections)", (x) => x.webhooksPerSecond, "req/s"),
        rate("claim + complete (no-op jobs)", (x) => x.claimsPerSecond, "jobs/s"),
        rate(
          `burst of ${n(e.burst.assets)} assets, webhook → ingest job → delivery`,
          (x) => x.burst.perSecond,
          "assets/s",
        ),
      ],
    ),
    ...claimTimes(e, s, f),
    "",
    table(
      ["latency (p50 / p99)", "empty database", "seeded database", "bound", "met at scale"],
      [
        latency("`/metrics`, one scraper", (x) => x.metrics.sequential, SCALE_GOALS.metricsP99Ms),
        latency(`\`/metrics\`, 4 concurrent scrapers`, (x) => x.metrics.concurrent, SCALE_GOALS.metricsP99Ms),
        ...(e.metrics.rendering && s.metrics.rendering
          ? [
              latency(
                "`/metrics`, one rendering (in the server, unshared)",
                (x) => x.metrics.rendering ?? x.metrics.sequential,
                SCALE_GOALS.metricsP99Ms,
              ),
            ]
          : []),
        latency("dashboard page", (x) => x.dashboard, SCALE_GOALS.dashboardMs),
        latency("`status --json`'s verb (in process)", (x) => x.status, SCALE_GOALS.dashboardMs),
        latency("feed page: first", (x) => x.feed.first, SCALE_GOALS.feedPageMs),
        latency("feed page: from the middle (cursor)", (x) => x.feed.middle, SCALE_GOALS.feedPageMs),
        latency("feed page: `state=skipped`", (x) => x.feed.byState, SCALE_GOALS.feedPageMs),
        latency("feed page: `reason=filtered`", (x) => x.feed.byReason, SCALE_GOALS.feedPageMs),
        latency("object detail", (x) => x.detail, SCALE_GOALS.detailMs),
      ],
    ),
    "",
    table(
      ["server event-loop delay (max / p99)", "empty database", "seeded database", "bound", "met at scale"],
      [
        loop("during webhook load", (x) => x.eventLoop.webhooks),
        loop("during the burst (jobs running)", (x) => x.eventLoop.burst),
        loop("during `/metrics` scrapes", (x) => x.eventLoop.scrapes),
        loop("during the other reads", (x) => x.eventLoop.reads),
      ],
    ),
    ...stallsTable(e, s, f),
    "",
    `Database file (with WAL): ${n(e.fileMiB, 1)} MiB empty, ${n(s.fileMiB, 1)} MiB seeded. Server peak RSS: ${n(e.peakRssMiB)} / ${n(s.peakRssMiB)} MiB. Pipeline deliveries with a bad signature: ${n(d.forged)}.`,
    ...consolePagesTable(e, s, f),
    ...readLoopsTable(e, s, f),
    ...ioAndVariants(e, s, f),
    ...profileFindings(e, s, f),
    "",
    "Every statement on these paths is also checked by its query plan in `test/integration/query-plans.test.ts` (no full scan of a growing table, no sort of every match to keep a page, no count per request), so these figures stay flat as the tables grow; the timings here show what the plans cost in time on this machine.",
  ].join("\n");
}

/** Where a claim round's time goes: the typical claim, and the slow ones (over 5 ms). */
function claimTimes(e: ScaleSide, s: ScaleSide, f: Format): string[] {
  if (!e.claimRounds?.length || !s.claimRounds?.length) return [];
  const { n } = f;
  const side = (x: ScaleSide) =>
    (x.claimRounds ?? [])
      .map(
        (r) =>
          `${n(r.perSecond)} jobs/s (claim-and-complete p50 ${n(r.p50Ms ?? 0, 2)} ms, p99 ${n(r.p99Ms ?? 0, 1)} ms, max ${n(r.maxMs ?? 0, 1)} ms; ${n((r.slowShare ?? 0) * 100, 0)} % of the round in claims over 5 ms)`,
      )
      .join("; ");
  return ["", `Claim rounds, empty database: ${side(e)}.`, "", `Seeded database: ${side(s)}.`];
}

/**
 * Each phase's stalls, split by where the server's main thread spent them
 * (`bench/lib/stall-watch.ts`): on a CPU (the server's own work holding the loop), runnable and
 * waiting for a CPU (the machine's other processes), or neither (a blocking call, the host, or
 * the timer's own wait). The goal's reading: no handler or task holds the loop over the bound.
 */
function stallsTable(e: ScaleSide, s: ScaleSide, f: Format): string[] {
  const { n } = f;
  const phases: Array<[string, (x: ScaleSide) => LoopDelay | undefined]> = [
    ["during webhook load", (x) => x.eventLoop.webhooks],
    ["during the burst (jobs running)", (x) => x.eventLoop.burst],
    ["during `/metrics` scrapes", (x) => x.eventLoop.scrapes],
    ["during the other reads", (x) => x.eventLoop.reads],
    ["first use: the process's first webhooks (warm-up)", (x) => x.eventLoopFirstUse?.webhooks],
    ["first use: the process's first burst", (x) => x.eventLoopFirstUse?.burst],
  ];
  const rows = phases.filter(([, pick]) => pick(e)?.stalls && pick(s)?.stalls);
  if (rows.length === 0) return [];
  const split = (stall: Stall | undefined) =>
    stall
      ? `${n(stall.gapMs, 1)} = **${n(stall.runMs, 1)}** + ${n(stall.waitMs, 1)} + ${n(stall.offMs, 1)} (gc ${n(stall.gcMs, 1)}, other threads ${n(stall.otherThreadsMs, 1)})`
      : "–";
  const cell = (loop: LoopDelay | undefined) => {
    const st = loop?.stalls;
    if (!st || st.count === 0) return "none";
    const most =
      st.mostRunning && st.mostRunning !== st.longest ? `; most running ${split(st.mostRunning)}` : "";
    return `${n(st.count)}: longest ${split(st.longest)}${most}`;
  };
  const own = (loop: LoopDelay | undefined) => loop?.stalls?.mostRunning?.runMs ?? 0;
  const sides = rows.flatMap(([, pick]) => [pick(e), pick(s)]);
  const stalls = sides.flatMap((l) => [l?.stalls?.longest, l?.stalls?.mostRunning, l?.stalls?.mostOff]);
  const steal = Math.max(0, ...stalls.map((st) => st?.stealMs ?? 0));
  const off = Math.max(0, ...stalls.map((st) => st?.offMs ?? 0));
  return [
    "",
    `Where those delays went. Every gap of ${SCALE_GOALS.eventLoopMs} ms or more between two ticks of a 5 ms timer in the server (so every stall of the event loop that long), split by the main thread's scheduler statistics (\`/proc/self/task/<pid>/schedstat\`, read at each tick; each part ±4 ms, the kernel's tick): gap = **on a CPU** (the server's own work holding the loop: JavaScript, collections, SQLite) + runnable, waiting for a CPU (the load generator, the fake Mux, the receiver and the server's own other threads share the machine's cores) + neither (a blocking system call or lock, the host holding the virtual CPU, or the timer's own wait of up to 5 ms). In brackets: V8's collection pauses within the gap (part of the time on a CPU), and the server's other threads' time on a CPU. The goal's reading: no handler or task may hold the loop over ${SCALE_GOALS.eventLoopMs} ms, which is the time on a CPU:`,
    "",
    f.table(
      [
        "stalls (count: gap = **on a CPU** + waiting + neither, ms)",
        "empty database",
        "seeded database",
        `own work ≤ ${SCALE_GOALS.eventLoopMs} ms`,
      ],
      rows.map(([label, pick]) => [
        label,
        cell(pick(e)),
        cell(pick(s)),
        f.yes(own(pick(e)) <= SCALE_GOALS.eventLoopMs && own(pick(s)) <= SCALE_GOALS.eventLoopMs),
      ]),
    ),
    "",
    `The most time off a CPU in any of these stalls: ${n(off, 1)} ms; host steal (\`/proc/stat\`, 10 ms resolution) in them: at most ${n(steal)} ms.`,
  ];
}

/** A loop delay within this of the window's longest collection pause is that pause. */
const GC_EXPLAINS_MS = 3;

/**
 * The event loop over each kind of read alone, beside the longest collection pause in the same
 * window: where a read's maximum is a pause, no handler held the loop that long.
 */
function readLoopsTable(e: ScaleSide, s: ScaleSide, f: Format): string[] {
  if (!e.readLoops || !s.readLoops) return [];
  const { n, table } = f;
  const kinds = Object.keys(s.readLoops).filter((kind) => e.readLoops?.[kind]);
  const cell = (loop: LoopDelay | undefined) =>
    loop ? `${n(loop.maxMs, 1)} / ${loop.gc ? n(loop.gc.maxMs, 1) : "–"} ms` : "–";
  const over = (loop: LoopDelay) => loop.maxMs > SCALE_GOALS.eventLoopMs;
  const isPause = (loop: LoopDelay) => loop.gc !== undefined && loop.maxMs <= loop.gc.maxMs + GC_EXPLAINS_MS;
  const verdict = (loop: LoopDelay | undefined) =>
    !loop ? "" : !over(loop) ? "under the bound" : isPause(loop) ? "a collection pause" : "**not a pause**";
  const sides = kinds
    .flatMap((kind) => [e.readLoops?.[kind], s.readLoops?.[kind]])
    .filter((x) => x !== undefined);
  const overs = sides.filter(over);
  return [
    "",
    `The server's event loop over each kind of read alone (its longest delay, and the longest V8 collection pause in the same window). Of the ${n(sides.length)} windows on both databases, ${n(overs.length)} went over ${SCALE_GOALS.eventLoopMs} ms, and ${n(overs.filter(isPause).length)} of those are within ${GC_EXPLAINS_MS} ms of a collection pause:`,
    "",
    table(
      ["read (loop max / longest pause)", "empty database", "seeded database", "seeded: what the maximum is"],
      kinds.map((kind) => [
        kind,
        cell(e.readLoops?.[kind]),
        cell(s.readLoops?.[kind]),
        verdict(s.readLoops?.[kind]),
      ]),
    ),
  ];
}

/** The console's pages under the dashboard bound, with any answer that was not a 200. */
function consolePagesTable(e: ScaleSide, s: ScaleSide, f: Format): string[] {
  if (!e.console || !s.console) return [];
  const { n, table, yes } = f;
  const rows = CONSOLE_PAGE_KEYS.map((key) => {
    const a = e.console?.[key];
    const b = s.console?.[key];
    if (!a || !b) return [key, "–", "–", "", ""];
    const failed = a.non200 + b.non200;
    return [
      `${consoleLabel(key)} (\`${b.path.replace(/\?.*$/, "")}\`)`,
      `${n(a.p50, 1)} / ${n(a.p99, 1)} ms`,
      `${n(b.p50, 1)} / ${n(b.p99, 1)} ms`,
      `≤ ${n(SCALE_GOALS.dashboardMs)} ms (p99)`,
      failed > 0 ? `**not met** (${n(failed)} answers not 200)` : yes(b.p99 <= SCALE_GOALS.dashboardMs),
    ];
  });
  return [
    "",
    `The operator console's pages, each read ${n(s.console.objects.n)} times with the bench's bearer (as the dashboard page), under the dashboard's bound; every answer must be a 200:`,
    "",
    table(["console page (p50 / p99)", "empty database", "seeded database", "bound", "met at scale"], rows),
  ];
}

const CONSOLE_LABELS: Record<(typeof CONSOLE_PAGE_KEYS)[number], string> = {
  objects: "objects browser, first page",
  objectsByState: "objects browser, `state=skipped`",
  objectsByReason: "objects browser, `reason=filtered`",
  searchAssetId: "objects browser, search by asset id",
  story: "an object's story (history, deliveries)",
  deadLetters: "dead letters",
  activity: "activity (the last day's charts)",
  runs: "a sync's runs",
  connections: "connections and syncs",
  sync: "a sync's page",
};

function consoleLabel(key: (typeof CONSOLE_PAGE_KEYS)[number]): string {
  return CONSOLE_LABELS[key];
}

/** The server's I/O per unit of work, and the SQLite hypotheses measured on both databases. */
function ioAndVariants(e: ScaleSide, s: ScaleSide, f: Format): string[] {
  const { n, table } = f;
  const io = (x: IoPerUnit | undefined) =>
    x
      ? `${n(x.readKiB, 1)} KiB in ${n(x.reads, 1)} reads; ${n(x.writeKiB, 1)} KiB in ${n(x.writes, 1)} writes`
      : "–";
  const out: string[] = [];
  if (e.webhookIo && s.webhookIo)
    out.push(
      "",
      "The server's system-call I/O (`/proc/self/io`: `rchar`/`syscr`, `wchar`/`syscw`; SQLite's page reads that miss its own cache, whether or not the OS cache holds them, and its WAL and socket writes):",
      "",
      table(
        ["per unit of work", "empty database", "seeded database"],
        [
          ["per webhook (measured rounds)", io(e.webhookIo), io(s.webhookIo)],
          [
            "ingest jobs enqueued per webhook (one per sync it concerns)",
            n(e.webhookWork?.ingestJobsPerWebhook ?? Number.NaN, 2),
            n(s.webhookWork?.ingestJobsPerWebhook ?? Number.NaN, 2),
          ],
          ["per asset of the burst", io(e.burstIo), io(s.burstIo)],
        ],
      ),
    );
  const variants = s.variants ?? [];
  if (variants.length > 0) {
    const base = (side: ScaleSide) => ({
      label: "as shipped (page cache 2 MiB, no mmap)",
      webhooksPerSecond: side.webhooksPerSecond,
      burstPerSecond: side.burst.perSecond,
      readKiB: side.webhookIo?.readKiB ?? Number.NaN,
    });
    const rows = [
      { e: base(e), s: base(s) },
      ...variants.map((v, i) => {
        const ev = e.variants?.[i];
        return {
          e: {
            label: v.label,
            webhooksPerSecond: ev?.webhooksPerSecond ?? Number.NaN,
            burstPerSecond: ev?.burstPerSecond ?? Number.NaN,
            readKiB: ev?.webhookIo.readKiB ?? Number.NaN,
          },
          s: {
            label: v.label,
            webhooksPerSecond: v.webhooksPerSecond,
            burstPerSecond: v.burstPerSecond,
            readKiB: v.webhookIo.readKiB,
          },
        };
      }),
    ];
    out.push(
      "",
      "**Hypotheses, measured.** The webhook rounds and a burst again on each database, each on a server restarted with one SQLite override (the benchmark's, not a setting of the service):",
      "",
      table(
        [
          "SQLite connection",
          "webhooks/s empty → seeded (share)",
          "KiB read per webhook empty → seeded",
          "burst assets/s empty → seeded (share)",
        ],
        rows.map((r) => [
          r.s.label,
          `${n(r.e.webhooksPerSecond)} → ${n(r.s.webhooksPerSecond)} (${n((r.s.webhooksPerSecond / r.e.webhooksPerSecond) * 100)} %)`,
          `${n(r.e.readKiB, 1)} → ${n(r.s.readKiB, 1)}`,
          `${n(r.e.burstPerSecond, 1)} → ${n(r.s.burstPerSecond, 1)} (${n((r.s.burstPerSecond / r.e.burstPerSecond) * 100)} %)`,
        ]),
      ),
    );
  }
  return out;
}

/** Microseconds per unit of work of each frame, seeded minus empty: what grows with the tables. */
function growth(empty: ProfiledWindow, seeded: ProfiledWindow, pick: (p: ProfiledWindow) => FrameShare[]) {
  const per = (p: ProfiledWindow) =>
    new Map(pick(p).map((share) => [share.frame, (share.ms * 1000) / Math.max(1, p.units)]));
  const a = per(empty);
  const b = per(seeded);
  return [...new Set([...a.keys(), ...b.keys()])]
    .map((frame) => ({ frame, empty: a.get(frame) ?? 0, seeded: b.get(frame) ?? 0 }))
    .map((row) => ({ ...row, grows: row.seeded - row.empty }))
    .sort((x, y) => y.grows - x.grows);
}

/** "What the profile shows": the busy CPU per unit of work on each database, and the frames that grow. */
function profileFindings(e: ScaleSide, s: ScaleSide, f: Format): string[] {
  if (!e.profiles || !s.profiles) return [];
  const { n, table } = f;
  const window = (name: "webhooks" | "burst", unit: string) => {
    const a = e.profiles?.[name];
    const b = s.profiles?.[name];
    if (!a || !b) return [];
    const busy = (p: ProfiledWindow) => (p.busyMs * 1000) / Math.max(1, p.units);
    const frames = growth(a, b, (p) => p.topSelf).slice(0, 6);
    const owners = growth(a, b, (p) => p.byOwner).slice(0, 4);
    return [
      "",
      `*${name === "webhooks" ? "During webhook load" : "During the burst"}.* ${b.how.replace(/^V8 CPU profiler \(200 µs sampling\) in the seeded database's server during /, "Profiled during ")} (and the same on the empty database): ${n(busy(a))} µs of busy CPU per ${unit} on the empty database, ${n(busy(b))} µs on the seeded one (${n((busy(b) / busy(a)) * 100)} %; profiler overhead included). Where it grows, by owner: ${owners.map((o) => `${o.frame.replace(/^\(native \/ V8 builtins\)$/, "native code (SQLite through better-sqlite3, V8 builtins)")} ${n(o.empty)} → ${n(o.seeded)} µs`).join("; ")}.`,
      "",
      table(
        [`self time, µs per ${unit}`, "empty", "seeded", "grows by"],
        frames.map((row) => [`\`${row.frame}\``, n(row.empty, 1), n(row.seeded, 1), n(row.grows, 1)]),
      ),
    ];
  };
  return [
    "",
    "### What the profile shows (scale server, both databases)",
    ...window("webhooks", "webhook"),
    ...window("burst", "asset"),
  ];
}
