/**
 * What a request says about where it came from, read the one way every route uses: whether it
 * was HTTPS, its origin, and the client it came from. Forwarding headers (`X-Forwarded-Proto`,
 * `X-Forwarded-For`) are anyone's to write, so they count only with `TRUST_PROXY`, and then only
 * their last entry, the one the proxy in front of us wrote.
 */
import type { Context } from "hono";
import type { HttpEnv } from "./context";

/** The longest client key kept: an address, never an essay. */
const MAX_CLIENT_LENGTH = 64;

/** The Node server's bindings (@hono/node-server, as its `getConnInfo` reads them): the socket. */
type NodeSocket = { incoming?: { socket?: { remoteAddress?: string } } };
type NodeBindings = NodeSocket & { server?: NodeSocket };

function lastHop(header: string | undefined): string | null {
  const hops = (header ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops.at(-1) ?? null;
}

/** HTTPS: the request URL's scheme, or the trusted proxy's `X-Forwarded-Proto: https`. */
export function isHttps(c: Context<HttpEnv>): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.var.http.trustProxy && lastHop(c.req.header("x-forwarded-proto"))?.toLowerCase() === "https";
}

/** The origin a browser showing our pages sees: the scheme as `isHttps` judges it, and the host. */
export function requestOrigin(c: Context<HttpEnv>): string {
  return `${isHttps(c) ? "https:" : "http:"}//${new URL(c.req.url).host}`;
}

/**
 * The client, as a rate-limit key (`ip:<address>`): the trusted proxy's last `X-Forwarded-For`
 * hop, else what the runtime knows (the Node socket's peer, or Cloudflare's `CF-Connecting-IP`).
 * Requests whose address nobody knows share `ip:unknown`.
 */
export function clientOf(c: Context<HttpEnv>): string {
  const { trustProxy, clientAddress } = c.var.http;
  const forwarded = trustProxy ? lastHop(c.req.header("x-forwarded-for")) : null;
  const address =
    forwarded ??
    (clientAddress === "cf-connecting-ip"
      ? c.req.header("cf-connecting-ip")
      : socketAddress(c.env as NodeBindings | undefined));
  return `ip:${(address || "unknown").slice(0, MAX_CLIENT_LENGTH)}`;
}

function socketAddress(bindings: NodeBindings | undefined): string | undefined {
  return (bindings?.server ?? bindings)?.incoming?.socket?.remoteAddress;
}
