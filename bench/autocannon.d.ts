/**
 * The part of autocannon 9's API the benchmarks use. `@types/autocannon` is not a dependency
 * (no new packages), so the shapes are declared here from autocannon's README.
 */
declare module "autocannon" {
  namespace autocannon {
    export type AutocannonRequest = {
      method?: string;
      path?: string;
      body?: string | Buffer;
      headers?: Record<string, string>;
      /** Called before every request on a connection; returns the request to send. */
      setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
    };

    export type AutocannonOptions = {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Stop after this many requests (takes precedence over duration). */
      amount?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: AutocannonRequest[];
      title?: string;
    };

    /** An hdr-histogram-percentiles-obj summary. */
    export type Histogram = {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p2_5: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    };

    export type AutocannonResult = {
      title?: string;
      url: string;
      /** Requests completed per second, sampled each second. */
      requests: Histogram;
      /** Milliseconds. */
      latency: Histogram;
      throughput: Histogram;
      /** Seconds. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      "2xx": number;
      connections: number;
      statusCodeStats: Record<string, { count: number }>;
    };

    export type AutocannonInstance = Promise<AutocannonResult> & { stop(): void };
  }

  // autocannon is CommonJS: `module.exports = autocannon`.
  function autocannon(options: autocannon.AutocannonOptions): autocannon.AutocannonInstance;
  export = autocannon;
}
