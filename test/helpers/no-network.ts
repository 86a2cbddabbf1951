/**
 * Loaded before every unit and integration test file: an msw server that fails any request no
 * handler claims, so a test can never reach the network by accident. Tests add handlers with
 * `network.use(...)` (see `fake-mux-msw.ts`).
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

export const network = setupServer();

beforeAll(() => network.listen({ onUnhandledRequest: "error" }));
afterEach(() => network.resetHandlers());
afterAll(() => network.close());
