/**
 * The console's pages about where objects come from: the connections with their syncs, a sync's
 * page and its runs, and their actions. Pages go through `consolePage` (the overview's access,
 * fixed 404 and 400 pages); actions through `formAction`, back to the page they were made on,
 * built from the form's ids once checked.
 */
import { Hono } from "hono";
import { z } from "zod";
import { pageRuns } from "../../resources/sync-runs";
import type { HttpEnv } from "../context";
import { consolePage, optional, parseQuery } from "./console-routes";
import { RunsPage } from "./runs-page";

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

  return routes;
}
