/**
 * The Cloudflare Workers entry: the same Hono app and domain code as on Node, on D1 (state),
 * Queues (jobs) and a Cron Trigger (the poller). Only adapters live under `src/workers/`.
 *
 * - `fetch` serves `createApp` (webhooks, health, API). When a request wrote jobs, their queue
 *   messages are sent after the answer (`waitUntil`): the 200 only waits for the D1 write.
 * - `queue` runs the job each message names, or dead-letters it for the dead-letter queue.
 * - `scheduled` queues due syncs and repairs jobs whose message never came.
 *
 * A bad configuration answers 500 with the list of problems (variable names, never values).
 */
import type { ExecutionContext, MessageBatch, ScheduledController } from "@cloudflare/workers-types";
import { ConfigError } from "./config/env";
import { errorBody } from "./http/errors";
import { describeError } from "./lib/errors";
import type { WorkerBindings } from "./workers/bindings";
import { runCronTick } from "./workers/cron";
import { handleQueueBatch } from "./workers/queue-handler";
import { runtimeFor, type WorkerRuntime } from "./workers/runtime";

async function fetchHandler(request: Request, env: WorkerBindings, ctx: ExecutionContext): Promise<Response> {
  let runtime: WorkerRuntime;
  try {
    runtime = await runtimeFor(env);
  } catch (err) {
    return startupFailure(err);
  }
  const ringsBefore = runtime.deps.doorbell.rings;
  const response = await runtime.app.fetch(request);
  if (runtime.deps.doorbell.rings !== ringsBefore) {
    ctx.waitUntil(
      runtime.dispatcher.dispatchRecent().catch((err: unknown) => {
        runtime.logger.error("Could not dispatch jobs; the cron will", { error: describeError(err) });
      }),
    );
  }
  return response;
}

async function queueHandler(batch: MessageBatch<unknown>, env: WorkerBindings): Promise<void> {
  // A configuration error throws here: Queues retries the batch once the config is fixed.
  await handleQueueBatch(await runtimeFor(env), batch);
}

async function scheduledHandler(controller: ScheduledController, env: WorkerBindings): Promise<void> {
  await runCronTick(await runtimeFor(env), controller.cron);
}

function startupFailure(err: unknown): Response {
  if (err instanceof ConfigError) {
    console.error(
      JSON.stringify({ level: "error", msg: "Invalid Worker configuration", problems: err.problems }),
    );
    return Response.json(
      errorBody("CONFIG", "The Worker's configuration is invalid; fix these and redeploy", err.problems),
      { status: 500 },
    );
  }
  console.error(JSON.stringify({ level: "error", msg: "Worker start-up failed", error: describeError(err) }));
  return Response.json(errorBody("INTERNAL", "The Worker could not start"), { status: 500 });
}

// The one default export: Wrangler needs it (biome.json exempts this file from noDefaultExport).
export default {
  fetch: fetchHandler,
  queue: queueHandler,
  scheduled: scheduledHandler,
};
