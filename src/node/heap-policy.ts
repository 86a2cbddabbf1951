/**
 * How far V8 lets the old generation grow past what the last full collection kept before it
 * collects again. V8's own factor is up to 4× on a machine with a large heap limit: a long
 * reconciliation pass promotes a little of every page (each request's objects are still reachable
 * through undici's abort bookkeeping when a scavenge runs), so the old generation filled with
 * garbage up to four times the live heap, and the peak RSS of a pass grew with the library until
 * that bound. Collecting at 1.5× keeps the peak near the live heap at the cost of more frequent
 * full collections, which are incremental and concurrent (pauses of a few ms at this heap size).
 */
import { setFlagsFromString } from "node:v8";

/** The old generation may grow by this share of the live heap before the next full collection. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = "--heap-growing-percent";

/**
 * Sets the process's V8 heap growth (a process-wide V8 flag, read at every full collection, so it
 * holds from the next one on), unless the process was started with its own `--heap-growing-percent`
 * (an operator's choice wins; 0 is V8's own behaviour). Idempotent; `openNode` calls it.
 */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv): void {
  if (
    execArgv.some(
      (arg) => arg === FLAG || arg.startsWith(`${FLAG}=`) || arg.startsWith("--heap_growing_percent"),
    )
  )
    return;
  setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
}
