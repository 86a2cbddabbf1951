/**
 * `mux-ingest status [--json]`: the syncs, their last runs and the objects by state and reason
 * (waiting ones say what for: an MP4 asked of Mux, or Mux on its own), read from the database (a
 * running `serve` need not be asked). The JSON form is the same
 * overview the dashboard renders.
 */
import { parseArgs } from "node:util";
import { parseEnv } from "../config/env";
import { describeError } from "../lib/errors";
import { openNode } from "../node/open-node";
import { type Overview, readOverview, waitingNote } from "../resources/overview";
import { cliLogOptions, usageError } from "./cli-options";
import { say, sayJson } from "./output";

export async function runStatus(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let json = false;
  try {
    json = Boolean(parseArgs({ args, options: { json: { type: "boolean" } }, strict: true }).values.json);
  } catch (err) {
    return usageError("status", describeError(err));
  }
  const config = parseEnv(env);
  const node = await openNode(config, cliLogOptions(env));
  try {
    const overview = await readOverview(node.deps);
    if (json) sayJson(overview);
    else say(formatOverview(overview));
    return 0;
  } finally {
    node.database.close();
  }
}

export function formatOverview(o: Overview): string {
  const lines: string[] = [];
  const { connections: closed, buckets: closedBuckets } = o.unopenable;
  if (closed.length > 0 || closedBuckets.length > 0) {
    const names = [...closed.map((c) => `connection ${c.id}`), ...closedBuckets.map((b) => `bucket ${b.id}`)];
    lines.push(`CANNOT OPEN (sealed under another ENCRYPTION_KEY): ${names.join(", ")}`, "");
  }
  lines.push("Connections");
  if (o.connections.length === 0) lines.push("  none");
  for (const c of o.connections) {
    const test = c.last_test
      ? `${c.last_test.success ? "ok" : "FAILED"} ${c.last_test.at ?? ""}: ${c.last_test.message ?? ""}`
      : "never tested";
    lines.push(
      `  ${c.id}  ${c.name}  token ${c.access_token_id}  secret ${c.access_token_secret ?? "-"}  last test ${test}`,
    );
  }
  lines.push("", "Syncs");
  if (o.syncs.length === 0) lines.push("  none");
  for (const s of o.syncs) {
    lines.push(
      `  ${s.id}  bucket ${s.bucket_name} (${s.bucket_id})  ${s.sync_mode}  ${s.status}${s.status_reason ? ` (${s.status_reason})` : ""}  next run ${s.next_run_at ?? "-"}`,
    );
    const r = s.last_run;
    if (r) {
      lines.push(
        `    last run ${r.id} ${r.kind} ${r.status} started ${r.started_at}  pages ${r.pages} · seen ${r.assets_seen} · enqueued ${r.enqueued} · repaired ${r.repaired} · rechecked ${r.rechecked} · errors ${r.errors}`,
      );
    } else lines.push("    no run yet");
  }
  lines.push("", "Objects");
  for (const b of o.buckets) {
    lines.push(`  ${b.name} (${b.id}): ${b.total} object(s)`);
    for (const r of b.by_reason) {
      const note = waitingNote(r.state, r.reason);
      lines.push(
        `    ${r.state.padEnd(22)} ${String(r.reason ?? "").padEnd(22)} ${String(r.count).padStart(6)}${note ? `  waiting for ${note}` : ""}`,
      );
    }
  }
  const q = o.queue;
  lines.push("", `Queue  pending ${q.pending} · running ${q.running} · done ${q.done} · dead ${q.dead}`);
  if (o.recent_failures.length > 0) {
    lines.push("", "Recent failures");
    for (const f of o.recent_failures)
      lines.push(`  ${f.asset_id} (${f.bucket_id}) ${f.reason ?? ""}: ${f.message ?? ""}`);
  }
  return lines.join("\n");
}
