/**
 * Comparison of secrets without an early exit, so the time a comparison takes reveals nothing
 * about where two values differ. The one implementation for webhook signatures and admin tokens.
 */
const encoder = new TextEncoder();

/** Equal-length strings compared in full; different lengths are unequal at once (lengths are public). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** For secrets whose length is itself a secret: both sides are hashed first, then compared. */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256Hex(given), sha256Hex(expected)]);
  return constantTimeEqual(a, b);
}

/** SHA-256 of the UTF-8 bytes, as lowercase hex. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
