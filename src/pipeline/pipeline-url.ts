/**
 * Which pipeline URLs deliveries may go to. Deliveries carry a signature and signed rendition
 * URLs, so the target must be an ordinary http(s) endpoint: no credentials in the URL (they would
 * be logged and shown back), and never a link-local or cloud metadata address (169.254.0.0/16,
 * fe80::/10, fd00:ec2::254), where a delivery would reach the host's instance credentials.
 * Private and loopback addresses stay allowed: pipelines often run next to the service.
 *
 * The host is judged after WHATWG parsing (`new URL`), the parser `fetch` itself uses, so every
 * spelling of an address (decimal, hex, octal or short IPv4, trailing dots, full-width digits,
 * IPv4-mapped IPv6) is judged as the address it resolves to. Names are not resolved: a DNS name
 * pointing at a metadata address is out of reach of a literal check.
 */
import { AppError } from "../lib/errors";

const NOT_HTTP = "must be an http(s) URL";

/** Why this URL is refused as a pipeline URL, or null when it is acceptable. */
export function pipelineUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return NOT_HTTP;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return NOT_HTTP;
  if (url.username !== "" || url.password !== "")
    return "must not contain credentials (user:password@): deliveries are authenticated by their signature";
  const host = url.hostname;
  const forbidden = host.startsWith("[") ? ipv6Forbidden(host.slice(1, -1)) : ipv4Forbidden(host);
  return forbidden
    ? `must not point at a link-local or cloud metadata address (${host}): 169.254.0.0/16, fe80::/10 and fd00:ec2::254 are refused`
    : null;
}

/** Throws a `BAD_REQUEST` naming the problem (verbs and the delivery check a URL they did not parse). */
export function assertPipelineUrl(value: string | null | undefined): void {
  if (value === null || value === undefined) return;
  const problem = pipelineUrlProblem(value);
  if (problem) throw new AppError("BAD_REQUEST", `pipeline_url ${problem}`);
}

/**
 * The same rule as a zod refinement (`.superRefine(checkPipelineUrl)`), for the schemas that take
 * one; they already say when a value is no http(s) URL at all, so that is not said twice.
 */
export function checkPipelineUrl(
  value: string,
  ctx: { addIssue(issue: { code: "custom"; message: string }): void },
): void {
  const problem = pipelineUrlProblem(value);
  if (problem && problem !== NOT_HTTP) ctx.addIssue({ code: "custom", message: problem });
}

/** A WHATWG-normalised IPv4 host (dotted quad) in 169.254.0.0/16; names are never forbidden. */
function ipv4Forbidden(host: string): boolean {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return false;
  return parts[0] === "169" && parts[1] === "254";
}

/** A WHATWG-normalised IPv6 literal (no brackets) that is, or embeds, a forbidden address. */
function ipv6Forbidden(literal: string): boolean {
  const groups = expandIpv6(literal);
  if (!groups) return false;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  if ((g0 & 0xffc0) === 0xfe80) return true;
  if (
    g0 === 0xfd00 &&
    g1 === 0x0ec2 &&
    g2 === 0 &&
    g3 === 0 &&
    g4 === 0 &&
    g5 === 0 &&
    g6 === 0 &&
    g7 === 0x254
  )
    return true;
  // The IPv4 address carried in the last 32 bits: IPv4-mapped (::ffff:0:0/96), IPv4-compatible
  // (::/96) and the NAT64 well-known prefix (64:ff9b::/96) all reach it.
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  const carriesIpv4 =
    (upperZero && (g5 === 0xffff || g5 === 0)) ||
    (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0);
  return carriesIpv4 && g6 === 0xa9fe;
}

/** The eight 16-bit groups of an IPv6 literal as WHATWG serialises it (hex groups, one `::`). */
function expandIpv6(literal: string): number[] | null {
  const halves = literal.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  if ([...head, ...tail].some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}
