/**
 * The V8 CPU profiler (what `node --cpu-prof` uses) and its sampling heap profiler inside a
 * benchmark server, each started and stopped by the parent around a measured window, so module
 * loading and tsx's compilation do not show up among a route's costs. The two never share a
 * window: the heap profiler's sampling would show up in the CPU profile.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export type ProfilerRequest =
  | { op: "profile-start" }
  | { op: "profile-stop"; path: string }
  | { op: "allocations-start" }
  | { op: "allocations-stop"; path: string };

const OPS = new Set(["profile-start", "profile-stop", "allocations-start", "allocations-stop"]);

/** Bytes between two samples of the heap profiler: small enough for a route's 1 KiB objects. */
export const ALLOCATION_SAMPLING_BYTES = 4096;

export function isProfilerRequest(request: { op: string }): request is ProfilerRequest {
  return OPS.has(request.op);
}

/**
 * Handles one profiler request: CPU at 200 µs sampling; allocations counted whether or not the
 * object survives (a route's garbage is what its scavenges cost). The profile is written to
 * `path` on stop.
 */
export function createProfiler(): (request: ProfilerRequest) => Promise<null> {
  const session = new Session();
  return async (request) => {
    switch (request.op) {
      case "profile-start":
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 200 });
        await session.post("Profiler.start");
        return null;
      case "profile-stop": {
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(request.path, JSON.stringify(profile));
        session.disconnect();
        return null;
      }
      case "allocations-start":
        session.connect();
        await session.post("HeapProfiler.enable");
        await session.post("HeapProfiler.startSampling", {
          samplingInterval: ALLOCATION_SAMPLING_BYTES,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
        return null;
      case "allocations-stop": {
        const { profile } = await session.post("HeapProfiler.stopSampling");
        writeFileSync(request.path, JSON.stringify(profile));
        session.disconnect();
        return null;
      }
    }
  };
}
