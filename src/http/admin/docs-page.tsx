/**
 * `GET /docs`: the OpenAPI document rendered on the server as plain HTML, so it reads without
 * JavaScript, without a CDN and without internet access. Each operation shows its parameters,
 * body schema, answers and a curl example; schemas are linked by name. Nothing is inline (the
 * stylesheet is `/assets/docs.css`), so the strict CSP holds.
 */
import type { FC } from "hono/jsx";
import { DOCS_CSS_PATH } from "../assets";

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
        <link rel="stylesheet" href={DOCS_CSS_PATH} />
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
