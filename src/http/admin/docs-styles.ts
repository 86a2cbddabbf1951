/** The API docs page's whole stylesheet, served from `/assets/docs.css` (nothing is fetched elsewhere). */
export const DOCS_CSS = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa;display:grid;grid-template-columns:20rem 1fr}
header{grid-column:1/3;padding:1rem 2rem;background:#111;color:#eee}header a{color:#9cf}header small{color:#aaa;font-weight:normal}
nav{padding:1rem;border-right:1px solid #ddd;font-size:13px;position:sticky;top:0;max-height:100vh;overflow:auto}
nav ul{list-style:none;padding:0;margin:0}nav li{margin:.2rem 0}nav a{color:#222;text-decoration:none}
main{padding:1rem 2rem;max-width:60rem}.op,.schema{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.method{display:inline-block;min-width:3.8rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:0 .3rem}
.get{background:#2f7d32}.post{background:#1565c0}.patch{background:#8e6c00}.delete{background:#b71c1c}.put{background:#6a1b9a}
pre{background:#f3f3f3;padding:.5rem;overflow:auto;font-size:12px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.summary{font-weight:600}
`;
