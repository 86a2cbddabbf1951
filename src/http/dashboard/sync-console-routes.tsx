/**
 * The console's pages about where objects come from and how they flow: the connections with
 * their syncs, a sync's page and its runs, their actions, and the activity charts. Pages go through `consolePage` (the overview's access,
 * fixed 404 and 400 pages); actions through `formAction`, back to the page they were made on,
 * built from the form's ids once checked.
 */
import { Hono } from "hono";
import { z } from "zod";
import { readActivity } from "../../resources/activity";
import { testConnection } from "../../resources/connection-test";
import { findConnection } from "../../resources/connections";
import { readConnectionsConsole, readSyncConsole } from "../../resources/sync-console";
import { pageRuns } from "../../resources/sync-runs";
import type { HttpEnv } from "../context";
import { ActivityPage } from "./activity-page";
import { ConnectionsPage } from "./connections-page";
import { CONSOLE_PATHS } from "./console-layout";
import { consolePage, optional, parseQuery } from "./console-routes";
import { actionPageOf, formAction } from "./routes";
import { RunsPage } from "./runs-page";
import { SyncPage } from "./sync-page";

export const RUNS_PAGE_SIZE = 50;

export function createSyncConsoleRoutes() {
  const routes = new Hono<HttpEnv>();

  routes.get("/dashboard/buckets/:bucketId/syncs/:syncId/runs", (c) =>
    consolePage(c, async (page) => {
      const ref = { bucketId: c.req.param("bucketId"), syncId: c.req.param("syncId") };
      const { cursor } = parseQuery(z.object({ cursor: optional(2_000) }), c.req.query());
      const runs = await pageRuns(c.var.deps, {
        ...ref,
        limit: RUNS_PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      return <RunsPage {...ref} page={runs} cursor={cursor} {...page} />;
    }),
  );

  routes.get(CONSOLE_PATHS.activity, (c) =>
    consolePage(c, async (page) => (
      <ActivityPage view={await readActivity(c.var.deps)} csrf={page.csrf} notice={page.notice} />
    )),
  );

  routes.get(CONSOLE_PATHS.connections, (c) =>
    consolePage(c, async (page) => (
      <ConnectionsPage view={await readConnectionsConsole(c.var.deps)} {...page} />
    )),
  );

  routes.get("/dashboard/buckets/:bucketId/syncs/:syncId", (c) =>
    consolePage(c, async (page) => {
      const ref = { bucketId: c.req.param("bucketId"), syncId: c.req.param("syncId") };
      return <SyncPage view={await readSyncConsole(c.var.deps, ref)} {...page} />;
    }),
  );

  routes.post("/dashboard/connection-test", (c) =>
    formAction(
      c,
      "test",
      async (form) => {
        const connection = await findConnection(c.var.deps, form.get("connection_id"));
        const result = await testConnection(c.var.deps, { id: connection.id });
        return result.success ? "connection_test_passed" : "connection_test_failed";
      },
      actionPageOf,
    ),
  );

  return routes;
}
