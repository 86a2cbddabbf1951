/**
 * Checks a signed playback JWT as stream.mux.com and image.mux.com would: RS256, `sub` = the
 * playback id, `aud` = the audience of what is asked for (`v` MP4s and text tracks, `t`
 * thumbnails, `s` storyboards, `g` GIFs), `exp` in the future, and `kid` naming the fake's key.
 * The Node SDK puts `kid` in the claims and the Elixir SDK in the header, so either is accepted.
 */

/** Mux's token audiences (mux-facts §5.3). */
export type PlaybackAudience = "v" | "t" | "s" | "g";

export type TokenCheck = { ok: true } | { ok: false; reason: string };

type Expectation = {
  playbackId: string;
  keyId: string;
  nowSeconds: number;
  key: CryptoKey;
  /** Default `v`. */
  audience?: PlaybackAudience;
};

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function verifyPlaybackToken(token: string, expect: Expectation): Promise<TokenCheck> {
  const [headerPart, claimsPart, signaturePart, ...rest] = token.split(".");
  if (!headerPart || !claimsPart || !signaturePart || rest.length > 0)
    return { ok: false, reason: "malformed token" };
  const header = decodeJson(headerPart);
  const claims = decodeJson(claimsPart);
  if (!header || !claims) return { ok: false, reason: "malformed token" };
  if (header.alg !== "RS256") return { ok: false, reason: "unsupported algorithm" };
  const valid = await crypto.subtle.verify(
    "RSASSA-PKCS1-v1_5",
    expect.key,
    Buffer.from(signaturePart, "base64url"),
    new TextEncoder().encode(`${headerPart}.${claimsPart}`),
  );
  if (!valid) return { ok: false, reason: "bad signature" };
  const kid = claims.kid ?? header.kid;
  if (kid !== expect.keyId) return { ok: false, reason: "unknown signing key" };
  if (claims.sub !== expect.playbackId) return { ok: false, reason: "token is for another playback id" };
  if (claims.aud !== (expect.audience ?? "v")) return { ok: false, reason: "wrong audience" };
  if (typeof claims.exp !== "number" || claims.exp <= expect.nowSeconds)
    return { ok: false, reason: "token expired" };
  return { ok: true };
}
