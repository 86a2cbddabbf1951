/**
 * The library changing under the chaos run, as a Mux library does after upload: edits (title,
 * passthrough), static renditions added and deleted, legacy MP4 support switched off and on,
 * assets deleted. Each change goes to a random asset of the run that is ready at that moment,
 * and is counted only once the fake accepted it. The assets touched are remembered, so that the
 * end can tell a departure (the asset changed) from a wrong deletion (it did not).
 */
import type { FakeAsset, FakeMuxEnvironment, StaticRenditionResolution } from "../../src/fake-mux/index";
import { SpecError } from "../../src/fake-mux/spec-error";
import { expectationFor } from "./chaos-library";
import type { ChaosRandom } from "./chaos-random";

/**
 * The passthrough values edits deal, most of them kept by the filters (which exclude `hidden`,
 * then `secret`): most edits are changes to members.
 */
export const PASSTHROUGHS = ["shown", "shown", "shown", "hidden", "secret"] as const;

export type ChangeCounts = {
  edits: number;
  renditionsAdded: number;
  renditionsDeleted: number;
  mp4SupportOff: number;
  mp4SupportOn: number;
  assetsDeleted: number;
};

const ADDED_RESOLUTIONS: StaticRenditionResolution[] = ["270p", "360p", "480p"];

export class LibraryChanges {
  readonly counts: ChangeCounts = {
    edits: 0,
    renditionsAdded: 0,
    renditionsDeleted: 0,
    mp4SupportOff: 0,
    mp4SupportOn: 0,
    assetsDeleted: 0,
  };
  /** Assets whose qualification or view a change may have moved. */
  readonly touched = new Set<string>();
  readonly deleted = new Set<string>();

  constructor(
    private readonly fake: FakeMuxEnvironment,
    private readonly random: ChaosRandom,
    private readonly uploaded: readonly string[],
  ) {}

  /** A new title, and a passthrough that the filters may exclude. */
  edit(): void {
    const asset = this.pickReady();
    if (!asset) return;
    const passthrough = PASSTHROUGHS[this.random.int(0, PASSTHROUGHS.length - 1)];
    const edited = this.fake.updateAsset(asset.id, {
      passthrough,
      meta: { ...asset.meta, title: `edited ${this.counts.edits + 1}` },
    });
    if (edited) this.record(asset.id, "edits");
  }

  /**
   * One rendition change that Mux accepts for the asset as it is now: legacy MP4s switched off
   * (or on, for an asset without any), a static rendition deleted, or a small one added (which
   * the default preference then chooses).
   */
  changeRendition(): void {
    const asset = this.pickReady();
    if (!asset) return;
    const id = asset.id;
    if (asset.mp4_support !== undefined && asset.mp4_support !== "none") {
      this.attempt(id, "mp4SupportOff", () => this.fake.setMp4Support(id, "none"));
      return;
    }
    const listed = asset.static_renditions?.files ?? [];
    const ready = listed.filter((file) => file.status === "ready");
    const file = ready[this.random.int(0, ready.length - 1)];
    if (file && this.random.chance(0.5)) {
      this.attempt(id, "renditionsDeleted", () => this.fake.deleteStaticRendition(id, file.name));
    } else if (listed.length === 0 && this.random.chance(0.3)) {
      this.attempt(id, "mp4SupportOn", () => this.fake.setMp4Support(id, "capped-1080p"));
    } else {
      const resolution = ADDED_RESOLUTIONS[this.random.int(0, ADDED_RESOLUTIONS.length - 1)] ?? "360p";
      this.attempt(id, "renditionsAdded", () => this.fake.addStaticRendition(id, resolution));
    }
  }

  deleteAsset(): void {
    const asset = this.pickReady();
    if (!asset) return;
    this.fake.deleteAsset(asset.id);
    this.deleted.add(asset.id);
    this.record(asset.id, "assetsDeleted");
  }

  /** A change as Mux takes it: counted when accepted; refused (Mux says why), nothing changed. */
  private attempt(assetId: string, kind: keyof ChangeCounts, change: () => unknown): void {
    let accepted: unknown;
    try {
      accepted = change();
    } catch (error) {
      if (error instanceof SpecError) return;
      throw error;
    }
    if (accepted) this.record(assetId, kind);
  }

  private record(assetId: string, kind: keyof ChangeCounts): void {
    this.counts[kind]++;
    this.touched.add(assetId);
  }

  /** A ready asset of the run, a member of the bucket when one is found (changes to members show). */
  private pickReady(): FakeAsset | null {
    let ready: FakeAsset | null = null;
    for (let tries = 0; tries < 30 && this.uploaded.length > 0; tries++) {
      const id = this.uploaded[this.random.int(0, this.uploaded.length - 1)] ?? "";
      const asset = this.deleted.has(id) ? undefined : this.fake.getAsset(id);
      if (asset?.status !== "ready") continue;
      if (expectationFor(asset, null).deliver) return asset;
      ready ??= asset;
    }
    return ready;
  }
}

/**
 * An operator's call to serve's admin API, retried while serve is down (it is SIGKILLed and
 * restarted during the run) until it is answered 2xx.
 */
export async function operatorRequest(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
  deadlineMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${method} ${path} was never accepted: ${last}`);
}
