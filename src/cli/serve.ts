import { parseEnv } from "../config/env";
import { startNode } from "../node";
import type { Command } from "./commands";

export const serveCommand: Command = {
  summary: "HTTP server, job workers and poller in one process",
  help: "Usage: mux-ingest serve\n\nServes POST /webhooks/mux, the admin API and the dashboard on $PORT (default 8787),\nruns the job workers and the reconciliation poller. Configuration: environment variables (see README).\nStops gracefully on SIGTERM or SIGINT.",
  async run(_args, env) {
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
    return 0;
  },
};
