/**
 * Each bucket's own Standard Webhooks secret: what its deliveries are signed with, so whoever runs
 * one bucket's pipeline cannot forge deliveries another bucket's pipeline accepts. It is sealed at
 * rest like connection secrets, write-only (answers carry its hint), and rotated with a grace
 * period in which deliveries carry both signatures (the spec's space-separated `v1,` list).
 */
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { BucketSecretHints } from "../db/documents";
import { buckets } from "../db/schema";
import { AppError } from "../lib/errors";
import { type SecretBox, secretHint } from "../lib/secret-box";
import type { Deps } from "./deps";

const PREFIX = "whsec_";
/** Standard Webhooks asks for 24 to 64 bytes of key. */
export const PIPELINE_SECRET_BYTES = { min: 24, max: 64, generated: 32 } as const;

/** How long a rotated-out secret still signs by default: a day, to roll the new one out to a pipeline. */
export const DEFAULT_GRACE_SECONDS = 24 * 3600;
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;

type BucketRow = typeof buckets.$inferSelect;

/** Why a value is not a pipeline secret we accept, or null when it is one (`whsec_` + base64 of 24–64 bytes). */
export function pipelineSecretProblem(value: string): string | null {
  const material = value.startsWith(PREFIX) ? value.slice(PREFIX.length) : null;
  if (material === null || !/^[A-Za-z0-9+/]+={0,2}$/.test(material) || material.length % 4 !== 0)
    return "must be whsec_ followed by base64";
  const bytes = (material.length / 4) * 3 - (material.match(/=+$/)?.[0].length ?? 0);
  const { min, max } = PIPELINE_SECRET_BYTES;
  if (bytes < min || bytes > max) return `must hold ${min} to ${max} bytes of key (it holds ${bytes})`;
  return null;
}

export function generatePipelineSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(PIPELINE_SECRET_BYTES.generated));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `${PREFIX}${btoa(binary)}`;
}

/** How answers show a pipeline secret: `whsec_…c0ff`. */
export function presentPipelineSecretHint(hint: string | undefined | null): string | null {
  return hint ? `${PREFIX}…${hint}` : null;
}

/** The columns that make `secret` the bucket's only secret (no rotation in progress). */
export async function sealPipelineSecret(box: SecretBox, secret: string) {
  return {
    pipelineSecret: await box.seal(secret),
    pipelineSecretPrevious: null,
    pipelineSecretPreviousUntil: null,
    secretHints: { pipeline_secret: secretHint(secret) } satisfies BucketSecretHints,
  };
}

/**
 * The columns of a rotation to `secret`: the current ciphertext becomes the previous one as it
 * is (never decrypted), valid until `now + graceMs`; a zero grace drops it at once.
 */
export async function rotatePipelineSecret(
  box: SecretBox,
  row: BucketRow,
  secret: string,
  graceMs: number,
  now: number,
) {
  const sealed = await sealPipelineSecret(box, secret);
  if (graceMs <= 0 || !row.pipelineSecret) return sealed;
  return {
    ...sealed,
    pipelineSecretPrevious: row.pipelineSecret,
    pipelineSecretPreviousUntil: now + graceMs,
    secretHints: { ...sealed.secretHints, pipeline_secret_previous: row.secretHints.pipeline_secret },
  };
}

/**
 * The secrets a delivery of this bucket is signed with: its own, plus the previous one while its
 * grace lasts (a previous one past its grace is wiped here). A bucket without a secret, or whose
 * secret cannot be opened, delivers nothing: deliveries are never sent unsigned.
 */
export async function deliverySecrets(
  deps: Pick<Deps, "database" | "box" | "clock">,
  row: BucketRow,
): Promise<string[]> {
  if (!row.pipelineSecret) {
    throw new AppError(
      "CONFIG",
      `Bucket ${row.id} has no pipeline secret, and deliveries are always signed: give it one (POST /v1/buckets/${row.id}/rotate-secret), or set PIPELINE_SECRET, which start-up seals into buckets without one`,
    );
  }
  const now = deps.clock.now();
  const previousValid =
    row.pipelineSecretPrevious !== null &&
    row.pipelineSecretPreviousUntil !== null &&
    now < row.pipelineSecretPreviousUntil;
  if (row.pipelineSecretPrevious !== null && !previousValid) await wipeExpiredPrevious(deps, row.id, now);
  const sealed =
    previousValid && row.pipelineSecretPrevious
      ? [row.pipelineSecret, row.pipelineSecretPrevious]
      : [row.pipelineSecret];
  const secrets: string[] = [];
  for (const envelope of sealed) {
    try {
      secrets.push(await deps.box.open(envelope));
    } catch {
      throw new AppError(
        "CONFIG",
        `The pipeline secret of bucket ${row.id} cannot be opened: ENCRYPTION_KEY is not the key that sealed it. Rotate it (POST /v1/buckets/${row.id}/rotate-secret) or run mux-ingest rekey --from-key <old key>`,
      );
    }
  }
  return secrets;
}

/** The `webhook-signature` header: one `v1,` signature per secret, space-separated. */
export function signatureHeader(secrets: string[], id: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(" ");
}

async function wipeExpiredPrevious(deps: Pick<Deps, "database">, bucketId: string, now: number) {
  await deps.database.db
    .update(buckets)
    .set({
      pipelineSecretPrevious: null,
      pipelineSecretPreviousUntil: null,
      secretHints: sql`json_remove(${buckets.secretHints}, '$.pipeline_secret_previous')`,
    })
    .where(sql`${eq(buckets.id, bucketId)} AND ${buckets.pipelineSecretPreviousUntil} <= ${now}`);
}
