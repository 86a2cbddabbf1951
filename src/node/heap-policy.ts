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

/**
 * The young generation's semi-space bound, in MiB. V8 grows each semi-space to 16 MiB on a long
 * pass (node's default on a 64-bit machine), and what a scavenge leaves in it counts in the
 * process's RSS: a 100k-asset pass then peaked 40 % above a 1k pass. The bound only takes effect
 * when node starts (a scavenger's spaces are sized once), so it is a start flag: the installed
 * command's shebang (`bin/mux-ingest.js`), the Dockerfile's ENTRYPOINT and the benchmarks'
 * service processes (`bench/lib/child.ts`) give it, and `test/unit/start-flags.test.ts` holds
 * them to this value. Chosen by `npm run bench -- poller` and `-- webhook-ingest` (BENCHMARKS.md §1, §4).
 */
export const YOUNG_SEMI_SPACE_MIB = 2;

/**
 * The node flag that sets `YOUNG_SEMI_SPACE_MIB`. Given on node's command line, it wins over the
 * same flag in `NODE_OPTIONS`: an operator who wants another bound starts node with their own
 * (`node --max-semi-space-size=8 "$(command -v mux-ingest)" serve`).
 */
export const YOUNG_GENERATION_FLAG = `--max-semi-space-size=${YOUNG_SEMI_SPACE_MIB}`;

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
