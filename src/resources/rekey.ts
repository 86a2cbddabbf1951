/**
 * Re-seals every secret at rest under a new key: connections' Mux token, webhook and signing
 * secrets, buckets' pipeline secrets (and the one being rotated out). All or nothing: every value
 * is opened with the old key first, and if any does not open nothing is written; the new
 * ciphertexts go in one atomic batch, each guarded on the ciphertext it replaces, so a value
 * changed meanwhile is left as it is rather than overwritten with a stale one.
 */
import { sql } from "drizzle-orm";
import { buckets, connections } from "../db/schema";
import { AppError } from "../lib/errors";
import type { SecretBox } from "../lib/secret-box";
import type { Deps } from "../sync/deps";

export type RekeyResult = { connections: number; buckets: number; values: number };

type Sealed = {
  table: "connections" | "buckets";
  id: string;
  name: string;
  column: string;
  envelope: string;
};

export async function rekeySecrets(
  deps: Pick<Deps, "database" | "clock">,
  input: { from: SecretBox; to: SecretBox },
): Promise<RekeyResult> {
  const sealed = await sealedValues(deps);
  const opened: Array<Sealed & { plain: string }> = [];
  const closed = new Map<string, string>();
  for (const value of sealed) {
    try {
      opened.push({ ...value, plain: await input.from.open(value.envelope) });
    } catch {
      closed.set(
        `${value.table} ${value.id}`,
        `${value.table === "connections" ? "connection" : "bucket"} ${value.id} (${value.name})`,
      );
    }
  }
  if (closed.size > 0) {
    throw new AppError(
      "CONFLICT",
      `The old key does not open the secrets of ${[...closed.values()].join(", ")}: nothing was changed`,
      { details: [...closed.values()] },
    );
  }
  const now = deps.clock.now();
  const statements = [];
  for (const value of opened) {
    const table = value.table === "connections" ? connections : buckets;
    const column = sql.identifier(value.column);
    statements.push(
      sql`UPDATE ${table} SET ${column} = ${await input.to.seal(value.plain)},
            updated_at = MAX(${now}, updated_at + 1)
          WHERE id = ${value.id} AND ${column} = ${value.envelope}`,
    );
  }
  if (statements.length > 0) await deps.database.atomic(statements);
  return {
    connections: new Set(opened.filter((v) => v.table === "connections").map((v) => v.id)).size,
    buckets: new Set(opened.filter((v) => v.table === "buckets").map((v) => v.id)).size,
    values: opened.length,
  };
}

async function sealedValues(deps: Pick<Deps, "database">): Promise<Sealed[]> {
  const { db } = deps.database;
  const out: Sealed[] = [];
  const add = (table: Sealed["table"], id: string, name: string, column: string, envelope: string | null) => {
    if (envelope) out.push({ table, id, name, column, envelope });
  };
  for (const row of await db.select().from(connections).all()) {
    add("connections", row.id, row.name, "access_token_secret", row.accessTokenSecret);
    add("connections", row.id, row.name, "webhook_secrets", row.webhookSecrets);
    add("connections", row.id, row.name, "signing_private_key", row.signingPrivateKey);
  }
  for (const row of await db.select().from(buckets).all()) {
    add("buckets", row.id, row.name, "pipeline_secret", row.pipelineSecret);
    add("buckets", row.id, row.name, "pipeline_secret_previous", row.pipelineSecretPrevious);
  }
  return out;
}
