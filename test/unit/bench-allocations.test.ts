import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { summariseAllocations } from "../../bench/lib/heap-profile";

const REPO = join(import.meta.dirname, "..", "..");
const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function written(profile: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "heap-profile-"));
  dirs.push(dir);
  const path = join(dir, "p.heapprofile");
  writeFileSync(path, JSON.stringify(profile));
  return path;
}

describe("summariseAllocations", () => {
  it("sums every node's own bytes per request and credits each to the owner of its frame", () => {
    const path = written({
      head: {
        callFrame: frame("(root)", ""),
        selfSize: 0,
        children: [
          {
            callFrame: frame("sql", `file://${REPO}/node_modules/drizzle-orm/sql/sql.js`),
            selfSize: 6000,
            children: [
              {
                callFrame: frame("receiveWebhook", `file://${REPO}/src/resources/webhook-events.ts`),
                selfSize: 3000,
                children: [
                  {
                    callFrame: frame("sql", `file://${REPO}/node_modules/drizzle-orm/sql/sql.js`),
                    selfSize: 2000,
                    children: [],
                  },
                ],
              },
            ],
          },
          { callFrame: frame("parserOnIncoming", "node:_http_server"), selfSize: 1000, children: [] },
        ],
      },
    });
    const summary = summariseAllocations(path, { requests: 4, samplingBytes: 4096 });
    expect(summary).toEqual({
      samplingBytes: 4096,
      requests: 4,
      bytesPerRequest: 3000,
      byOwner: [
        { owner: "drizzle-orm", bytesPerRequest: 2000 },
        { owner: "src/resources/webhook-events.ts", bytesPerRequest: 750 },
        { owner: "node:_http_server", bytesPerRequest: 250 },
      ],
    });
  });
});
