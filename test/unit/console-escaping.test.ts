/**
 * Everything the console shows that came from Mux or a pipeline (titles, passthrough, external
 * ids, messages, errors, event types, file names, environment names) comes out of each page as
 * text: for any string, hostile ones included, the rendered HTML holds it escaped and never raw,
 * and the only tags and attributes in the page are the ones the page itself writes.
 */
import fc from "fast-check";
import { jsx } from "hono/jsx";
import { describe, expect, it } from "vitest";
import { ConnectionsPage } from "../../src/http/dashboard/connections-page";
import { DeadLettersPage } from "../../src/http/dashboard/dead-letters-page";
import { ObjectPage } from "../../src/http/dashboard/object-page";
import { ObjectsPage } from "../../src/http/dashboard/objects-page";
import { RunsPage } from "../../src/http/dashboard/runs-page";
import { SyncPage } from "../../src/http/dashboard/sync-page";
import type { ObjectBrowsePage } from "../../src/resources/object-browser";
import type { MuxRenditions } from "../../src/resources/object-in-mux";
import type { ObjectStory } from "../../src/resources/object-story";
import type { ConsoleSync } from "../../src/resources/sync-console";
import type { RunPageView } from "../../src/resources/sync-runs";
import type { ConnectionView, DeadLetterPage, ObjectView } from "../../src/resources/views";
import { escapedHtml } from "../helpers/html-escape";

const NOW = "2026-01-01T00:00:00.000Z";

const hostile = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</td></tr></table><h1>injected</h1>",
    "javascript:alert(1)",
    "&lt;already escaped&gt; &amp;",
    "<!-- comment -->",
    "\u202e\u0000\u001b[31mred",
  ),
);

const TAGS = new Set(
  "html head meta title link body a header p nav ul ol li search form label input button main h1 h2 section span strong div dl dt dd code table caption thead tbody tr th td select option time br".split(
    " ",
  ),
);
const ATTRIBUTES = new Set(
  "lang charset name content rel href class id aria-label aria-labelledby aria-current role data-testid method action for type placeholder maxlength required value selected scope datetime title reversed".split(
    " ",
  ),
);

/** Marks a value so each place it lands in the page can be found and compared. */
const marked = (values: readonly string[]) =>
  values.map((value, i) => `\u27e6${i}\u27e7${value}\u27e6/${i}\u27e7`);

/** Renders synchronously (the pages are plain components). */
function render(node: { toString(): string | Promise<string> }): string {
  const html = node.toString();
  if (typeof html !== "string") throw new Error("the page rendered asynchronously");
  return html;
}

/**
 * Every place a marked value lands holds it escaped exactly, each value lands somewhere, and the
 * only tags and attributes in the page are the ones it writes itself.
 */
function expectEscaped(html: string, values: readonly string[], expected: readonly number[]) {
  for (const i of expected) {
    const value = values[i] ?? "";
    const found = [...html.matchAll(new RegExp(`\u27e6${i}\u27e7([\\s\\S]*?)\u27e6/${i}\u27e7`, "g"))].map(
      (m) => m[1],
    );
    expect(found.length, `value ${i} shown`).toBeGreaterThan(0);
    for (const shown of found) expect(shown, `value ${i}`).toBe(escapedHtml(value));
  }
  for (const [, tag, attributes] of html.matchAll(/<\/?([a-zA-Z0-9]+)([^>]*)>/g)) {
    expect(TAGS.has((tag ?? "").toLowerCase()), `tag <${tag}>`).toBe(true);
    for (const [, name] of (attributes ?? "").matchAll(/\s([a-zA-Z-]+)(?:="[^"]*")?/g))
      expect(ATTRIBUTES.has(name ?? ""), `attribute ${name} on <${tag}>`).toBe(true);
  }
}

function objectView(texts: string[]): ObjectView {
  const [title = "", passthrough = "", externalId = "", message = ""] = texts;
  return {
    id: "obj_1",
    bucket_id: "bkt_default",
    sync_id: "syn_default",
    asset_id: "asset1",
    state: "failed",
    reason: "delivery_failed",
    message,
    playback_id: "pb1",
    playback_policy: "public",
    rendition: {
      name: "low.mp4",
      url: "https://stream.mux.com/pb1/low.mp4",
      width: 1,
      height: 1,
      bitrate: 1,
      filesize: 1,
    },
    metadata: {
      title,
      passthrough,
      external_id: externalId,
      creator_id: message,
      duration: 1,
      aspect_ratio: title,
      resolution_tier: null,
      created_at: null,
    },
    tracks: [
      {
        id: "trk1",
        type: "text",
        text_type: "subtitles",
        language_code: texts[5] ?? "",
        name: texts[6] ?? "",
        closed_captions: false,
        text_source: "generated_vod",
      },
      { id: "trk2", type: "audio", language_code: null, name: texts[7] ?? "", primary: true },
    ],
    wait_for_since: null,
    wait_for_expired_at: null,
    version: 3,
    discovered_via: "webhook",
    pending_deletion_at: NOW,
    state_changed_at: NOW,
    created_at: NOW,
    updated_at: NOW,
  };
}

const texts = fc.array(hostile, { minLength: 8, maxLength: 8 });

describe("the console escapes what came from Mux", () => {
  it("on the objects browser", () => {
    fc.assert(
      fc.property(texts, (raw) => {
        const values = marked(raw);
        const page: ObjectBrowsePage = {
          bucket: { id: "bkt_default", name: values[4] ?? "" },
          counts: {
            total: 1,
            by_state: { failed: 1 },
            by_reason: [{ state: "failed", reason: "delivery_failed", count: 1 }],
          },
          data: [objectView(values)],
          next_cursor: "abc",
          has_more: true,
        };
        const html = render(
          jsx(ObjectsPage, {
            page,
            query: { search: { field: "title", term: values[5] ?? "" }, limit: 50 },
            buckets: [
              { id: "bkt_default", name: values[4] ?? "" },
              { id: "bkt_2", name: values[6] ?? "" },
            ],
            csrf: "c".repeat(64),
            notice: null,
            now: NOW,
          }),
        );
        expectEscaped(html, raw, [0, 3, 4, 5, 6]);
      }),
      { numRuns: 150 },
    );
  });

  it("on an object's story, with Mux's renditions read", () => {
    fc.assert(
      fc.property(texts, (raw) => {
        const values = marked(raw);
        const [
          title = "",
          passthrough = "",
          externalId = "",
          message = "",
          error = "",
          type = "",
          env = "",
          note = "",
        ] = values;
        const story: ObjectStory = {
          object: objectView(values),
          bucket: { id: "bkt_default", name: note, pipeline_url: null },
          sync: {
            id: "syn_default",
            status: "suspended",
            suspension: "failing",
            status_reason: error,
            connection_id: "con_1",
            create_renditions: ["highest"],
          },
          environment: { id: "env1", name: env },
          meaning: { state: "Failed.", reason: { what: "What.", fix: "Fix." } },
          download_candidates: [{ name: "low.mp4", width: 1, height: 1, bitrate: 1, filesize: 1 }],
          jobs: [
            {
              id: "job_1",
              type: "deliver",
              key: "deliver:obj_1",
              status: "dead",
              attempts: 1,
              max_attempts: 1,
              available_at: NOW,
              last_error: error,
              payload: {},
              created_at: NOW,
              updated_at: NOW,
              finished_at: NOW,
            },
          ],
          passes: [
            {
              id: "run_1",
              sync_id: "syn_default",
              kind: "full",
              status: "failed",
              started_at: NOW,
              finished_at: NOW,
              pages: 1,
              api_calls: 1,
              assets_seen: 1,
              enqueued: 1,
              repaired: 0,
              rechecked: 0,
              errors: 1,
              order_violation: false,
              message: error,
              roles: ["listed", "queued", "changed"],
            },
          ],
          timeline: [
            { kind: "state", at: NOW, state: "failed", reason: "delivery_failed", message, run_id: "run_1" },
            {
              kind: "webhook",
              at: NOW,
              event_id: externalId,
              type,
              outcome: "enqueued",
              connection_id: "con_1",
            },
            {
              kind: "delivery",
              at: NOW,
              id: "obj_1.v3",
              type: "object.ready",
              reason: null,
              version: 3,
              status: "failed",
              attempts: 2,
              last_status: 500,
              last_error: error,
              delivered_at: null,
              attempt_history: [
                { attempt: 2, at: NOW, status: null, error: message },
                { attempt: 1, at: NOW, status: 500, error },
              ],
            },
          ],
          older_cursor: "abc",
          actions: { retry: true, redeliver: true, create_mp4: true },
        };
        const mux: MuxRenditions = {
          ok: true,
          asset_status: type,
          aggregate_status: note,
          mp4_support: passthrough,
          files: [
            {
              name: "low.mp4",
              status: note,
              resolution: title,
              width: null,
              height: null,
              filesize: null,
              order: 1,
            },
          ],
          note,
        };
        const html = render(
          jsx(ObjectPage, {
            story,
            mux,
            cursor: "abc",
            csrf: "c".repeat(64),
            notice: null,
            now: NOW,
          }),
        );
        expectEscaped(html, raw, [0, 1, 2, 3, 4, 5, 6, 7]);
        const failed = render(
          jsx(ObjectPage, {
            story,
            mux: { ok: false, message: error },
            cursor: undefined,
            csrf: "",
            notice: null,
            now: NOW,
          }),
        );
        expectEscaped(failed, raw, [4]);
      }),
      { numRuns: 150 },
    );
  });

  it("on the dead letters page", () => {
    fc.assert(
      fc.property(texts, (raw) => {
        const values = marked(raw);
        const [error = "", filter = ""] = values;
        const page: DeadLetterPage = {
          data: [
            {
              id: "job_1",
              type: "deliver",
              key: "deliver:obj_1",
              attempts: 8,
              max_attempts: 8,
              last_error: error,
              payload: {},
              died_at: NOW,
              created_at: NOW,
              updated_at: NOW,
              finished_at: NOW,
              sync_id: "syn_default",
              bucket_id: "bkt_default",
              object: { id: "obj_1", asset_id: "asset1", state: "failed", reason: "delivery_failed" },
            },
          ],
          next_cursor: "abc",
          has_more: true,
        };
        const html = render(
          jsx(DeadLettersPage, {
            page,
            filter: { error: filter, sync_id: values[2] ?? "" },
            cursor: "abc",
            buckets: [{ id: "bkt_default", name: values[3] ?? "" }],
            csrf: "c".repeat(64),
            notice: null,
            now: NOW,
          }),
        );
        expectEscaped(html, raw, [0, 1, 2, 3]);
      }),
      { numRuns: 150 },
    );
  });

  it("on the connections page, a sync's page and its runs page", () => {
    fc.assert(
      fc.property(texts, (raw) => {
        const values = marked(raw);
        const [envName = "", testMessage = "", connectionName = "", statusReason = ""] = values;
        const [runMessage = "", sourcePath = "", bucketName = "", filterValue = ""] = values.slice(4);
        const connection: ConnectionView = {
          id: "con_default",
          name: connectionName,
          provider: "mux",
          access_token_id: "tok",
          access_token_secret: "****",
          webhook_secrets: [],
          signing_key_id: null,
          signing_private_key: null,
          origin: "env",
          environment: { id: "env1", name: envName },
          last_test: { success: false, message: testMessage, at: NOW },
          sync_ids: ["syn_default"],
          created_at: NOW,
          updated_at: NOW,
        };
        const run: RunPageView = {
          id: "run_1",
          sync_id: "syn_default",
          kind: "scheduled",
          status: "failed",
          started_at: NOW,
          finished_at: NOW,
          pages: 1,
          api_calls: 1,
          assets_seen: 1,
          enqueued: 1,
          repaired: 1,
          rechecked: 1,
          errors: 1,
          order_violation: true,
          message: runMessage,
          duration_ms: 10,
        };
        const sync: ConsoleSync = {
          id: "syn_default",
          bucket_id: "bkt_default",
          connection_id: "con_default",
          source_path: sourcePath,
          sync_mode: "continuous",
          polling_interval_seconds: 300,
          file_filters: { title_prefix: filterValue },
          rendition_preference: null,
          create_renditions: [],
          remove_created_renditions: false,
          wait_for: [],
          wait_for_grace_seconds: 3600,
          status: "suspended",
          suspension: "environment_changed",
          status_reason: statusReason,
          origin: "env",
          next_run_at: NOW,
          last_run: run,
          created_at: NOW,
          updated_at: NOW,
          bucket_name: bucketName,
          health: { ok: false, text: "suspended" },
        };
        const common = { csrf: "c".repeat(64), notice: null, now: NOW };
        const connections = render(
          jsx(ConnectionsPage, {
            view: { connections: [{ ...connection, health: { ok: true, text: "healthy" }, syncs: [sync] }] },
            ...common,
          }),
        );
        expectEscaped(connections, raw, [0, 1, 2, 3, 5, 6]);
        const syncPage = render(
          jsx(SyncPage, {
            view: {
              sync,
              connection,
              runs: [run],
              more_runs: false,
              counts: { total: 1, by_state: { failed: 1 }, by_reason: [] },
              bucket_shared: false,
            },
            ...common,
          }),
        );
        expectEscaped(syncPage, raw, [0, 1, 2, 3, 4, 5, 6]);
        // The filters are shown as their JSON: the value lands in it JSON-encoded, then escaped.
        expect(syncPage).toContain(escapedHtml(JSON.stringify({ title_prefix: filterValue })));
        const runs = render(
          jsx(RunsPage, {
            bucketId: "bkt_default",
            syncId: "syn_default",
            page: { data: [run], next_cursor: "abc", has_more: true },
            cursor: "abc",
            ...common,
          }),
        );
        expectEscaped(runs, raw, [4]);
      }),
      { numRuns: 100 },
    );
  });
});
