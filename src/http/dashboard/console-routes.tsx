/**
 * The console's pages and actions beside the overview: the objects browser, an object's story,
 * the dead letters, and the "find an asset" search. Pages answer to a session or a bearer like
 * `GET /` (the sign-in form otherwise); every action goes through `formAction` (session, form,
 * CSRF value, verb, redirect with a notice code) and comes back to the page it was made on,
 * built from the form's ids once checked, never from a path the form spells.
 */
import { type Context, Hono } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import { z } from "zod";
import { OBJECT_STATES } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { isMuxId } from "../../mux/ids";
import {
  listDeadLetters,
  MAX_BULK_REPLAY,
  purgeDeadLetter,
  replayDeadLetter,
  replayDeadLetters,
} from "../../resources/dead-letters";
import {
  browseObjects,
  findObjectsOfAsset,
  listBucketNames,
  type ObjectBrowseQuery,
  SEARCH_FIELDS,
} from "../../resources/object-browser";
import { muxDashboardUrl, readMuxRenditions } from "../../resources/object-in-mux";
import { createMp4Now } from "../../resources/object-mp4";
import { redeliverObject } from "../../resources/object-redeliver";
import { retryObject } from "../../resources/object-retry";
import { findObjectById, readObjectStory } from "../../resources/object-story";
import { isoTime } from "../../resources/present";
import type { DeadLetterFilter } from "../../resources/views";
import { DISABLED_MESSAGE } from "../admin/auth";
import type { HttpEnv } from "../context";
import {
  bucketObjectsPath,
  CONSOLE_PATHS,
  ConsoleLayout,
  ConsoleProblem,
  objectPath,
} from "./console-layout";
import { DeadLettersPage, deadLettersPath } from "./dead-letters-page";
import { type Notice, noticeOf } from "./notices";
import { ObjectPage } from "./object-page";
import { browserQuery, ObjectsPage } from "./objects-page";
import { LoginPage } from "./page";
import { type Form, formAction } from "./routes";
import { dashboardAccess } from "./session";

const PAGE_SIZE = 50;
/** An object id as `newId("obj")` makes it: the only kind a form may send the browser back to. */
const OBJECT_ID = /^obj_[A-Za-z0-9]{1,64}$/;

export const optional = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const browserQuerySchema = z.object({
  field: z.enum(SEARCH_FIELDS).optional(),
  q: optional(200),
  state: z.union([z.enum(OBJECT_STATES), z.literal("")]).optional(),
  reason: optional(100),
  cursor: optional(2_000),
});

const deadLetterFilterSchema = z.object({
  type: optional(50),
  bucket_id: optional(100),
  sync_id: optional(100),
  error: optional(200),
  cursor: optional(2_000),
});

/** The query's values, or VALIDATION naming the fields (ours, never the request's words). */
export function parseQuery<T extends z.ZodType>(schema: T, values: Record<string, string>): z.output<T> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    field: String(issue.path[0] ?? "query"),
    message: issue.message,
  }));
  throw new AppError("VALIDATION", "The page's query is not one it makes", { details });
}

function browseQueryOf(values: z.output<typeof browserQuerySchema>): ObjectBrowseQuery {
  return {
    ...(values.q ? { search: { field: values.field ?? "asset_id", term: values.q } } : {}),
    ...(values.state ? { state: values.state } : {}),
    ...(values.reason ? { reason: values.reason } : {}),
    ...(values.cursor ? { cursor: values.cursor } : {}),
    limit: PAGE_SIZE,
  };
}

function filterOf(form: Form): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  for (const key of ["type", "bucket_id", "sync_id", "error"] as const) {
    const value = form.get(key).trim();
    if (value) filter[key] = value.slice(0, 200);
  }
  return filter;
}

const storyBack = (form: Form) => {
  const id = form.get("object_id");
  return OBJECT_ID.test(id) ? objectPath(id) : "/";
};

export type PageContext = { csrf: string; notice: Notice | null; now: string | null };

/**
 * A console page: the same access as `GET /`, then `render`; what does not exist is a 404 page,
 * a link the page does not make a 400 page, both with fixed texts.
 */
export async function consolePage(
  c: Context<HttpEnv>,
  render: (page: PageContext) => Promise<JSX.Element | Response>,
): Promise<Response> {
  const token = c.var.http.adminToken;
  c.header("cache-control", "no-store");
  if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
  const notice = noticeOf((name) => c.req.query(name));
  const access = await dashboardAccess(c, token);
  if (!access) return c.html(<LoginPage notice={notice} />, 401);
  const page: PageContext = {
    csrf: access.via === "session" ? access.csrf : "",
    notice,
    now: isoTime(c.var.deps.clock.now()),
  };
  try {
    const rendered = await render(page);
    return rendered instanceof Response ? rendered : c.html(rendered);
  } catch (err) {
    if (!(err instanceof AppError) || (err.code !== "NOT_FOUND" && err.code !== "VALIDATION")) throw err;
    const fields = (err.details as Array<{ field: string }> | undefined)?.map((d) => d.field);
    return c.html(
      <ConsoleLayout
        title={err.code === "NOT_FOUND" ? "Not found" : "Not a page"}
        current="overview"
        csrf={page.csrf}
        notice={null}
      >
        <ConsoleProblem code={err.code} fields={fields} />
      </ConsoleLayout>,
      err.code === "NOT_FOUND" ? 404 : 400,
    );
  }
}

export function createConsoleRoutes() {
  const routes = new Hono<HttpEnv>();

  routes.get(CONSOLE_PATHS.objects, (c) =>
    consolePage(c, async (page) => {
      const [first] = await listBucketNames(c.var.deps);
      if (first) return c.redirect(bucketObjectsPath(first.id), 303);
      return (
        <ConsoleLayout title="Objects" current="objects" {...page}>
          <p class="muted">No bucket exists yet.</p>
        </ConsoleLayout>
      );
    }),
  );

  routes.get("/dashboard/buckets/:bucketId/objects", (c) =>
    consolePage(c, async (page) => {
      const query = browseQueryOf(parseQuery(browserQuerySchema, c.req.query()));
      const result = await browseObjects(c.var.deps, { bucketId: c.req.param("bucketId"), query });
      const buckets = await listBucketNames(c.var.deps);
      return <ObjectsPage page={result} query={query} buckets={buckets} {...page} />;
    }),
  );

  routes.get(CONSOLE_PATHS.find, (c) =>
    consolePage(c, async () => {
      const term = (c.req.query("q") ?? "").trim().slice(0, 255);
      const found = isMuxId(term) ? await findObjectsOfAsset(c.var.deps, term) : [];
      if (found.length === 1 && found[0]) return c.redirect(objectPath(found[0].id), 303);
      const [first] = await listBucketNames(c.var.deps);
      if (!first) return c.redirect(CONSOLE_PATHS.objects, 303);
      const search = { field: isMuxId(term) ? ("asset_id" as const) : ("title" as const), term };
      return c.redirect(bucketObjectsPath(found[0]?.bucketId ?? first.id, browserQuery({ search })), 303);
    }),
  );

  routes.get("/dashboard/objects/:objectId", (c) =>
    consolePage(c, async (page) => {
      const objectId = c.req.param("objectId");
      const cursor = parseQuery(z.object({ cursor: optional(2_000) }), c.req.query()).cursor;
      const story = await readObjectStory(c.var.deps, { objectId, ...(cursor ? { cursor } : {}) });
      const mux =
        c.req.query("mux") === "renditions" ? await readMuxRenditions(c.var.deps, { objectId }) : null;
      return <ObjectPage story={story} mux={mux} cursor={cursor} {...page} />;
    }),
  );

  routes.get("/dashboard/objects/:objectId/mux-dashboard", (c) =>
    consolePage(c, async () =>
      c.redirect(await muxDashboardUrl(c.var.deps, { objectId: c.req.param("objectId") }), 302),
    ),
  );

  routes.get(CONSOLE_PATHS.deadLetters, (c) =>
    consolePage(c, async (page) => {
      const { cursor, ...filter } = parseQuery(deadLetterFilterSchema, c.req.query());
      const result = await listDeadLetters(c.var.deps, {
        ...filter,
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      });
      const buckets = await listBucketNames(c.var.deps);
      return <DeadLettersPage page={result} filter={filter} cursor={cursor} buckets={buckets} {...page} />;
    }),
  );

  routes.post("/dashboard/object-retry", (c) =>
    formAction(
      c,
      "retry",
      async (form) => {
        const object = await findObjectById(c.var.deps, form.get("object_id"));
        await retryObject(c.var.deps, { bucketId: object.bucketId, assetId: object.assetId });
        return "retry_queued";
      },
      storyBack,
    ),
  );

  routes.post("/dashboard/object-redeliver", (c) =>
    formAction(
      c,
      "redeliver",
      async (form) => {
        await redeliverObject(c.var.deps, { objectId: form.get("object_id") });
        return "redelivery_queued";
      },
      storyBack,
    ),
  );

  routes.post("/dashboard/object-create-mp4", (c) =>
    formAction(
      c,
      "create_mp4",
      async (form) => {
        const object = await findObjectById(c.var.deps, form.get("object_id"));
        await createMp4Now(c.var.deps, { bucketId: object.bucketId, assetId: object.assetId });
        return "mp4_requested";
      },
      storyBack,
    ),
  );

  routes.post("/dashboard/dead-letters/replay-one", (c) =>
    formAction(
      c,
      "replay",
      async (form) => {
        await replayDeadLetter(c.var.deps, { id: form.get("job_id") });
        return "dead_letter_replayed";
      },
      (form) => deadLettersPath(filterOf(form)),
    ),
  );

  routes.post("/dashboard/dead-letters/purge", (c) =>
    formAction(
      c,
      "purge",
      async (form) => {
        await purgeDeadLetter(c.var.deps, { id: form.get("job_id") });
        return "dead_letter_purged";
      },
      (form) => deadLettersPath(filterOf(form)),
    ),
  );

  routes.post("/dashboard/dead-letters/replay", (c) =>
    formAction(
      c,
      "bulk_replay",
      async (form) => {
        await replayDeadLetters(c.var.deps, { ...filterOf(form), limit: MAX_BULK_REPLAY });
        return "dead_letters_replayed";
      },
      (form) => deadLettersPath(filterOf(form)),
    ),
  );

  return routes;
}
