/** A request the fake (or Mux) refuses: a 400 over HTTP, an exception on the handle. */
export class SpecError extends Error {}
