/**
 * `GET /docs`: the OpenAPI document rendered on the server as plain HTML, so it reads without
 * JavaScript, without a CDN and without internet access. Each operation shows its parameters,
 * body schema, answers and a curl example; schemas are linked by name.
 */
import type { FC } from "hono/jsx";

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
};
export type OpenApiDocument = {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function refName(schema: Schema | undefined): string | null {
  const ref = schema?.$ref;
  return typeof ref === "string" ? ref.replace("#/components/schemas/", "") : null;
}

const SchemaLink: FC<{ schema: Schema | undefined }> = ({ schema }) => {
  const name = refName(schema);
  if (name) return <a href={`#schema-${name}`}>{name}</a>;
  return <pre>{JSON.stringify(schema ?? {}, null, 2)}</pre>;
};

function curlFor(method: string, path: string, op: Operation): string {
  const url = `$BASE${path.replace(/\{(\w+)\}/g, (_m, name: string) => `$${name.toUpperCase()}`)}`;
  const parts = [`curl -sS -X ${method.toUpperCase()} "${url}"`, `-H "Authorization: Bearer $ADMIN_TOKEN"`];
  if (op.requestBody) parts.push(`-H "Content-Type: application/json"`, `-d '{…}'`);
  return parts.join(" \\\n  ");
}

const OperationView: FC<{ method: string; path: string; op: Operation }> = ({ method, path, op }) => (
  <section class="op" id={`${method}-${path}`}>
    <h3>
      <span class={`method ${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
    </h3>
    {op.summary && <p class="summary">{op.summary}</p>}
    {op.description && <p>{op.description}</p>}
    {op.parameters && op.parameters.length > 0 && (
      <table>
        <thead>
          <tr>
            <th>parameter</th>
            <th>in</th>
            <th>required</th>
            <th>description</th>
          </tr>
        </thead>
        <tbody>
          {op.parameters.map((p) => (
            <tr>
              <td>
                <code>{p.name}</code>
              </td>
              <td>{p.in}</td>
              <td>{p.required ? "yes" : "no"}</td>
              <td>
                {p.description ?? (p.schema?.enum ? `one of ${(p.schema.enum as string[]).join(", ")}` : "")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    {op.requestBody?.content?.["application/json"] && (
      <p>
        Body (JSON): <SchemaLink schema={op.requestBody.content["application/json"].schema} />
      </p>
    )}
    <ul class="responses">
      {Object.entries(op.responses ?? {}).map(([status, response]) => (
        <li>
          <strong>{status}</strong> {response.description}
          {response.content?.["application/json"] && (
            <>
              {" "}
              → <SchemaLink schema={response.content["application/json"].schema} />
            </>
          )}
        </li>
      ))}
    </ul>
    <pre class="curl">{curlFor(method, path, op)}</pre>
  </section>
);

export const DocsPage: FC<{ doc: OpenApiDocument }> = ({ doc }) => {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Operation })),
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info.title} · API</title>
        <style>{DOCS_CSS}</style>
      </head>
      <body>
        <header>
          <h1>
            {doc.info.title} <small>v{doc.info.version}</small>
          </h1>
          {doc.info.description && <p>{doc.info.description}</p>}
          <p>
            Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Every <code>/v1</code>{" "}
            route needs <code>Authorization: Bearer $ADMIN_TOKEN</code>.
          </p>
        </header>
        <nav>
          <ul>
            {operations.map(({ method, path }) => (
              <li>
                <a href={`#${method}-${path}`}>
                  <span class={`method ${method}`}>{method.toUpperCase()}</span> {path}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main>
          {operations.map(({ method, path, op }) => (
            <OperationView method={method} path={path} op={op} />
          ))}
          <h2>Schemas</h2>
          {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
            <section class="schema" id={`schema-${name}`}>
              <h3>{name}</h3>
              <pre>{JSON.stringify(schema, null, 2)}</pre>
            </section>
          ))}
        </main>
      </body>
    </html>
  );
};

const DOCS_CSS = `
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
