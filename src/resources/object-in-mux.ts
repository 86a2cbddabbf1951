/**
 * An object's asset as Mux sees it now, read on a person's request (never on a page view, so the
 * console answers whether or not Mux does): its static renditions with their statuses and the
 * order the sync would try the ready ones in, and where the asset is in the Mux dashboard.
 *
 * The dashboard's URLs name the organization and the environment
 * (`https://dashboard.mux.com/organizations/{org}/environments/{env}/video/assets/{asset}`);
 * the organization is not stored, so it is asked of Mux (`whoami`) when the link is followed.
 */
import { eq } from "drizzle-orm";
import { syncs } from "../db/schema";
import { describeError } from "../lib/errors";
import { planRenditions } from "../mux/renditions";
import type { Deps } from "../sync/deps";
import { findObjectById } from "./object-story";

export const MUX_DASHBOARD_ORIGIN = "https://dashboard.mux.com";

/** What an organization or environment id may look like in a URL path we build. */
const URL_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export type MuxRenditionFile = {
  name: string;
  /** The file's own status (Static Renditions API), or null for a legacy file (the asset's aggregate decides). */
  status: string | null;
  resolution: string | null;
  width: number | null;
  height: number | null;
  filesize: number | null;
  /** Its place in the order the sync tries ready files in (1 is the choice), or null when it is not tried. */
  order: number | null;
};

export type MuxRenditions =
  | {
      ok: true;
      asset_status: string | null;
      /** `static_renditions.status`: what counts for legacy `mp4_support` files. */
      aggregate_status: string | null;
      mp4_support: string | null;
      files: MuxRenditionFile[];
      /** Why no file is tried, when none is. */
      note: string | null;
    }
  | { ok: false; message: string };

type InMuxDeps = Pick<Deps, "database" | "credentials">;

async function apiOfObject(deps: InMuxDeps, objectId: string) {
  const object = await findObjectById(deps, objectId);
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  return { object, sync, api: sync ? await deps.credentials.api(sync.connectionId) : null };
}

export async function readMuxRenditions(
  deps: InMuxDeps,
  { objectId }: { objectId: string },
): Promise<MuxRenditions> {
  const { object, sync, api } = await apiOfObject(deps, objectId);
  if (!sync || !api) return { ok: false, message: "The sync that found this asset was deleted." };
  let asset: Awaited<ReturnType<typeof api.retrieveAsset>>;
  try {
    asset = await api.retrieveAsset(object.assetId);
  } catch (err) {
    return { ok: false, message: `Mux could not be read: ${describeError(err)}` };
  }
  if (!asset) return { ok: false, message: "Mux answers 404: the token's environment has no such asset." };
  const plan = planRenditions(asset, sync.renditionPreference);
  const order = plan.kind === "ready" ? plan.candidates.map((c) => c.name) : [];
  const files = (asset.static_renditions?.files ?? []).map((file) => {
    const at = order.indexOf(file.name);
    return {
      name: file.name,
      status: file.status ?? null,
      resolution: file.resolution ?? null,
      width: numberOrNull(file.width),
      height: numberOrNull(file.height),
      filesize: numberOrNull(file.filesize),
      order: at >= 0 ? at + 1 : null,
    };
  });
  return {
    ok: true,
    asset_status: asset.status ?? null,
    aggregate_status: asset.static_renditions?.status ?? null,
    mp4_support: asset.mp4_support ?? null,
    files,
    note:
      plan.kind === "ready"
        ? null
        : plan.kind === "probe"
          ? `Mux lists no files: these names are probed on the stream host, in order: ${plan.names.join(", ")}`
          : plan.message,
  };
}

/** The asset's page in the Mux dashboard, or the dashboard's front page when Mux cannot say where. */
export async function muxDashboardUrl(deps: InMuxDeps, { objectId }: { objectId: string }): Promise<string> {
  const { object, api } = await apiOfObject(deps, objectId);
  const front = `${MUX_DASHBOARD_ORIGIN}/`;
  if (!api) return front;
  try {
    const me = await api.whoami();
    const org = me.organizationId ?? "";
    const env = me.environmentId ?? "";
    if (!URL_SEGMENT.test(org) || !URL_SEGMENT.test(env)) return front;
    return `${MUX_DASHBOARD_ORIGIN}/organizations/${org}/environments/${env}/video/assets/${encodeURIComponent(object.assetId)}`;
  } catch {
    return front;
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
