/** How long ago (or how soon) a moment is, as the dashboard's pages show it: `12s ago`, `in 3m`, with the exact time on hover. */
import type { FC } from "hono/jsx";

export function ago(iso: string | null, now: string | null): string {
  if (!iso) return "—";
  const ms = Date.parse(now ?? iso) - Date.parse(iso);
  const s = Math.round(Math.abs(ms) / 1000);
  const text =
    s < 60
      ? `${s}s`
      : s < 3600
        ? `${Math.round(s / 60)}m`
        : s < 86400
          ? `${Math.round(s / 3600)}h`
          : `${Math.round(s / 86400)}d`;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

export const Time: FC<{ iso: string | null; now: string | null }> = ({ iso, now }) => (
  <time datetime={iso ?? ""} title={iso ?? ""}>
    {ago(iso, now)}
  </time>
);
