/**
 * BENCHMARKS.md's paragraph on choosing the young generation's bound, from
 * `bench/results/young-generation.json`: one `npm run bench -- poller` per candidate value of
 * `YOUNG_SEMI_SPACE_MIB` (src/node/heap-policy.ts), summarised from each run's poller.json.
 */

export type YoungGenerationCandidate = {
  flag: string;
  startedAt: string;
  loadAverage: { before: number; after: number };
  peakRss: Array<{ assets: number; peakRssMiB: number }>;
  peakRatio: number;
  largestInitialWallSeconds: number;
  /** The same run's pass without any of the bounds: the run's own yardstick for a busy machine. */
  unboundedInitialWallSeconds: number;
  unboundedPeakRssMiB: number;
};

export type YoungGenerationResult = { command: string; candidates: YoungGenerationCandidate[] };

type Format = {
  n: (value: number, digits?: number) => string;
  table: (header: string[], rows: Array<Array<string | number>>) => string;
};

export function youngGenerationParagraph(result: YoungGenerationResult, f: Format): string {
  const { n, table } = f;
  return [
    `**Choosing the young generation's bound.** ${result.command}. Peak RSS per library size, the 100k pass's wall time, and the same run's unbounded pass (node's defaults, no bounds) as the yardstick for how busy the machine was; the runs were not made under the same load, so compare each pass's wall time with its own run's yardstick:`,
    "",
    table(
      [
        "node flag",
        "peak RSS 1k / 10k / 100k",
        "100k / 1k",
        "100k pass wall",
        "unbounded pass wall (same run)",
        "load average",
        "ran",
      ],
      result.candidates.map((c) => [
        c.flag,
        `${c.peakRss.map((p) => n(p.peakRssMiB, 1)).join(" / ")} MiB`,
        n(c.peakRatio, 3),
        `${n(c.largestInitialWallSeconds, 1)} s`,
        `${n(c.unboundedInitialWallSeconds, 1)} s`,
        `${n(c.loadAverage.before, 2)} → ${n(c.loadAverage.after, 2)}`,
        c.startedAt,
      ]),
    ),
  ].join("\n");
}
