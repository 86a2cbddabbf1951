/**
 * The Node runtime running: one process with the HTTP server, the job runner and the poller over
 * an embedded SQLite file, and the maintenance loop (retention). `startNode(config)` is used by `mux-ingest serve`, the demo and the
 * end-to-end tests; it returns a handle that shuts everything down in order.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Config } from "../config/env";
import { MaintenanceLoop } from "./maintenance";
import { type NodeGraph, type NodeOptions, openNode } from "./open-node";
import { Poller } from "./poller";

export type NodeHandle = NodeGraph & {
  url: string;
  port: number;
  /** Stops accepting requests, lets in-flight work finish (bounded), closes the database. */
  close(): Promise<void>;
};

export type StartOptions = NodeOptions & {
  /** Start the job runner loops and the poller (default true). */
  runJobs?: boolean;
  /** How often the poller looks for due syncs. */
  pollerTickMs?: number;
};

/** How long running jobs may finish at shutdown before their leases are released. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function startNode(config: Config, options: StartOptions = {}): Promise<NodeHandle> {
  const graph = await openNode(config, options);
  const { runner, logger, database } = graph;
  const poller = new Poller(graph.deps, options.pollerTickMs);
  const maintenance = new MaintenanceLoop(graph.deps, graph.retention);
  if (options.runJobs !== false) {
    runner.start();
    poller.start();
    maintenance.start();
  }

  const server = await new Promise<ReturnType<typeof serve>>((resolveServer) => {
    const s = serve({ fetch: graph.app.fetch, port: config.server.port, hostname: config.server.host }, () =>
      resolveServer(s),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.server.host === "0.0.0.0" ? "127.0.0.1" : config.server.host;
  const url = `http://${host}:${port}`;
  logger.info("mux-ingest listening", { url, database: config.databasePath });

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      // Stop accepting first; requests already in flight (webhooks being written) complete.
      await closeServer(server);
      await poller.stop();
      await maintenance.stop();
      await runner.stop(SHUTDOWN_GRACE_MS);
      database.close();
      logger.info("mux-ingest stopped");
    })();
    return closing;
  };
  return { ...graph, url, port, close };
}

/**
 * Stops listening and resolves once the requests in flight are answered. A keep-alive socket
 * whose request finishes after `close()` would otherwise stay open for the whole keep-alive
 * timeout (5 s) and hold the shutdown up that long, so idle sockets are swept until it is done.
 */
function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  return new Promise<void>((done) => {
    const sweep = setInterval(() => closeIdle(server), 50);
    server.close(() => {
      clearInterval(sweep);
      done();
    });
    closeIdle(server);
  });
}

function closeIdle(server: ReturnType<typeof serve>): void {
  if ("closeIdleConnections" in server) server.closeIdleConnections();
}
