/**
 * Summarises a V8 sampling heap profile (`HeapProfiler.stopSampling`, objects collected by the
 * scavenger included): the bytes a window allocated, per request and by owner of the allocating
 * frame (npm package, Node core module or source file, as `cpu-profile.ts` names them).
 */
import { readFileSync } from "node:fs";
import { type CallFrame, ownerOf } from "./cpu-profile";

type HeapNode = { callFrame: CallFrame; selfSize: number; children: HeapNode[] };

export type OwnerBytes = { owner: string; bytesPerRequest: number };
export type AllocationSummary = {
  /** The profiler's sampling interval, in bytes. */
  samplingBytes: number;
  requests: number;
  bytesPerRequest: number;
  /** The largest owners, by bytes allocated per request in their own frames. */
  byOwner: OwnerBytes[];
};

export function summariseAllocations(
  path: string,
  sampling: { requests: number; samplingBytes: number },
  top = 10,
): AllocationSummary {
  const { requests, samplingBytes } = sampling;
  const { head } = JSON.parse(readFileSync(path, "utf8")) as { head: HeapNode };
  const byOwner = new Map<string, number>();
  let total = 0;
  const stack: HeapNode[] = [head];
  for (let node = stack.pop(); node; node = stack.pop()) {
    total += node.selfSize;
    if (node.selfSize > 0) {
      const owner = ownerOf(node.callFrame);
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + node.selfSize);
    }
    stack.push(...node.children);
  }
  const perRequest = (bytes: number) => Math.round(bytes / Math.max(1, requests));
  return {
    samplingBytes,
    requests,
    bytesPerRequest: perRequest(total),
    byOwner: [...byOwner.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([owner, bytes]) => ({ owner, bytesPerRequest: perRequest(bytes) })),
  };
}
