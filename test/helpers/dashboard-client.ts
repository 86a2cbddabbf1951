/**
 * Speaking to the dashboard as a browser does: form posts from the page's own origin, the
 * session cookie carried back, the CSRF value read from the page.
 */
import { expect } from "vitest";
import type { HttpApp } from "../../src/http/app";

export const ORIGIN = "http://localhost";
export const FORM = "application/x-www-form-urlencoded";

type Bindings = Record<string, unknown> | undefined;

export function postForm(
  app: HttpApp,
  path: string,
  body: string,
  headers: Record<string, string> = {},
  env?: Bindings,
): Promise<Response> {
  return Promise.resolve(
    app.request(
      path,
      { method: "POST", headers: { "content-type": FORM, origin: ORIGIN, ...headers }, body },
      env,
    ),
  );
}

/** `name=value` of the first Set-Cookie, or "" when none was set. */
export function cookieOf(response: Response): string {
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

export async function signIn(
  app: HttpApp,
  token: string,
  headers: Record<string, string> = {},
  path = "/dashboard/login",
): Promise<{ response: Response; cookie: string; id: string }> {
  const response = await postForm(app, path, `token=${encodeURIComponent(token)}`, headers);
  expect(response.status).toBe(303);
  const cookie = cookieOf(response);
  return { response, cookie, id: cookie.slice(cookie.indexOf("=") + 1) };
}

/** The CSRF value the signed-in page renders into its forms. */
export async function csrfOf(app: HttpApp, cookie: string): Promise<string> {
  const page = await app.request("/", { headers: { cookie } });
  expect(page.status).toBe(200);
  const match = /name="csrf" value="([^"]*)"/.exec(await page.text());
  expect(match?.[1]).toMatch(/^[0-9a-f]{64}$/);
  return match?.[1] ?? "";
}
