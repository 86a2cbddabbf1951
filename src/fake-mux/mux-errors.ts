/** Mux's error bodies: `{"error":{"type","messages"}}`, with the wording Mux uses. */

export function muxError(status: number, type: string, message: string, headers?: HeadersInit): Response {
  const responseHeaders = new Headers(headers);
  responseHeaders.set("content-type", "application/json");
  return new Response(JSON.stringify({ error: { type, messages: [message] } }), {
    status,
    headers: responseHeaders,
  });
}

export const unauthorized = (): Response => muxError(401, "unauthorized", "Unauthorized request");

export const forbidden = (): Response =>
  muxError(403, "forbidden", "The access token used does not have permission to perform this action.");

export const notFound = (): Response =>
  muxError(404, "not_found", "The requested resource either doesn't exist or you don't have access to it.");

export const invalidParameters = (message: string): Response => muxError(400, "invalid_parameters", message);

export const tooManyRequests = (retryAfterSeconds: number): Response =>
  muxError(429, "too_many_requests", "Rate limit exceeded. Please slow down and retry later.", {
    "retry-after": String(retryAfterSeconds),
  });

export const injectedServerError = (status: number): Response =>
  muxError(status, "internal_server_error", "An internal error occurred (injected by the fake Mux).");
