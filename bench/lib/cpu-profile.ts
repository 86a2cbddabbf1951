/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the busy time went, by frame
 * (self time), by package or source file, and the inclusive time of mux-ingest's own functions.
 * Idle time is reported apart so the shares are shares of work.
 */
import { readFileSync } from "node:fs";
import { REPO_DIR } from "./results";

/** A V8 call frame, as both the CPU profile and the sampling heap profile give it. */
export type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type FrameShare = { frame: string; ms: number; percent: number };
export type ProfileSummary = {
  busyMs: number;
  idleMs: number;
  /** Self time of single frames. */
  topSelf: FrameShare[];
  /** Self time grouped by npm package, Node core module or mux-ingest source file. */
  byOwner: FrameShare[];
  /** Inclusive time of functions in src/ (a function's callees included; recursion counted once). */
  ownFunctionsInclusive: FrameShare[];
};

const IDLE = new Set(["(idle)"]);

export function summariseProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });

  let idleUs = 0;
  let busyUs = 0;
  const frameSelf = new Map<string, number>();
  const ownerSelf = new Map<string, number>();
  const ownInclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    if (IDLE.has(node.callFrame.functionName)) {
      idleUs += us;
      continue;
    }
    busyUs += us;
    add(frameSelf, frameLabel(node), us);
    add(ownerSelf, ownerOf(node.callFrame), us);
    // Walk up the stack once, crediting each of our functions at most once per sample.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current);
      if (!frame || !isOwn(frame)) continue;
      const label = frameLabel(frame);
      if (seen.has(label)) continue;
      seen.add(label);
      add(ownInclusive, label, us);
    }
  }
  const shares = (map: Map<string, number>): FrameShare[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, us]) => ({
        frame,
        ms: Math.round(us / 1000),
        percent: Math.round((us / Math.max(1, busyUs)) * 1000) / 10,
      }));
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    topSelf: shares(frameSelf),
    byOwner: shares(ownerSelf),
    ownFunctionsInclusive: shares(ownInclusive),
  };
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function shortUrl(url: string): string {
  const local = url.replace(/^file:\/\//, "");
  const modules = local.lastIndexOf("/node_modules/");
  if (modules >= 0) return local.slice(modules + "/node_modules/".length);
  if (local.startsWith(`${REPO_DIR}/`)) return local.slice(REPO_DIR.length + 1);
  return local;
}

function frameLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || "(anonymous)";
  if (!url) return name;
  // Our sources run through tsx: their line numbers are those of the transpiled code, so omitted.
  if (isOwn(node)) return `${name} ${shortUrl(url)}`;
  return `${name} ${shortUrl(url)}:${lineNumber + 1}`;
}

function isOwn(node: ProfileNode): boolean {
  return node.callFrame.url.includes(`${REPO_DIR}/src/`);
}

/** `better-sqlite3`, `node:internal/http`, `src/resources/webhook-events.ts`, or a V8 pseudo-frame. */
export function ownerOf({ url, functionName }: CallFrame): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native / V8 builtins)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const short = shortUrl(url);
  if (url.includes("/node_modules/")) {
    const parts = short.split("/");
    return (parts[0]?.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
  }
  return short;
}
