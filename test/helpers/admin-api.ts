/**
 * Admin API test helpers: a fake-Mux harness with ADMIN_TOKEN set, a request helper that sends
 * the bearer token and JSON, and a pipeline endpoint (msw) whose answer a test can switch.
 */
import { HttpResponse, http } from "msw";
import { TEST_PIPELINE_SECRET } from "./harness";
import { network } from "./no-network";
import { createFakeMuxHarness, type FakeMuxHarness } from "./with-fake-mux";

export const ADMIN_TOKEN = "admin-token-for-tests-0123456789";
export const PIPELINE_URL = "https://pipeline.test/hooks/mux";

export type AdminHarness = FakeMuxHarness & {
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<Response>;
  /** Sets what the pipeline answers from now on. */
  pipelineAnswers(status: number): void;
};

export async function createAdminHarness(
  env: Record<string, string | undefined> = {},
): Promise<AdminHarness> {
  const h = await createFakeMuxHarness({
    env: { ADMIN_TOKEN, PIPELINE_SECRET: TEST_PIPELINE_SECRET, ...env },
  });
  let pipelineStatus = 200;
  network.use(http.post(PIPELINE_URL, () => new HttpResponse(null, { status: pipelineStatus })));
  const api: AdminHarness["api"] = (method, path, body, token = ADMIN_TOKEN) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return Promise.resolve(
      h.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    );
  };
  return {
    ...h,
    api,
    pipelineAnswers: (status) => {
      pipelineStatus = status;
    },
  };
}

export type ErrorAnswer = {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
};

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
