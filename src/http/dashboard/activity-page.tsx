/**
 * The flow at a glance: the last 24 hours of webhooks received, objects delivered, failures,
 * repairs by the poller and Mux 429s, and the delivery latency percentiles, as SVG charts drawn
 * here, and the same numbers by the hour in a table (for screen readers and for copying).
 */
import type { FC } from "hono/jsx";
import type { ActivitySeries } from "../../db/activity";
import { type ActivityView, binLabel, PERCENTILES } from "../../resources/activity";
import { BarChart, LatencyChart } from "./activity-chart";
import { ConsoleLayout } from "./console-layout";
import type { Notice } from "./notices";

const CHARTS: Array<{ series: ActivitySeries; title: string; unit: string }> = [
  { series: "webhooks", title: "Webhooks received per ten minutes", unit: "webhooks" },
  { series: "delivered", title: "Objects delivered to the pipeline per ten minutes", unit: "deliveries" },
  { series: "failures", title: "Objects that failed per ten minutes", unit: "failures" },
  { series: "repairs", title: "Objects repaired by the poller per ten minutes", unit: "repairs" },
  { series: "mux_429", title: "Mux 429 answers (rate limited) per ten minutes", unit: "429 answers" },
];

const BUCKETS_PER_HOUR = 6;

/** The day's buckets summed by the hour, oldest first. */
function hourly(view: ActivityView) {
  return Array.from({ length: view.starts.length / BUCKETS_PER_HOUR }, (_, h) => {
    const from = h * BUCKETS_PER_HOUR;
    const sum = (series: ActivitySeries) =>
      view.counts[series].slice(from, from + BUCKETS_PER_HOUR).reduce((a, n) => a + n, 0);
    return { start: view.starts[from] ?? "", sum };
  });
}

export const ActivityPage: FC<{ view: ActivityView; csrf: string; notice: Notice | null }> = ({
  view,
  csrf,
  notice,
}) => (
  <ConsoleLayout title="Activity, last 24 hours" current="activity" csrf={csrf} notice={notice}>
    <p class="hint">
      Counted into ten-minute buckets as things happen (times in UTC, the newest bucket on the right); the
      counts start when this version was installed. Latency is from the decision to tell the pipeline to its
      2xx.
    </p>
    <div class="charts">
      {CHARTS.map((chart) => (
        <figure>
          <figcaption>
            {chart.title.replace(" per ten minutes", "")}:{" "}
            <strong data-testid={`total-${chart.series}`}>{view.totals[chart.series]}</strong>
          </figcaption>
          <BarChart
            id={chart.series}
            title={chart.title}
            unit={chart.unit}
            values={view.counts[chart.series]}
            starts={view.starts}
          />
        </figure>
      ))}
      <figure>
        <figcaption>
          Delivery latency:{" "}
          {PERCENTILES.map((p) => (
            <span class={`legend p${p}`} data-testid={`latency-p${p}`}>
              p{p} {binLabel(view.latency_day[p])}{" "}
            </span>
          ))}
        </figcaption>
        <LatencyChart id="latency" latency={view.latency} day={view.latency_day} starts={view.starts} />
      </figure>
    </div>
    <h2>By the hour</h2>
    <table data-testid="activity-hours">
      <caption>The same counts by the hour, oldest first</caption>
      <thead>
        <tr>
          <th scope="col">hour (UTC)</th>
          {CHARTS.map((chart) => (
            <th scope="col" class="num">
              {chart.unit}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {hourly(view).map((hour) => (
          <tr>
            <th scope="row">
              <time datetime={hour.start}>{hour.start.slice(0, 16).replace("T", " ")}</time>
            </th>
            {CHARTS.map((chart) => (
              <td class="num">{hour.sum(chart.series)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </ConsoleLayout>
);
