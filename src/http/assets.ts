/**
 * The pages' stylesheets, served as files so the CSP needs no `'unsafe-inline'`. Public: they
 * hold no data, and the sign-in page needs them before anyone is signed in.
 */
import { type Context, Hono } from "hono";
import { DOCS_CSS } from "./admin/docs-styles";
import type { HttpEnv } from "./context";
import { DASHBOARD_CSS } from "./dashboard/styles";

export const DASHBOARD_CSS_PATH = "/assets/dashboard.css";
export const DOCS_CSS_PATH = "/assets/docs.css";

export function createAssetRoutes() {
  const routes = new Hono<HttpEnv>();
  const css = (text: string) => (c: Context<HttpEnv>) =>
    c.body(text, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" });
  routes.get(DASHBOARD_CSS_PATH, css(DASHBOARD_CSS));
  routes.get(DOCS_CSS_PATH, css(DOCS_CSS));
  return routes;
}
