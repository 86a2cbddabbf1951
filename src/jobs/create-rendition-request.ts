/**
 * Asking Mux for a static rendition, the enqueuer's half of the create-rendition job (its handler,
 * `create-rendition.ts`, re-judges objects through their ingest jobs, and the ingest job asks:
 * declared apart so neither imports the other). A request is a `rendition_requests` row inserted
 * (or, after a 403, re-armed) in the caller's atomic batch with a fresh token; the job is queued
 * in the same batch only if the row now carries that token, i.e. only if this write asked. So a
 * resolution is asked for once per connection and asset, however many ingest jobs, retries,
 * restarts, duplicate events or syncs over the connection judge the asset.
 */
import { and, eq, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { z } from "zod";
import { type RenditionRequestRow, renditionRequests } from "../db/rendition-requests";
import { muxIdSchema } from "../mux/ids";
import { STATIC_RENDITION_RESOLUTIONS, type StaticRenditionResolution } from "../mux/rendition-names";
import type { Deps } from "../sync/deps";
import { type JobShape, requestFor } from "./job-type";

const createRenditionPayload = z.object({
  connectionId: z.string(),
  assetId: muxIdSchema,
  resolution: z.enum(STATIC_RENDITION_RESOLUTIONS),
});
export type CreateRenditionInput = z.output<typeof createRenditionPayload>;

export const createRenditionShape = {
  type: "create-rendition",
  payload: createRenditionPayload,
  key: ({ connectionId, assetId, resolution }) => `create-rendition:${connectionId}:${assetId}:${resolution}`,
} satisfies JobShape<CreateRenditionInput>;

/**
 * The statements that ask for each resolution, to run in the caller's batch; `guard` (the object
 * write having won) must hold for anything to be asked.
 */
export function askStatements(
  deps: Pick<Deps, "jobs" | "clock">,
  target: { connectionId: string; assetId: string },
  resolutions: readonly StaticRenditionResolution[],
  guard: SQL = sql`1`,
): SQLWrapper[] {
  const now = deps.clock.now();
  return resolutions.flatMap((resolution) => {
    const token = crypto.randomUUID();
    const { connectionId, assetId } = target;
    return [
      sql`INSERT INTO rendition_requests (connection_id, asset_id, resolution, status, token, requested_at)
          SELECT ${connectionId}, ${assetId}, ${resolution}, 'requested', ${token}, ${now} WHERE ${guard}
          ON CONFLICT (connection_id, asset_id, resolution) DO UPDATE SET
            status = 'requested', token = excluded.token, requested_at = excluded.requested_at,
            message = NULL, answered_at = NULL
          WHERE rendition_requests.status = 'refused'`,
      deps.jobs.enqueueStatement(requestFor(createRenditionShape, { connectionId, assetId, resolution }), {
        onlyIf: sql`EXISTS (SELECT 1 FROM rendition_requests WHERE connection_id = ${connectionId}
                      AND asset_id = ${assetId} AND resolution = ${resolution} AND token = ${token})`,
      }),
    ];
  });
}

/**
 * A request whose job was dead-lettered (`rejected` by its `onDead`) asked for again, with its own
 * token (an earlier attempt Mux carried out is still known by its passthrough): for a person's
 * retry of that job. True if there was such a request.
 */
export async function reopenGivenUpRequest(
  deps: Pick<Deps, "database">,
  input: CreateRenditionInput,
): Promise<boolean> {
  const [result] = await deps.database.atomic([
    sql`UPDATE rendition_requests SET status = 'requested', message = NULL, answered_at = NULL
         WHERE connection_id = ${input.connectionId} AND asset_id = ${input.assetId}
           AND resolution = ${input.resolution} AND status = 'rejected'`,
  ]);
  return result?.changed ?? false;
}

/** The requests made for an asset over a connection (one primary-key range). */
export async function requestsOf(
  deps: Pick<Deps, "database">,
  connectionId: string,
  assetId: string,
): Promise<RenditionRequestRow[]> {
  return await deps.database.db
    .select()
    .from(renditionRequests)
    .where(and(eq(renditionRequests.connectionId, connectionId), eq(renditionRequests.assetId, assetId)))
    .all();
}
