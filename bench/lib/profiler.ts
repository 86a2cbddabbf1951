/**
 * The V8 CPU profiler (what `node --cpu-prof` uses) inside a benchmark server, started and
 * stopped by the parent around a measured window, so module loading and tsx's compilation do
 * not show up among a route's costs.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export type ProfilerRequest = { op: "profile-start" } | { op: "profile-stop"; path: string };

export function isProfilerRequest(request: { op: string }): request is ProfilerRequest {
  return request.op === "profile-start" || request.op === "profile-stop";
}

/** Handles one profiler request (200 µs sampling); the profile is written to `path` on stop. */
export function createProfiler(): (request: ProfilerRequest) => Promise<null> {
  const session = new Session();
  return async (request) => {
    if (request.op === "profile-start") {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 200 });
      await session.post("Profiler.start");
      return null;
    }
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(request.path, JSON.stringify(profile));
    session.disconnect();
    return null;
  };
}
