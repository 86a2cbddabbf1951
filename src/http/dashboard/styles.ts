/** The dashboard's whole stylesheet, served from `/assets/dashboard.css` (nothing is fetched elsewhere). */
export const DASHBOARD_CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{display:flex;gap:1rem;align-items:baseline;padding:.8rem 1.5rem;background:#14161a;color:#eee}
header h1{font-size:1.2rem;margin:0}header a{color:#9cf}.inline{display:inline;margin-left:auto}
button.link{background:none;border:0;color:#9cf;cursor:pointer;font:inherit;padding:0}
main{padding:0 1.5rem 2rem;max-width:90rem}h2{font-size:1.05rem;margin:1.6rem 0 .5rem}h3{font-size:.95rem;margin:.3rem 0 .6rem}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}th,td{border-bottom:1px solid #e6e8eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#fafbfc;font-weight:600;color:#444}.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px}.muted{color:#5f6368;font-size:12px}header .muted{color:#b8bcc4}.good{color:#1b7f3b}.bad{color:#b3261e}
.notice{padding:.5rem .8rem;border-radius:4px;background:#fff;border:1px solid currentColor}
.bucket{background:#fff;border:1px solid #e6e8eb;border-radius:6px;padding:.6rem .8rem;margin-bottom:.8rem}
.states{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:.5rem}
.state{display:flex;flex-direction:column;align-items:center;min-width:7.5rem;padding:.4rem;border-radius:6px;background:#f0f2f5;font-size:12px}
.state .count{font-size:1.4rem;font-weight:600;font-variant-numeric:tabular-nums}
.state.delivered{background:#e3f4e8}.state.ready{background:#e6f0fb}.state.failed{background:#fde8e6}.state.skipped{background:#f4f0e0}.state.deleted{background:#eee}
.status{padding:0 .4rem;border-radius:3px;background:#eee}.status.active{background:#e3f4e8}.status.paused{background:#f4f0e0}.status.suspended{background:#fde8e6}
.pill{display:inline-block;margin-right:.6rem;padding:.2rem .6rem;border-radius:99px;background:#fff;border:1px solid #e6e8eb}.pill.dead strong{color:#b3261e}
.message{max-width:32rem;word-break:break-word}
.login{max-width:26rem;margin:10vh auto;background:#fff;padding:1.5rem;border-radius:8px;border:1px solid #e6e8eb}
.login input{width:100%;padding:.5rem;margin:.4rem 0 .8rem;font:inherit}.login button,td button{padding:.35rem .9rem;font:inherit;cursor:pointer}
.hint{color:#5f6368;font-size:12px}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#14161a;padding:.4rem .8rem}.skip:focus{left:.5rem;z-index:2}
.brand{margin:0;font-weight:600;font-size:1.1rem}.brand a{color:#eee;text-decoration:none}
.nav{display:flex;flex-wrap:wrap;gap:.9rem;list-style:none;margin:0;padding:0}.nav a[aria-current=page]{font-weight:600;text-decoration:underline}
.buckets .nav a{color:#0b57d0}
.find form{display:flex;gap:.4rem;align-items:center;font-size:13px}.find input{width:16rem;padding:.2rem .4rem;font:inherit}
main>h1{font-size:1.25rem;margin:1.2rem 0 .6rem}.subtitle{margin:-.4rem 0 .8rem;color:#444;word-break:break-word}
a{color:#0b57d0}:focus-visible{outline:2px solid #0b57d0;outline-offset:2px}
ul.states{list-style:none;padding:0}.state a{display:flex;flex-direction:column;align-items:center;color:inherit;text-decoration:none}
.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-end;background:#fff;border:1px solid #e6e8eb;border-radius:6px;padding:.6rem .8rem}
.filters div{display:flex;flex-direction:column;gap:.2rem}.filters label{font-size:12px;font-weight:600;color:#444}
.filters input,.filters select,.filters button,.bulk button,.actions button{padding:.3rem .6rem;font:inherit}
.bulk{margin:.8rem 0}.pager{display:flex;gap:1.2rem;margin:.8rem 0}
.story{background:#fff;border:1px solid #e6e8eb;border-radius:6px;padding:.6rem 1rem}.story h2{margin-top:.4rem}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.6rem 0}.actions .inline{margin-left:0}
.links{padding-left:1.2rem}.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;padding:.6rem .8rem;border:1px solid #e6e8eb;border-radius:6px}
.facts dt{font-weight:600;color:#444}.facts dd{margin:0}caption{text-align:left;font-weight:600;padding:.3rem 0;color:#444}
.row-actions{white-space:nowrap}.row-actions .inline{margin-left:0}
.status.delivered,.status.ready{background:#e3f4e8}.status.failed{background:#fde8e6}.status.skipped{background:#f4f0e0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:.8rem}
.charts figure{margin:0;background:#fff;border:1px solid #e6e8eb;border-radius:6px;padding:.5rem .7rem}
.charts figcaption{font-size:13px;color:#444;margin-bottom:.3rem}.chart{width:100%;height:auto;display:block}
.chart .bars rect{fill:#0b57d0}.chart .axis text{font-size:10px;fill:#5f6368}.chart .axis line{stroke:#9aa0a6}
.chart polyline{fill:none;stroke-width:1.5}.chart .p50,.legend.p50{stroke:#1b7f3b;color:#1b7f3b}
.chart .p95,.legend.p95{stroke:#b06000;color:#8a4b00}.chart .p99,.legend.p99{stroke:#b3261e;color:#b3261e}
`;
