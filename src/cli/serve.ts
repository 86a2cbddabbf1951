import { parseEnv } from "../config/env";
import { startNode } from "../node/start-node";

const EXIT_AFTER_SHUTDOWN_MS = 500;

export async function runServe(_args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = parseEnv(env);
  const node = await startNode(config);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      node.close().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  // Shutdown is complete: requests answered, jobs finished or released, the database closed.
  // A released job may still hold a socket (a pipeline that never answers, a slow Mux call)
  // until its own timeout, up to 30 s past the grace period; its late result is discarded
  // anyway, so do not wait for it. The timer is unref'd: a process with nothing left exits at
  // once, and log lines get a moment to flush.
  setTimeout(() => process.exit(0), EXIT_AFTER_SHUTDOWN_MS).unref();
  return 0;
}
