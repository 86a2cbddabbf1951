/** `HmacSha256` on node:crypto: synchronous and cheaper than Web Crypto's threadpool round trip. Node only. */
import { createHmac } from "node:crypto";
import type { HmacSha256 } from "./signature";

export const nodeHmac: HmacSha256 = {
  async hex(secret, ...parts) {
    const hmac = createHmac("sha256", secret);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  },
};
