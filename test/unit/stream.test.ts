import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { imageUrl } from "../../src/mux/images";
import { probeRenditions, streamUrl, textTrackUrl } from "../../src/mux/stream";

type Call = { url: string; method: string | undefined };
type Answer = number | Error;

/** A fetch stand-in that answers by file name and records what it was asked. */
function fakeFetch(answers: Record<string, Answer>) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    calls.push({ url, method: init?.method });
    const name = new URL(url).pathname.split("/").pop() ?? "";
    const answer = answers[name] ?? 404;
    if (answer instanceof Error) throw answer;
    return new Response(null, { status: answer });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const base = { baseUrl: "https://stream.example.test", playbackId: "PLAY123" };

describe("probeRenditions", () => {
  it("returns the first name that answers 2xx, with HEAD, and asks for nothing after it", async () => {
    const { fetch, calls } = fakeFetch({ "low.mp4": 200, "medium.mp4": 200 });
    const found = await probeRenditions({ ...base, names: ["low.mp4", "medium.mp4"], fetch });
    expect(found).toBe("low.mp4");
    expect(calls).toEqual([{ url: "https://stream.example.test/PLAY123/low.mp4", method: "HEAD" }]);
  });

  it("moves on past a 404 (and other non-2xx answers) in order", async () => {
    const { fetch, calls } = fakeFetch({
      "low.mp4": 404,
      "medium.mp4": 403,
      "high.mp4": 500,
      "capped-1080p.mp4": 204,
    });
    const found = await probeRenditions({
      ...base,
      names: ["low.mp4", "medium.mp4", "high.mp4", "capped-1080p.mp4"],
      fetch,
    });
    expect(found).toBe("capped-1080p.mp4");
    expect(calls.map((call) => call.url.split("/").pop())).toEqual([
      "low.mp4",
      "medium.mp4",
      "high.mp4",
      "capped-1080p.mp4",
    ]);
  });

  it("moves on past a network error", async () => {
    const { fetch } = fakeFetch({ "low.mp4": new TypeError("fetch failed"), "medium.mp4": 200 });
    expect(await probeRenditions({ ...base, names: ["low.mp4", "medium.mp4"], fetch })).toBe("medium.mp4");
  });

  it("appends ?token= only when a token is given", async () => {
    const signed = fakeFetch({ "low.mp4": 200 });
    await probeRenditions({ ...base, names: ["low.mp4"], token: "a.b.c", fetch: signed.fetch });
    expect(signed.calls[0]?.url).toBe("https://stream.example.test/PLAY123/low.mp4?token=a.b.c");

    for (const token of [undefined, null, ""]) {
      const unsigned = fakeFetch({ "low.mp4": 200 });
      await probeRenditions({ ...base, names: ["low.mp4"], token, fetch: unsigned.fetch });
      expect(unsigned.calls[0]?.url).toBe("https://stream.example.test/PLAY123/low.mp4");
    }
  });

  it("returns null when every name fails, after trying each once", async () => {
    const { fetch, calls } = fakeFetch({ "medium.mp4": new Error("ECONNRESET") });
    expect(await probeRenditions({ ...base, names: ["low.mp4", "medium.mp4"], fetch })).toBeNull();
    expect(calls).toHaveLength(2);
  });

  it("returns null without a request when there is nothing to probe", async () => {
    const { fetch, calls } = fakeFetch({});
    expect(await probeRenditions({ ...base, names: [], fetch })).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it("gives up on a request that outlives its timeout and tries the next name", async () => {
    const calls: string[] = [];
    const fetch = ((input: string | URL | Request, init?: RequestInit) => {
      calls.push(String(input));
      if (String(input).endsWith("low.mp4")) {
        return new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        });
      }
      return Promise.resolve(new Response(null, { status: 200 }));
    }) as typeof globalThis.fetch;
    const found = await probeRenditions({ ...base, names: ["low.mp4", "medium.mp4"], fetch, timeoutMs: 20 });
    expect(found).toBe("medium.mp4");
    expect(calls).toHaveLength(2);
  });
});

describe("streamUrl", () => {
  it("tolerates a trailing slash on the base and encodes the token", () => {
    expect(
      streamUrl({ baseUrl: "http://127.0.0.1:9000/", playbackId: "p", name: "low.mp4", token: "x+y/z" }),
    ).toBe("http://127.0.0.1:9000/p/low.mp4?token=x%2By%2Fz");
  });
});

describe("textTrackUrl and imageUrl", () => {
  it("build the text track and image URLs of a playback id, with a token only when given", () => {
    const link = { baseUrl: "https://stream.mux.com/", playbackId: "PLAY123", trackId: "TRK9" };
    expect(textTrackUrl({ ...link, format: "vtt" })).toBe("https://stream.mux.com/PLAY123/text/TRK9.vtt");
    expect(textTrackUrl({ ...link, format: "txt", token: "a.b" })).toBe(
      "https://stream.mux.com/PLAY123/text/TRK9.txt?token=a.b",
    );
    const image = { baseUrl: "https://image.mux.com", playbackId: "PLAY123" };
    expect(imageUrl({ ...image, kind: "thumbnail" })).toBe("https://image.mux.com/PLAY123/thumbnail.jpg");
    expect(imageUrl({ ...image, kind: "storyboard", token: "s" })).toBe(
      "https://image.mux.com/PLAY123/storyboard.vtt?token=s",
    );
    expect(imageUrl({ ...image, kind: "animated" })).toBe("https://image.mux.com/PLAY123/animated.gif");
  });

  // A playback id of "." or ".." would be a dot segment whatever the escaping (the URL standard
  // reads %2E as a dot): ids are Mux ids (mux/ids.ts) before they reach a builder.
  it("keeps every id inside its path segment, whatever else it holds", () => {
    const playback = fc.string().filter((id) => id !== "." && id !== "..");
    fc.assert(
      fc.property(playback, fc.string(), (playbackId, trackId) => {
        const url = new URL(
          textTrackUrl({ baseUrl: "https://stream.test", playbackId, trackId, format: "vtt" }),
        );
        expect(url.origin).toBe("https://stream.test");
        const segments = url.pathname.split("/");
        expect(segments).toHaveLength(4);
        expect(decodeURIComponent(segments[1] ?? "")).toBe(playbackId);
        expect(decodeURIComponent(segments[3] ?? "")).toBe(`${trackId}.vtt`);
        expect(url.search).toBe("");
      }),
    );
  });
});
