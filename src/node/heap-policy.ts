/**
 * How far V8 lets the old generation grow past what the last full collection kept before it
 * collects again. V8's own factor reaches 4× on a machine with a large heap limit, and a long
 * reconciliation pass promotes a little of every page it handles (a Mux request's objects are
 * still reachable through undici's abort bookkeeping when a scavenge runs): without a bound, the
 * old generation would fill with garbage up to four times the live heap, and a pass's peak RSS
 * would grow with the library until then. Collecting at 1.5× keeps the peak near the live heap;
 * the cost is more full collections (incremental and mostly concurrent, the same pauses V8 takes
 * anyway, only more often).
 */
import { setFlagsFromString } from "node:v8";

/** The old generation may grow by this share of the live heap before the next full collection. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = "--heap-growing-percent";

/** The flags node was started with: its command line and `NODE_OPTIONS`, where a container sets them. */
export function nodeStartFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): string[] {
  return [...execArgv, ...(nodeOptions ?? "").split(/\s+/).filter(Boolean)];
}

/**
 * Sets the process's V8 heap growth (a process-wide V8 flag, read at every full collection, so it
 * holds from the next one on), unless the process was started with its own `--heap-growing-percent`
 * (an operator's choice wins; 0 is V8's own behaviour). Idempotent; `openNode` calls it.
 */
export function applyHeapPolicy(startFlags: readonly string[] = nodeStartFlags()): void {
  if (
    startFlags.some(
      (arg) => arg === FLAG || arg.startsWith(`${FLAG}=`) || arg.startsWith("--heap_growing_percent"),
    )
  )
    return;
  setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
}
