/**
 * The Mux REST subset: `/video/v1/assets` (list, retrieve, create, update, delete, static
 * renditions, mp4 support) and `/system/v1/whoami`, behind latency, Basic auth, permissions,
 * the GET and POST rate limits and injected 5xx, in that order. A token sees its own environment only:
 * another environment's asset ids are 404s. Every call is counted by route and status.
 */
import { Hono } from "hono";
import { restAssetView } from "../asset-view";
import type { FakeMuxCore } from "../core";
import { decodeCursor } from "../listing";
import {
  forbidden,
  injectedServerError,
  invalidParameters,
  notFound,
  tooManyRequests,
  unauthorized,
} from "../mux-errors";
import { SpecError } from "../spec-error";
import { recordCall, recordRenditionCall } from "../stats";
import type { AccessToken } from "../types";
import type { FakeMuxWorld } from "../world";
import {
  parseCreateAssetBody,
  parseMp4SupportBody,
  parsePatchBody,
  parseStaticRenditionBody,
} from "./api-bodies";

export type Sleep = (ms: number) => Promise<void>;

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

/** A stable name per route for the counters (ids folded into `:id`). */
export function routeLabel(method: string, path: string): string {
  const shape = path
    .replace(/^\/video\/v1\/assets\/[^/]+\/static-renditions(\/[^/]+)?$/, (_m, one: string | undefined) =>
      one ? "/video/v1/assets/:id/static-renditions/:rendition_id" : "/video/v1/assets/:id/static-renditions",
    )
    .replace(/^\/video\/v1\/assets\/[^/]+\/mp4-support$/, "/video/v1/assets/:id/mp4-support")
    .replace(/^\/video\/v1\/assets\/[^/]+$/, "/video/v1/assets/:id");
  const known = [
    "/video/v1/assets",
    "/video/v1/assets/:id",
    "/video/v1/assets/:id/mp4-support",
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

type Env = { Variables: { env: FakeMuxCore; token: AccessToken } };

/** A write's refusal (`SpecError`) as Mux's 400; anything else is a bug. */
function refused(err: unknown): Response {
  if (err instanceof SpecError) return invalidParameters(err.message);
  throw err;
}

export function apiRoutes(world: FakeMuxWorld, sleep: Sleep): Hono<Env> {
  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    const { method, path } = c.req;
    const label = routeLabel(method, path);
    const latency = world.faults.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    const auth = world.authenticate(c.req.header("authorization"));
    if (!auth) {
      recordCall(world.stats, label, 401);
      return unauthorized();
    }
    const early = guard(auth.env, auth.token, method, path);
    const envId = auth.env.environment.id;
    if (early) {
      recordCall(world.stats, label, early.status, envId);
      return early;
    }
    c.set("env", auth.env);
    c.set("token", auth.token);
    world.catchUp();
    await next();
    recordCall(world.stats, label, c.res.status, envId);
  });

  function guard(env: FakeMuxCore, token: AccessToken, method: string, path: string): Response | null {
    if (!permitted(token, method, path)) return forbidden();
    // GETs and POSTs each have their bucket (Mux: 5 GET/s and 1 POST/s sustained).
    const limiter = method === "GET" ? env.limiter : method === "POST" ? env.writeLimiter : null;
    const decision = limiter?.take();
    if (decision && !decision.allowed) return tooManyRequests(decision.retryAfterSeconds);
    if (world.injectFault()) {
      world.stats.injectedErrors++;
      return injectedServerError(500);
    }
    return null;
  }

  app.get("/video/v1/assets", (c) => {
    const env = c.get("env");
    const limitParam = c.req.query("limit");
    const limit = limitParam === undefined ? DEFAULT_LIMIT : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return invalidParameters(`limit must be an integer between 1 and ${MAX_LIMIT}`);
    }
    const cursorParam = c.req.query("cursor");
    const cursor = cursorParam ? decodeCursor(cursorParam) : null;
    if (cursorParam && !cursor) return invalidParameters("Invalid cursor");
    const pageParam = c.req.query("page");
    const pageNumber = pageParam === undefined ? 1 : Number(pageParam);
    if (!Number.isInteger(pageNumber) || pageNumber < 1)
      return invalidParameters("page must be a positive integer");
    const page = env.store.page(env.listing, limit, cursor, cursor ? 0 : (pageNumber - 1) * limit);
    return c.json({ data: page.items.map(restAssetView), next_cursor: page.nextCursor });
  });

  app.post("/video/v1/assets", async (c) => {
    const parsed = parseCreateAssetBody(await c.req.json().catch(() => null));
    if (typeof parsed === "string") return invalidParameters(parsed);
    try {
      return c.json({ data: c.get("env").createAsset(parsed) }, 201);
    } catch (err) {
      return refused(err);
    }
  });

  app.get("/video/v1/assets/:id", (c) => {
    const asset = c.get("env").getAsset(c.req.param("id"));
    return asset ? c.json({ data: asset }) : notFound();
  });

  app.patch("/video/v1/assets/:id", async (c) => {
    const patch = parsePatchBody(await c.req.json().catch(() => null));
    if (typeof patch === "string") return invalidParameters(patch);
    const asset = c.get("env").updateAsset(c.req.param("id"), patch);
    return asset ? c.json({ data: asset }) : notFound();
  });

  app.delete("/video/v1/assets/:id", (c) =>
    c.get("env").deleteAsset(c.req.param("id")) ? c.body(null, 204) : notFound(),
  );

  app.post("/video/v1/assets/:id/static-renditions", async (c) => {
    const body = parseStaticRenditionBody(await c.req.json().catch(() => null));
    if (body === null) return invalidParameters("resolution is invalid");
    const assetId = c.req.param("id");
    const env = c.get("env");
    if (env.getAsset(assetId)) recordRenditionCall(world.stats, "creates", assetId, body.resolution);
    try {
      const created = env.addStaticRendition(assetId, body.resolution, body.passthrough);
      return created ? c.json({ data: created }, 201) : notFound();
    } catch (err) {
      return refused(err);
    }
  });

  app.delete("/video/v1/assets/:id/static-renditions/:renditionId", (c) => {
    const env = c.get("env");
    const assetId = c.req.param("id");
    // Over REST a rendition is named by its id only.
    const deleted = env.deleteStaticRendition(assetId, c.req.param("renditionId"), false);
    if (!deleted) return notFound();
    recordRenditionCall(world.stats, "deletes", assetId, deleted.resolution ?? deleted.name);
    return c.body(null, 204);
  });

  app.put("/video/v1/assets/:id/mp4-support", async (c) => {
    const value = parseMp4SupportBody(await c.req.json().catch(() => null));
    if (value === null) return invalidParameters("mp4_support is invalid");
    try {
      const asset = c.get("env").setMp4Support(c.req.param("id"), value);
      return asset ? c.json({ data: asset }) : notFound();
    } catch (err) {
      return refused(err);
    }
  });

  app.get("/system/v1/whoami", (c) => {
    const token = c.get("token");
    const env = c.get("env");
    return c.json({
      data: {
        access_token_name: token.name ?? "fake-mux token",
        environment_id: env.environment.id,
        environment_name: env.environment.name,
        environment_type: "development",
        organization_id: "fakeorg",
        organization_name: "Fake Mux Organization",
        permissions: token.permissions ?? [],
      },
    });
  });

  app.notFound(() => notFound());
  return app;
}
