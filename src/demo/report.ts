/** What the demo prints: a one-line progress display and the closing summary. */
import { REASON_HELP } from "./expectations";
import type { PipelineEvent } from "./pipeline-receiver";

export type DemoCounts = {
  library: number;
  byState: Array<{ state: string; reason: string | null; n: number }>;
  deliveries: number;
  forged: number;
  duplicates: number;
  webhooksSent: number;
  webhooksDropped: number;
  /** MP4s Mux made because the service asked (`create_renditions`). */
  createdOnDemand: number;
  passes: number;
  repaired: number;
  /** Assets the pipeline holds with captions or subtitles, and how many text tracks they have. */
  captioned: { assets: number; tracks: number };
  elapsedMs: number;
};

/** From each object's latest delivery (`{object_id}.v{version}`): those it holds with text tracks. */
export function captionedCounts(deliveries: ReadonlyMap<string, PipelineEvent>): DemoCounts["captioned"] {
  const latest = new Map<string, { version: number; event: PipelineEvent }>();
  for (const [id, event] of deliveries) {
    const version = Number(id.slice(id.lastIndexOf(".v") + 2));
    const held = latest.get(event.data.object_id);
    if (!held || version > held.version) latest.set(event.data.object_id, { version, event });
  }
  let assets = 0;
  let tracks = 0;
  for (const { event } of latest.values()) {
    if (event.type === "object.deleted") continue;
    const text = (event.data.tracks ?? []).filter((t) => t.type === "text").length;
    if (text > 0) assets++;
    tracks += text;
  }
  return { assets, tracks };
}

function total(counts: DemoCounts, state?: string): number {
  return counts.byState.filter((r) => state === undefined || r.state === state).reduce((n, r) => n + r.n, 0);
}

export function renderProgress(counts: DemoCounts): string {
  const waiting =
    total(counts, "waiting_for_asset") + total(counts, "waiting_for_rendition") + total(counts, "ready");
  return [
    `discovered ${total(counts)}/${counts.library}`,
    `delivered ${total(counts, "delivered")}`,
    `skipped ${total(counts, "skipped")}`,
    `in progress ${waiting}`,
    `failed ${total(counts, "failed")}`,
    `${(counts.elapsedMs / 1000).toFixed(1)} s`,
  ].join(" · ");
}

export type SummaryContext = {
  seed: number;
  live: number;
  ok: boolean;
  mismatches: string[];
  database: string;
  log: string;
  dashboard: string | null;
  adminToken: string | null;
};

export function renderSummary(counts: DemoCounts, context: SummaryContext): string {
  const row = (label: string, value: number | string, note = "") =>
    `  ${label.padEnd(26)} ${String(value).padStart(5)}${note ? `   ${note}` : ""}`;
  const skipped = counts.byState.filter((r) => r.state === "skipped").sort((a, b) => b.n - a.n);
  const lines = [
    "",
    `mux-ingest demo: ${counts.library} assets in a fake Mux library (seed ${context.seed}), ${context.live} created live`,
    "",
    row("discovered", total(counts)),
    row(
      "delivered to the pipeline",
      total(counts, "delivered"),
      `${counts.deliveries} signed deliveries verified, ${counts.forged} forged, ${counts.duplicates} duplicates`,
    ),
    row(
      "  with captions",
      counts.captioned.assets,
      `${counts.captioned.tracks} text tracks handed over (WebVTT, and a transcript of generated captions)`,
    ),
    row(
      "MP4s created on demand",
      counts.createdOnDemand,
      "create_renditions: highest, for assets that had none",
    ),
    row("skipped", total(counts, "skipped")),
    ...skipped.map((r) => row(`  ${r.reason ?? "unknown"}`, r.n, REASON_HELP[r.reason ?? ""] ?? "")),
    row("failed", total(counts, "failed")),
    row(
      "still in progress",
      total(counts, "waiting_for_asset") + total(counts, "waiting_for_rendition") + total(counts, "ready"),
    ),
    "",
    `  webhooks sent by Mux: ${counts.webhooksSent} (${counts.webhooksDropped} dropped) · reconciliation passes: ${counts.passes} · repaired: ${counts.repaired}`,
    `  time: ${(counts.elapsedMs / 1000).toFixed(1)} s`,
    "",
  ];
  if (context.dashboard) {
    lines.push(
      `  dashboard: ${context.dashboard}  (admin token: ${context.adminToken})`,
      `  database:  ${context.database}`,
      `  log:       ${context.log}`,
      "  Press Ctrl-C to stop.",
    );
  } else {
    lines.push("  Run `npm run demo -- --keep` to keep everything running and explore the dashboard.");
  }
  if (context.ok) {
    lines.push(
      "",
      "OK: every eligible asset reached the pipeline and every other one carries its reason.",
      "",
    );
  } else {
    lines.push(
      "",
      "NOT DONE: these assets did not end where they should:",
      ...context.mismatches.slice(0, 20).map((m) => `  - ${m}`),
    );
    if (context.mismatches.length > 20) lines.push(`  … and ${context.mismatches.length - 20} more`);
    lines.push(`  See the log: ${context.log}`, "");
  }
  return lines.join("\n");
}
