/**
 * Charts drawn on the server as SVG, no script: bars for counts per bucket, lines for the latency
 * percentiles (the y axis is the latency bin, which the bins' roughly logarithmic bounds make a
 * log scale). Each chart is an image with a `<title>` and a `<desc>` saying what it shows in
 * words (the total, the busiest bucket); the page beside them has the same numbers as a table.
 */
import type { FC } from "hono/jsx";
import { LATENCY_BINS_MS } from "../../db/activity";
import { binLabel, type LatencyBin, PERCENTILES, type Percentile } from "../../resources/activity";

const WIDTH = 720;
const HEIGHT = 120;
const LEFT = 44;
const BOTTOM = 18;

const hourOf = (iso: string) => iso.slice(11, 16);

/** Ticks under the x axis every six hours, in UTC. */
const TimeAxis: FC<{ starts: string[] }> = ({ starts }) => {
  const step = (WIDTH - LEFT) / starts.length;
  return (
    <g class="axis">
      {starts.map((start, i) =>
        i % 36 === 0 ? (
          <text x={LEFT + i * step} y={HEIGHT - 4}>
            {hourOf(start)}
          </text>
        ) : null,
      )}
    </g>
  );
};

export const BarChart: FC<{
  id: string;
  title: string;
  unit: string;
  values: number[];
  starts: string[];
}> = ({ id, title, unit, values, starts }) => {
  const max = Math.max(1, ...values);
  const total = values.reduce((sum, n) => sum + n, 0);
  const peak = values.indexOf(Math.max(...values));
  const plot = HEIGHT - BOTTOM - 4;
  const step = (WIDTH - LEFT) / values.length;
  const desc =
    total === 0
      ? `No ${unit} in the last 24 hours.`
      : `${total} ${unit} in the last 24 hours; the busiest ten minutes, from ${hourOf(starts[peak] ?? "")} UTC, had ${values[peak]}.`;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-testid={`chart-${id}`}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      <g class="axis">
        <text x={LEFT - 4} y={10} text-anchor="end">
          {max}
        </text>
        <text x={LEFT - 4} y={HEIGHT - BOTTOM} text-anchor="end">
          0
        </text>
        <line x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH} y2={HEIGHT - BOTTOM} />
      </g>
      <g class="bars">
        {values.map((n, i) =>
          n > 0 ? (
            <rect
              x={(LEFT + i * step).toFixed(1)}
              y={(HEIGHT - BOTTOM - (n / max) * plot).toFixed(1)}
              width={Math.max(1, step - 1).toFixed(1)}
              height={((n / max) * plot).toFixed(1)}
            />
          ) : null,
        )}
      </g>
      <TimeAxis starts={starts} />
    </svg>
  );
};

export const LatencyChart: FC<{
  id: string;
  latency: Record<Percentile, Array<LatencyBin | null>>;
  day: Record<Percentile, LatencyBin | null>;
  starts: string[];
}> = ({ id, latency, day, starts }) => {
  const top = LATENCY_BINS_MS.length;
  const plot = HEIGHT - BOTTOM - 8;
  const step = (WIDTH - LEFT) / starts.length;
  const y = (bin: number) => (HEIGHT - BOTTOM - (bin / top) * plot).toFixed(1);
  const points = (series: Array<LatencyBin | null>) =>
    series
      .map((bin, i) => (bin === null ? null : `${(LEFT + (i + 0.5) * step).toFixed(1)},${y(bin)}`))
      .filter((p) => p !== null)
      .join(" ");
  const desc =
    day[50] === null
      ? "Nothing was delivered in the last 24 hours."
      : `Over the last 24 hours: p50 ${binLabel(day[50])}, p95 ${binLabel(day[95])}, p99 ${binLabel(day[99])}.`;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-testid={`chart-${id}`}
    >
      <title id={`${id}-title`}>Delivery latency percentiles per ten minutes</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      <g class="axis">
        {[0, 4, 8, 12].map((bin) => (
          <text x={LEFT - 4} y={y(bin)} text-anchor="end">
            {binLabel(bin).replace("≤ ", "")}
          </text>
        ))}
        <line x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH} y2={HEIGHT - BOTTOM} />
      </g>
      {PERCENTILES.map((p) => (
        <polyline class={`p${p}`} points={points(latency[p])} />
      ))}
      <TimeAxis starts={starts} />
    </svg>
  );
};
