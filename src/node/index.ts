/**
 * The Node service as a library (`mux-ingest/node` in the built package): parse the
 * configuration, then open the graph (`openNode`, for one-off commands) or run it whole
 * (`startNode`: HTTP server, job workers, poller).
 */
export { type Config, ConfigError, parseEnv } from "../config/env";
export { type NodeGraph, type NodeOptions, openNode } from "./open-node";
export { type NodeHandle, type StartOptions, startNode } from "./start-node";
