/**
 * The control API under `/_fake`: what a test, the demo or a person with curl uses to shape the
 * fake environment. JSON in, JSON out; unauthenticated, since the fake only listens on loopback.
 */
import { Hono } from "hono";
import { z } from "zod";
import { ASSET_EVENT_TYPES, RENDITION_EVENT_TYPES } from "../../mux/events";
import type { FakeMuxCore } from "../core";
import { SpecError } from "../core";
import { snapshotStats } from "../stats";
import type { AssetSpec } from "../types";
import { playbackPolicySchema, resolutionSchema } from "./api-bodies";

/** The control API's asset spec: `AssetSpec` as JSON. */
const assetSpec = z.object({
  id: z.string().min(1).optional(),
  playbackPolicies: z.array(playbackPolicySchema).optional(),
  mp4Support: z
    .enum(["none", "standard", "capped-1080p", "audio-only", "audio-only,capped-1080p"])
    .optional(),
  staticRenditions: z.array(resolutionSchema).optional(),
  status: z.enum(["preparing", "ready", "errored"]).optional(),
  renditionsReady: z.boolean().optional(),
  outcome: z.enum(["ready", "errored"]).optional(),
  errors: z.object({ type: z.string(), messages: z.array(z.string()) }).optional(),
  width: z.number().positive().optional(),
  height: z.number().positive().optional(),
  hasVideo: z.boolean().optional(),
  hasAudio: z.boolean().optional(),
  duration: z.number().positive().optional(),
  frameRate: z.number().positive().optional(),
  passthrough: z.string().optional(),
  meta: z
    .object({
      title: z.string().optional(),
      creator_id: z.string().optional(),
      external_id: z.string().optional(),
    })
    .optional(),
  maxResolutionTier: z.enum(["1080p", "1440p", "2160p"]).optional(),
  videoQuality: z.enum(["basic", "plus", "premium"]).optional(),
  test: z.boolean().optional(),
  createdAt: z.number().optional(),
  readyAfterMs: z.number().nonnegative().nullable().optional(),
  renditionsAfterMs: z.number().nonnegative().nullable().optional(),
});

const faults = z.object({
  dropRate: z.number().min(0).max(1).optional(),
  duplicateRate: z.number().min(0).max(1).optional(),
  reorder: z.boolean().optional(),
  maxDelayMs: z.number().nonnegative().optional(),
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().nonnegative().optional(),
});

const badRequest = (message: string): Response =>
  Response.json({ error: { type: "invalid_parameters", messages: [message] } }, { status: 400 });

const notFound = (): Response =>
  Response.json({ error: { type: "not_found", messages: ["No such asset in the fake."] } }, { status: 404 });

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

export function controlRoutes(core: FakeMuxCore): Hono {
  const app = new Hono().basePath("/_fake");

  app.get("/state", (c) =>
    c.json({
      now: core.clock.now(),
      webhook_url: core.webhookUrl,
      pending_lifecycle_steps: core.lifecycle.pendingCount(),
      pending_webhooks: core.dispatcher.pendingCount(),
      faults: core.faults,
      assets: core.listAssets(),
    }),
  );
  app.get("/stats", (c) => c.json(snapshotStats(core.stats)));
  app.get("/events", (c) => c.json({ data: core.eventLog() }));
  app.get("/signing-key", (c) =>
    c.json({ data: { id: core.signingKey.id, private_key: core.signingKey.privateKeyBase64 } }),
  );

  app.get("/assets", (c) => c.json({ data: core.listAssets() }));
  app.get("/assets/:id", (c) => {
    const asset = core.getAsset(c.req.param("id"));
    return asset ? c.json({ data: asset }) : notFound();
  });
  app.post("/assets", async (c) => {
    const spec = await parse(c.req.raw, assetSpec);
    if (spec instanceof Response) return spec;
    try {
      return c.json({ data: core.createAsset(spec as AssetSpec) }, 201);
    } catch (err) {
      return asBadRequest(err);
    }
  });
  app.patch("/assets/:id", async (c) => {
    const patch = await parse(c.req.raw, assetSpec.pick({ passthrough: true, meta: true }));
    if (patch instanceof Response) return patch;
    const asset = core.updateAsset(c.req.param("id"), patch);
    return asset ? c.json({ data: asset }) : notFound();
  });
  app.delete("/assets/:id", (c) => (core.deleteAsset(c.req.param("id")) ? c.body(null, 204) : notFound()));
  app.post("/assets/:id/events", async (c) => {
    const body = await parse(
      c.req.raw,
      z.object({
        type: z.enum([...ASSET_EVENT_TYPES, ...RENDITION_EVENT_TYPES]),
        rendition: z.string().optional(),
      }),
    );
    if (body instanceof Response) return body;
    try {
      const event = core.fireEvent(c.req.param("id"), body.type, body.rendition);
      return event ? c.json({ data: event }, 202) : notFound();
    } catch (err) {
      return asBadRequest(err);
    }
  });

  app.post("/library", async (c) => {
    const body = await parse(
      c.req.raw,
      z.object({ count: z.number().int().min(0).max(100_000), seed: z.number().int().optional() }),
    );
    if (body instanceof Response) return body;
    return c.json({ data: core.generateLibrary(body.count, body.seed ?? 1) }, 201);
  });
  app.post("/settle", async (c) => {
    await core.settle();
    return c.json({ ok: true });
  });
  app.post("/advance", async (c) => {
    const body = await parse(c.req.raw, z.object({ ms: z.number().nonnegative() }));
    if (body instanceof Response) return body;
    try {
      await core.advance(body.ms);
    } catch (err) {
      return asBadRequest(err);
    }
    return c.json({ ok: true, now: core.clock.now() });
  });
  app.post("/webhooks/flush", async (c) => {
    await core.dispatcher.flush();
    return c.json({ ok: true, pending: core.dispatcher.pendingCount() });
  });
  app.put("/webhook-url", async (c) => {
    const body = await parse(c.req.raw, z.object({ url: z.url().nullable() }));
    if (body instanceof Response) return body;
    core.setWebhookUrl(body.url);
    return c.json({ webhook_url: body.url });
  });
  app.put("/faults", async (c) => {
    const body = await parse(c.req.raw, faults);
    if (body instanceof Response) return body;
    core.setFaults(body);
    return c.json({ faults: body });
  });
  app.put("/rate-limit", async (c) => {
    const body = await parse(
      c.req.raw,
      z.object({ perSecond: z.number().nonnegative(), burst: z.number().positive() }).nullable(),
    );
    if (body instanceof Response) return body;
    core.setRateLimit(body && body.perSecond > 0 ? body : null);
    return c.json({ rate_limit: body });
  });
  app.post("/tokens", async (c) => {
    const body = await parse(
      c.req.raw,
      z.object({
        id: z.string().min(1),
        secret: z.string().min(1),
        name: z.string().optional(),
        permissions: z.array(z.string()).optional(),
      }),
    );
    if (body instanceof Response) return body;
    core.addAccessToken(body);
    return c.json(
      { data: { id: body.id, name: body.name ?? null, permissions: body.permissions ?? null } },
      201,
    );
  });
  app.post("/reset", (c) => {
    core.reset();
    return c.json({ ok: true });
  });

  app.notFound(() => badRequest("Unknown control route; see GET /_fake/state"));
  return app;
}
