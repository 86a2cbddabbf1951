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
  return clientKey(address || "unknown");
}

/**
 * One key per IPv4 address and per IPv6 /64: a single host usually holds a whole /64, and if
 * each of its addresses were a new client the per-client limit would mean nothing.
 */
function clientKey(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return `ip:${mapped[1]}`;
  const groups = ipv6Groups(bare);
  return groups ? `ip:${groups.slice(0, 4).join(":")}::/64` : `ip:${address.slice(0, MAX_CLIENT_LENGTH)}`;
}

/** The eight groups of an IPv6 address (`::` expanded, leading zeros dropped), or null. */
function ipv6Groups(address: string): string[] | null {
  if (!/^[0-9a-f:]+$/i.test(address)) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (groups.some((group) => group.length === 0 || group.length > 4)) return null;
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}

function socketAddress(bindings: NodeBindings | undefined): string | undefined {
  return (bindings?.server ?? bindings)?.incoming?.socket?.remoteAddress;
}
