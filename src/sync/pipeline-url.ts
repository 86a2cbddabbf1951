/** Where a bucket's deliveries go: its own pipeline URL, else the service's default (PIPELINE_URL). */
import { eq } from "drizzle-orm";
import { buckets } from "../db/schema";
import type { Deps } from "./deps";

export async function pipelineUrlFor(
  deps: Pick<Deps, "database" | "pipeline">,
  bucketId: string,
): Promise<string | null> {
  const bucket = await deps.database.db
    .select({ pipelineUrl: buckets.pipelineUrl })
    .from(buckets)
    .where(eq(buckets.id, bucketId))
    .get();
  return bucket?.pipelineUrl ?? deps.pipeline.defaultUrl;
}
