/**
 * The control API under `/_fake`: what a test, the demo or a person with curl uses to shape the
 * fake. JSON in, JSON out; unauthenticated, since the fake only listens on loopback. Routes about
 * one environment (assets, events, library, webhook URL, tokens, listing) act on the first
 * environment, or on the one named by `?environment=<id>`; the rest act on the whole fake.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { ASSET_EVENT_TYPES, RENDITION_EVENT_TYPES, TRACK_EVENT_TYPES } from "../../mux/events";
import type { FakeMuxCore } from "../core";
import { SpecError } from "../spec-error";
import { snapshotStats } from "../stats";
import type { AssetSpec } from "../types";
import type { FakeMuxWorld } from "../world";
import { mp4SupportSchema, resolutionSchema } from "./api-bodies";
import {
  assetSpecSchema,
  environmentSchema,
  faultsSchema,
  listingSchema,
  textTrackSpecSchema,
  tokenSchema,
} from "./control-schemas";

const badRequest = (message: string): Response =>
  Response.json({ error: { type: "invalid_parameters", messages: [message] } }, { status: 400 });

const notFound = (what = "asset"): Response =>
  Response.json(
    { error: { type: "not_found", messages: [`No such ${what} in the fake.`] } },
    { status: 404 },
  );

async function parse<T>(request: Request, schema: z.ZodType<T>): Promise<T | Response> {
  // An empty body means "no fields"; a JSON `null` is kept (it lifts the rate limit).
  const body: unknown = await request.json().catch(() => ({}));
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return badRequest(issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid body");
}

/** Maps a `SpecError` (a bad request to the fake) to a 400; anything else is a bug. */
function asBadRequest(err: unknown): Response {
  if (err instanceof SpecError) return badRequest(err.message);
  throw err;
}

/** Runs `body` and turns a refusal into a 400 and an unknown asset (`undefined`) into a 404. */
function attempt(body: () => Response | undefined): Response {
  try {
    return body() ?? notFound();
  } catch (err) {
    return asBadRequest(err);
  }
}

function describeEnvironment(env: FakeMuxCore) {
  return {
    id: env.environment.id,
    name: env.environment.name,
    webhook_url: env.webhookUrl,
    listing: env.listing,
    assets: env.store.size(),
  };
}

export function controlRoutes(world: FakeMuxWorld): Hono {
  const app = new Hono().basePath("/_fake");

  /** The environment a request is about: `?environment=<id>`, or the first one. */
  const envOf = (c: Context): FakeMuxCore | Response => {
    const id = c.req.query("environment");
    if (id === undefined) return world.defaultEnvironment;
    return world.environment(id) ?? notFound("environment");
  };
  /** A route about one environment; `handler` gets it. */
  const scoped =
    (handler: (c: Context, env: FakeMuxCore) => Response | Promise<Response>) =>
    (c: Context): Response | Promise<Response> => {
      const env = envOf(c);
      return env instanceof Response ? env : handler(c, env);
    };

  app.get(
    "/state",
    scoped((c, env) =>
      c.json({
        now: world.clock.now(),
        environment: env.environment,
        environments: world.allEnvironments().map(describeEnvironment),
        webhook_url: env.webhookUrl,
        listing: env.listing,
        pending_lifecycle_steps: world.pendingLifecycleSteps(),
        pending_webhooks: world.pendingWebhooks(),
        faults: world.faults,
        assets: env.listAssets(),
      }),
    ),
  );
  app.get("/stats", (c) => c.json(snapshotStats(world.stats)));
  app.get(
    "/events",
    scoped((c, env) => c.json({ data: env.eventLog() })),
  );
  app.get(
    "/signing-key",
    scoped((c, env) =>
      c.json({ data: { id: env.signingKey.id, private_key: env.signingKey.privateKeyBase64 } }),
    ),
  );

  app.get("/environments", (c) => c.json({ data: world.allEnvironments().map(describeEnvironment) }));
  app.post("/environments", async (c) => {
    const body = await parse(c.req.raw, environmentSchema);
    if (body instanceof Response) return body;
    try {
      return c.json({ data: describeEnvironment(world.addEnvironmentFrom(body)) }, 201);
    } catch (err) {
      return asBadRequest(err);
    }
  });
  app.put(
    "/listing",
    scoped(async (c, env) => {
      const body = await parse(c.req.raw, listingSchema);
      if (body instanceof Response) return body;
      return c.json({ listing: env.setListing(body) });
    }),
  );

  app.get(
    "/assets",
    scoped((c, env) => c.json({ data: env.listAssets() })),
  );
  app.get(
    "/assets/:id",
    scoped((c, env) => {
      const asset = env.getAsset(c.req.param("id") ?? "");
      return asset ? c.json({ data: asset }) : notFound();
    }),
  );
  app.post(
    "/assets",
    scoped(async (c, env) => {
      const spec = await parse(c.req.raw, assetSpecSchema);
      if (spec instanceof Response) return spec;
      return attempt(() => c.json({ data: env.createAsset(spec as AssetSpec) }, 201));
    }),
  );
  app.patch(
    "/assets/:id",
    scoped(async (c, env) => {
      const patch = await parse(c.req.raw, assetSpecSchema.pick({ passthrough: true, meta: true }));
      if (patch instanceof Response) return patch;
      const asset = env.updateAsset(c.req.param("id") ?? "", patch);
      return asset ? c.json({ data: asset }) : notFound();
    }),
  );
  app.delete(
    "/assets/:id",
    scoped((c, env) => (env.deleteAsset(c.req.param("id") ?? "") ? c.body(null, 204) : notFound())),
  );
  app.post(
    "/assets/:id/events",
    scoped(async (c, env) => {
      const body = await parse(
        c.req.raw,
        z.object({
          type: z.enum([...ASSET_EVENT_TYPES, ...RENDITION_EVENT_TYPES, ...TRACK_EVENT_TYPES]),
          rendition: z.string().optional(),
          track: z.string().optional(),
        }),
      );
      if (body instanceof Response) return body;
      return attempt(() => {
        const event = env.fireEvent(c.req.param("id") ?? "", body.type, body.track ?? body.rendition);
        return event && c.json({ data: event }, 202);
      });
    }),
  );
  app.post(
    "/assets/:id/static-renditions",
    scoped(async (c, env) => {
      const body = await parse(c.req.raw, z.object({ resolution: resolutionSchema }));
      if (body instanceof Response) return body;
      return attempt(() => {
        const created = env.addStaticRendition(c.req.param("id") ?? "", body.resolution);
        return created && c.json({ data: created }, 201);
      });
    }),
  );
  app.delete(
    "/assets/:id/static-renditions/:rendition",
    scoped((c, env) =>
      env.deleteStaticRendition(c.req.param("id") ?? "", c.req.param("rendition") ?? "")
        ? c.body(null, 204)
        : notFound("asset or rendition"),
    ),
  );
  app.post(
    "/assets/:id/tracks",
    scoped(async (c, env) => {
      const body = await parse(c.req.raw, textTrackSpecSchema);
      if (body instanceof Response) return body;
      return attempt(() => {
        const track = env.addTextTrack(c.req.param("id") ?? "", body);
        return track && c.json({ data: track }, 201);
      });
    }),
  );
  app.delete(
    "/assets/:id/tracks/:track",
    scoped((c, env) => {
      const deleted = env.deleteTextTrack(c.req.param("id") ?? "", c.req.param("track") ?? "");
      if (deleted === undefined) return notFound();
      return deleted ? c.body(null, 204) : notFound("track");
    }),
  );
  app.put(
    "/assets/:id/mp4-support",
    scoped(async (c, env) => {
      const body = await parse(c.req.raw, z.object({ mp4_support: mp4SupportSchema }));
      if (body instanceof Response) return body;
      return attempt(() => {
        const asset = env.setMp4Support(c.req.param("id") ?? "", body.mp4_support);
        return asset && c.json({ data: asset });
      });
    }),
  );
  app.post(
    "/assets/:id/complete-live-stream",
    scoped((c, env) =>
      attempt(() => {
        const asset = env.completeLiveStream(c.req.param("id") ?? "");
        return asset && c.json({ data: asset });
      }),
    ),
  );

  app.post(
    "/library",
    scoped(async (c, env) => {
      const body = await parse(
        c.req.raw,
        z.object({
          count: z.number().int().min(0).max(100_000),
          seed: z.number().int().optional(),
          captioned: z.number().min(0).max(1).optional(),
          noMp4Share: z.number().min(0).max(1).optional(),
        }),
      );
      if (body instanceof Response) return body;
      const options = {
        captioned: body.captioned ?? 0,
        ...(body.noMp4Share === undefined ? {} : { noMp4Share: body.noMp4Share }),
      };
      return c.json({ data: env.generateLibrary(body.count, body.seed ?? 1, options) }, 201);
    }),
  );
  app.post("/settle", async (c) => {
    await world.settle();
    return c.json({ ok: true });
  });
  app.post("/advance", async (c) => {
    const body = await parse(c.req.raw, z.object({ ms: z.number().nonnegative() }));
    if (body instanceof Response) return body;
    try {
      await world.advance(body.ms);
    } catch (err) {
      return asBadRequest(err);
    }
    return c.json({ ok: true, now: world.clock.now() });
  });
  app.post("/webhooks/flush", async (c) => {
    await world.flushWebhooks();
    return c.json({ ok: true, pending: world.pendingWebhooks() });
  });
  app.put(
    "/webhook-url",
    scoped(async (c, env) => {
      const body = await parse(c.req.raw, z.object({ url: z.url().nullable() }));
      if (body instanceof Response) return body;
      env.setWebhookUrl(body.url);
      return c.json({ webhook_url: body.url });
    }),
  );
  app.put("/faults", async (c) => {
    const body = await parse(c.req.raw, faultsSchema);
    if (body instanceof Response) return body;
    world.setFaults(body);
    return c.json({ faults: body });
  });
  const limitSchema = z
    .object({ perSecond: z.number().nonnegative(), burst: z.number().positive() })
    .nullable();
  app.put("/rate-limit", async (c) => {
    const body = await parse(c.req.raw, limitSchema);
    if (body instanceof Response) return body;
    world.setRateLimit(body && body.perSecond > 0 ? body : null);
    return c.json({ rate_limit: body });
  });
  app.put("/write-rate-limit", async (c) => {
    const body = await parse(c.req.raw, limitSchema);
    if (body instanceof Response) return body;
    world.setWriteRateLimit(body && body.perSecond > 0 ? body : null);
    return c.json({ write_rate_limit: body });
  });
  app.post(
    "/tokens",
    scoped(async (c, env) => {
      const body = await parse(c.req.raw, tokenSchema);
      if (body instanceof Response) return body;
      env.addAccessToken(body);
      return c.json(
        { data: { id: body.id, name: body.name ?? null, permissions: body.permissions ?? null } },
        201,
      );
    }),
  );
  app.post("/reset", (c) => {
    world.reset();
    return c.json({ ok: true });
  });

  app.notFound(() => badRequest("Unknown control route; see GET /_fake/state"));
  return app;
}
