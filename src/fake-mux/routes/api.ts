/**
 * The Mux REST subset: `/video/v1/assets` (list, retrieve, create, update, delete, static
 * renditions) and `/system/v1/whoami`, behind Basic auth, permissions, the GET rate limit,
 * injected 5xx and latency, in that order. Every call is counted by route and status.
 */
import { Hono } from "hono";
import { decodeCursor } from "../asset-store";
import { restAssetView } from "../asset-view";
import type { FakeMuxCore } from "../core";
import { SpecError } from "../core";
import {
  forbidden,
  injectedServerError,
  invalidParameters,
  notFound,
  tooManyRequests,
  unauthorized,
} from "../mux-errors";
import { recordCall } from "../stats";
import type { AccessToken } from "../types";
import { parseCreateAssetBody, parsePatchBody, parseStaticRenditionBody } from "./api-bodies";

export type Sleep = (ms: number) => Promise<void>;

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

/** A stable name per route for the counters (ids folded into `:id`). */
export function routeLabel(method: string, path: string): string {
  const shape = path
    .replace(/^\/video\/v1\/assets\/[^/]+\/static-renditions(\/[^/]+)?$/, (_m, one: string | undefined) =>
      one ? "/video/v1/assets/:id/static-renditions/:rendition_id" : "/video/v1/assets/:id/static-renditions",
    )
    .replace(/^\/video\/v1\/assets\/[^/]+$/, "/video/v1/assets/:id");
  const known = [
    "/video/v1/assets",
    "/video/v1/assets/:id",
    "/video/v1/assets/:id/static-renditions",
    "/video/v1/assets/:id/static-renditions/:rendition_id",
    "/system/v1/whoami",
  ];
  return `${method} ${known.includes(shape) ? shape : "(unknown)"}`;
}

function permitted(token: AccessToken, method: string, path: string): boolean {
  if (!path.startsWith("/video/")) return true; // whoami answers any valid token
  const needed = method === "GET" || method === "HEAD" ? "video:read" : "video:write";
  return (token.permissions ?? []).includes(needed);
}

export function apiRoutes(core: FakeMuxCore, sleep: Sleep): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    const { method, path } = c.req;
    const label = routeLabel(method, path);
    const early = await guard(c.req.header("authorization"), method, path);
    if (early) {
      recordCall(core.stats, label, early.status);
      return early;
    }
    core.catchUp();
    await next();
    recordCall(core.stats, label, c.res.status);
  });

  async function guard(
    authorization: string | undefined,
    method: string,
    path: string,
  ): Promise<Response | null> {
    const latency = core.faults.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    const token = core.authenticate(authorization);
    if (!token) return unauthorized();
    if (!permitted(token, method, path)) return forbidden();
    if (method === "GET") {
      const decision = core.limiter.take();
      if (!decision.allowed) return tooManyRequests(decision.retryAfterSeconds);
    }
    if (core.injectFault()) {
      core.stats.injectedErrors++;
      return injectedServerError(500);
    }
    return null;
  }

  app.get("/video/v1/assets", (c) => {
    const limitParam = c.req.query("limit");
    const limit = limitParam === undefined ? DEFAULT_LIMIT : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return invalidParameters(`limit must be an integer between 1 and ${MAX_LIMIT}`);
    }
    const cursorParam = c.req.query("cursor");
    const after = cursorParam ? decodeCursor(cursorParam) : null;
    if (cursorParam && !after) return invalidParameters("Invalid cursor");
    const pageParam = c.req.query("page");
    const pageNumber = pageParam === undefined ? 1 : Number(pageParam);
    if (!Number.isInteger(pageNumber) || pageNumber < 1)
      return invalidParameters("page must be a positive integer");
    const page = core.store.page(limit, after, after ? 0 : (pageNumber - 1) * limit);
    return c.json({ data: page.items.map(restAssetView), next_cursor: page.nextCursor });
  });

  app.post("/video/v1/assets", async (c) => {
    const parsed = parseCreateAssetBody(await c.req.json().catch(() => null));
    if (typeof parsed === "string") return invalidParameters(parsed);
    try {
      return c.json({ data: core.createAsset(parsed) }, 201);
    } catch (err) {
      if (err instanceof SpecError) return invalidParameters(err.message);
      throw err;
    }
  });

  app.get("/video/v1/assets/:id", (c) => {
    const asset = core.getAsset(c.req.param("id"));
    return asset ? c.json({ data: asset }) : notFound();
  });

  app.patch("/video/v1/assets/:id", async (c) => {
    const patch = parsePatchBody(await c.req.json().catch(() => null));
    if (typeof patch === "string") return invalidParameters(patch);
    const asset = core.updateAsset(c.req.param("id"), patch);
    return asset ? c.json({ data: asset }) : notFound();
  });

  app.delete("/video/v1/assets/:id", (c) =>
    core.deleteAsset(c.req.param("id")) ? c.body(null, 204) : notFound(),
  );

  app.post("/video/v1/assets/:id/static-renditions", async (c) => {
    const resolution = parseStaticRenditionBody(await c.req.json().catch(() => null));
    if (resolution === null) return invalidParameters("resolution is invalid");
    try {
      const created = core.addStaticRendition(c.req.param("id"), resolution);
      return created ? c.json({ data: created }, 201) : notFound();
    } catch (err) {
      if (err instanceof SpecError) return invalidParameters(err.message);
      throw err;
    }
  });

  app.get("/system/v1/whoami", (c) => {
    const token = core.authenticate(c.req.header("authorization"));
    return c.json({
      data: {
        access_token_name: token?.name ?? "fake-mux token",
        environment_id: core.environment.id,
        environment_name: core.environment.name,
        environment_type: "development",
        organization_id: "fakeorg",
        organization_name: "Fake Mux Organization",
        permissions: token?.permissions ?? [],
      },
    });
  });

  app.notFound(() => notFound());
  return app;
}
