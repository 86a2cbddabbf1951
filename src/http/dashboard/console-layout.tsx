/**
 * The frame every console page shares: the document head (the stylesheet from `/assets/`, no
 * inline style or script, so the strict CSP holds), a skip link, the header with the navigation
 * between the pages and the "find an asset" search (a plain GET form: it works without
 * JavaScript), sign-out, and the one-off notice (a fixed text from `notices.ts`).
 */
import type { FC } from "hono/jsx";
import { DASHBOARD_CSS_PATH } from "../assets";
import type { Notice } from "./notices";

export type ConsoleSection = "overview" | "objects" | "dead_letters" | "connections" | "activity";

export const CONSOLE_PATHS = {
  objects: "/dashboard/objects",
  deadLetters: "/dashboard/dead-letters",
  find: "/dashboard/find",
  connections: "/dashboard/connections",
  activity: "/dashboard/activity",
} as const;

/** A state or reason as words (`no_static_renditions` → `no static renditions`). */
export const label = (value: string) => value.replaceAll("_", " ");

export function syncPath(bucketId: string, syncId: string): string {
  return `/dashboard/buckets/${encodeURIComponent(bucketId)}/syncs/${encodeURIComponent(syncId)}`;
}

export function syncRunsPath(bucketId: string, syncId: string, cursor?: string): string {
  const query = cursor ? `?${new URLSearchParams({ cursor })}` : "";
  return `${syncPath(bucketId, syncId)}/runs${query}`;
}

export function bucketObjectsPath(bucketId: string, query?: URLSearchParams): string {
  const search = query && [...query.keys()].length > 0 ? `?${query}` : "";
  return `/dashboard/buckets/${encodeURIComponent(bucketId)}/objects${search}`;
}

export function objectPath(objectId: string): string {
  return `/dashboard/objects/${encodeURIComponent(objectId)}`;
}

const NAV: Array<{ section: ConsoleSection; href: string; label: string }> = [
  { section: "overview", href: "/", label: "Overview" },
  { section: "objects", href: CONSOLE_PATHS.objects, label: "Objects" },
  { section: "dead_letters", href: CONSOLE_PATHS.deadLetters, label: "Dead letters" },
  { section: "connections", href: CONSOLE_PATHS.connections, label: "Connections and syncs" },
  { section: "activity", href: CONSOLE_PATHS.activity, label: "Activity" },
];

/** The links between the console's pages, and the search that takes an asset id to its story. */
export const ConsoleNav: FC<{ current: ConsoleSection }> = ({ current }) => (
  <>
    <nav aria-label="Console">
      <ul class="nav">
        {NAV.map((item) => (
          <li>
            <a href={item.href} aria-current={item.section === current ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
        <li>
          <a href="/docs">API docs</a>
        </li>
        <li>
          <a href="/metrics">Metrics</a>
        </li>
      </ul>
    </nav>
    <search class="find">
      <form method="get" action={CONSOLE_PATHS.find}>
        <label for="find-asset">Find an asset</label>
        <input id="find-asset" name="q" type="search" placeholder="asset id" maxlength={255} required />
        <button type="submit">Find</button>
      </form>
    </search>
  </>
);

export const NoticeLine: FC<{ notice: Notice | null }> = ({ notice }) =>
  notice ? (
    <p class={`notice ${notice.kind}`} data-testid="notice" role="status">
      {notice.text}
    </p>
  ) : null;

export const ConsoleLayout: FC<{
  title: string;
  current: ConsoleSection;
  csrf: string;
  notice: Notice | null;
  children?: unknown;
}> = ({ title, current, csrf, notice, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · mux-ingest`}</title>
      <link rel="stylesheet" href={DASHBOARD_CSS_PATH} />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to the content
      </a>
      <header>
        <p class="brand">
          <a href="/">mux-ingest</a>
        </p>
        <ConsoleNav current={current} />
        <form method="post" action="/dashboard/logout" class="inline">
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" class="link">
            sign out
          </button>
        </form>
      </header>
      <main id="main">
        <h1>{title}</h1>
        <NoticeLine notice={notice} />
        {children}
      </main>
    </body>
  </html>
);

/** What a page says when what its link names does not exist, or the link is not one it makes. */
export const ConsoleProblem: FC<{ code: "NOT_FOUND" | "VALIDATION"; fields?: string[] }> = ({
  code,
  fields,
}) =>
  code === "NOT_FOUND" ? (
    <p class="notice bad" data-testid="problem">
      What this link names does not exist (any more).
    </p>
  ) : (
    <p class="notice bad" data-testid="problem">
      This page cannot be shown for that link
      {fields && fields.length > 0 ? ` (check: ${fields.join(", ")})` : ""}. Start again from the navigation
      above.
    </p>
  );
