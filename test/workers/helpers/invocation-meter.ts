/**
 * Measures one Worker invocation against its budgets: the D1 statements and round trips (the
 * counting binding), and the subrequests it makes besides D1 (fetches that reached the network
 * layer, i.e. Mux and the pipeline, and calls to the Queues producer).
 */
import type { CountingD1 } from "./counting-d1";
import { network } from "./fake-mux";
import type { RecordingQueue } from "./worker-harness";

export type InvocationCost = {
  statements: number;
  roundTrips: number;
  largestBatch: number;
  fetches: number;
  queueSends: number;
  /** Everything that may count as a subrequest: D1 calls, fetches and queue sends. */
  subrequests: number;
  /**
   * Reads that refresh the isolate's caches on the platform clock (webhook routing after 1 s,
   * a connection's credentials after 5 s): whether an invocation makes them depends on time, so
   * budgets count the other statements exactly and bound these. Each is a lone statement.
   */
  cacheRefreshes: number;
  sql: string[];
};

/** At most this many per invocation: the routing's two reads and one connection's credentials. */
export const MAX_CACHE_REFRESHES = 3;

const CACHE_REFRESHES = [
  /^select "id", "environment_id" from "connections" order by/,
  /^select "id", "source_path", "status" from "syncs" where "syncs"."connection_id" = \?/,
  /^select .* from "connections" where "connections"."id" = \?$/,
];

export type InvocationMeter = {
  measure<T>(run: () => Promise<T>): Promise<{ result: T; cost: InvocationCost }>;
};

export function invocationMeter(counter: CountingD1, queue: RecordingQueue): InvocationMeter {
  let fetches = 0;
  network.events.on("request:start", () => {
    fetches++;
  });
  return {
    async measure(run) {
      counter.reset();
      fetches = 0;
      const sendsBefore = queue.sends;
      const result = await run();
      const tally = counter.tally();
      const queueSends = queue.sends - sendsBefore;
      const cost = {
        statements: tally.statements,
        roundTrips: tally.roundTrips,
        largestBatch: tally.largestBatch,
        fetches,
        queueSends,
        subrequests: tally.roundTrips + fetches + queueSends,
        cacheRefreshes: tally.sql.filter((q) => CACHE_REFRESHES.some((pattern) => pattern.test(q))).length,
        sql: tally.sql,
      };
      return { result, cost };
    },
  };
}
