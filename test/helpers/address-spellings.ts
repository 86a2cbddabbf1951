/**
 * Generators of host spellings: one address written every way a URL parser accepts it
 * (decimal, hex and octal parts, fewer than four parts, one 32-bit number, a trailing dot,
 * IPv4-mapped and -compatible IPv6, leading zeros and upper case in IPv6 groups), for tests of
 * rules that must judge the address, not its spelling.
 */
import fc from "fast-check";

type Quad = [number, number, number, number];

const byte = fc.integer({ min: 0, max: 255 });

function part(value: number, radix: "dec" | "hex" | "oct"): string {
  if (radix === "hex") return `0x${value.toString(16)}`;
  if (radix === "oct") return `0${value.toString(8)}`;
  return String(value);
}

const radix = fc.constantFrom("dec" as const, "hex" as const, "oct" as const);

/** Every IPv4 spelling of one address (host part only, brackets included for IPv6). */
export function ipv4Spellings(quad: Quad): fc.Arbitrary<string> {
  const [a, b, c, d] = quad;
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  const hex = (x: number) => x.toString(16);
  const trailingDot = fc.boolean();
  const v4 = fc.oneof(
    fc
      .tuple(radix, radix, radix, radix)
      .map(([r1, r2, r3, r4]) => [part(a, r1), part(b, r2), part(c, r3), part(d, r4)].join(".")),
    fc
      .tuple(radix, radix, radix)
      .map(([r1, r2, r3]) => [part(a, r1), part(b, r2), part((c << 8) + d, r3)].join(".")),
    fc.tuple(radix, radix).map(([r1, r2]) => [part(a, r1), part((b << 16) + (c << 8) + d, r2)].join(".")),
    radix.map((r) => part(n, r)),
  );
  const upper = fc.boolean();
  const v6 = fc.oneof(
    fc.constant(`[::ffff:${a}.${b}.${c}.${d}]`),
    fc.constant(`[::ffff:${hex((a << 8) + b)}:${hex((c << 8) + d)}]`),
    fc.constant(`[0:0:0:0:0:ffff:${hex((a << 8) + b)}:${hex((c << 8) + d)}]`),
    fc.constant(`[0000:0000:0000:0000:0000:FFFF:${a}.${b}.${c}.${d}]`),
    fc.constant(`[::${a}.${b}.${c}.${d}]`),
    fc.constant(`[64:ff9b::${a}.${b}.${c}.${d}]`),
  );
  return fc.oneof(
    fc.tuple(v4, trailingDot).map(([host, dot]) => (dot ? `${host}.` : host)),
    fc.tuple(v6, upper).map(([host, up]) => (up ? host.toUpperCase() : host)),
  );
}

/** Spellings of an IPv6 address given as eight groups: compressed or not, leading zeros, case. */
export function ipv6Spellings(groups: number[]): fc.Arbitrary<string> {
  return fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()).map(([pad, up, compress]) => {
    let parts = groups.map((g) => (pad ? g.toString(16).padStart(4, "0") : g.toString(16)));
    let text = parts.join(":");
    if (compress) {
      // Compress the longest run of zero groups.
      let best = { at: -1, len: 0 };
      for (let i = 0; i < groups.length; ) {
        let j = i;
        while (j < groups.length && groups[j] === 0) j++;
        if (j - i > best.len) best = { at: i, len: j - i };
        i = j === i ? i + 1 : j;
      }
      if (best.len > 1) {
        parts = [...parts.slice(0, best.at), "", ...parts.slice(best.at + best.len)];
        text = parts.join(":");
        if (best.at === 0) text = `:${text}`;
        if (best.at + best.len === groups.length) text = `${text}:`;
      }
    }
    return `[${up ? text.toUpperCase() : text}]`;
  });
}

const group = fc.integer({ min: 0, max: 0xffff });

/** Hosts that must be refused: 169.254.0.0/16, fe80::/10, fd00:ec2::254, in any spelling. */
export const forbiddenHost: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(byte, byte).chain(([c, d]) => ipv4Spellings([169, 254, c, d])),
  fc
    .tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), fc.array(group, { minLength: 7, maxLength: 7 }))
    .chain(([first, rest]) => ipv6Spellings([first, ...rest])),
  ipv6Spellings([0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254]),
);

/** A quad outside 169.254.0.0/16 (loopback and private ranges included: they stay allowed). */
const allowedQuad = fc
  .tuple(byte, byte, byte, byte)
  .filter(([a, b]) => !(a === 169 && b === 254)) as fc.Arbitrary<Quad>;

/** Hosts that must be accepted: any other address, in any spelling, and names. */
export const allowedHost: fc.Arbitrary<string> = fc.oneof(
  allowedQuad.chain((quad) => ipv4Spellings(quad)),
  fc.constantFrom("127.0.0.1", "10.0.0.7", "192.168.1.20", "172.16.0.1", "localhost", "pipeline.internal"),
  fc
    .tuple(group, fc.array(group, { minLength: 7, maxLength: 7 }))
    .filter(([first]) => (first & 0xffc0) !== 0xfe80 && !(first === 0 || first === 0x64))
    .filter(([first, rest]) => !(first === 0xfd00 && rest[0] === 0x0ec2))
    .chain(([first, rest]) => ipv6Spellings([first, ...rest])),
  fc.constantFrom("[::1]", "[fd00::1]", "[fec0::1]", "[fd00:ec2::253]", "[::ffff:127.0.0.1]"),
  fc.domain(),
);
