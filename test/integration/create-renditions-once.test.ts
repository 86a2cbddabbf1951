/**
 * A static rendition is asked of Mux once per asset and resolution per connection, whatever
 * happens around the asking: duplicate webhooks, a restart of the service mid-way (a new graph
 * over the same database, a job left running by the old one), 429 and 5xx answers and answers
 * lost after Mux acted, polls on top of webhooks, and two syncs over one connection. The fake
 * counts every create that reaches an asset; a lost answer is the one case a second POST is
 * unavoidable, and its retry, answered "already defined", is still known as the service's own.
 */
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeMux, type FakeMux } from "../../src/fake-mux/index";
import { schedulePass } from "../../src/jobs/reconcile";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import {
  createHarness,
  type Harness,
  TEST_PIPELINE_SECRET,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";
import { network } from "../helpers/no-network";
import { mirror } from "../helpers/pipeline-mirror";
import { PipelineRecorder } from "../helpers/pipeline-receiver";
import { PIPELINE_URL } from "../helpers/pipeline-world";

const CREATE_ROUTE = "https://api.mux.com/video/v1/assets/:id/static-renditions";
const ENV = {
  PIPELINE_URL,
  PIPELINE_SECRET: TEST_PIPELINE_SECRET,
  ADMIN_TOKEN,
  CREATE_RENDITIONS: "highest",
  JOB_MAX_ATTEMPTS: "20",
};

type PostFault = "503" | "429" | "lost";

/**
 * The service restartable over one database, the fake Mux (its time is the current service's
 * clock), a recording pipeline, and faults scripted for the next creates.
 */
class World {
  service: Harness;
  readonly pipeline = new PipelineRecorder(TEST_PIPELINE_SECRET);
  readonly fake: FakeMux;
  readonly postFaults: PostFault[] = [];
  /** Creates that reached Mux but whose answer never came back, by asset. */
  readonly lost = new Map<string, number>();
  private readonly closers: Array<() => void> = [];

  private constructor(service: Harness, faults: { duplicateRate: number }) {
    this.service = service;
    const clock = {
      now: () => this.service.clock.now(),
      advance: (ms: number) => this.service.clock.advance(ms),
    };
    this.fake = createFakeMux({
      tokenId: TEST_TOKEN_ID,
      tokenSecret: TEST_TOKEN_SECRET,
      webhookSecret: TEST_WEBHOOK_SECRET,
      clock,
      rateLimit: null,
      webhookUrl: "http://mux-ingest.test/webhooks/mux",
      fetch: (input, init) => Promise.resolve(this.service.app.request(String(input), init)),
      faults,
      signingKey: { id: "unused", privateKeyBase64: "unused" },
    });
  }

  static async create(faults = { duplicateRate: 0 }, env: Record<string, string> = {}): Promise<World> {
    const world = new World(await createHarness({ env: { ...ENV, ...env } }), faults);
    network.use(...fakeMuxHandlers(world.fake));
    network.use(
      http.post(
        PIPELINE_URL,
        async ({ request }) => new HttpResponse(null, { status: await world.pipeline.handle(request) }),
      ),
      http.post(CREATE_ROUTE, async ({ request, params }) => {
        const fault = world.postFaults.shift();
        if (!fault) return undefined;
        if (fault === "503")
          return HttpResponse.json({ error: { type: "unavailable", messages: ["busy"] } }, { status: 503 });
        if (fault === "429")
          return HttpResponse.json(
            { error: { type: "too_many_requests", messages: ["slow down"] } },
            { status: 429, headers: { "retry-after": "1" } },
          );
        // Mux acts on it; the answer is lost on the way back.
        await world.fake.fetch(request.clone());
        const assetId = String(params.id);
        world.lost.set(assetId, (world.lost.get(assetId) ?? 0) + 1);
        return HttpResponse.error();
      }),
    );
    return world;
  }

  /** A new service graph over the same database (what a restarted process is), its clock where the old one was. */
  async restart(): Promise<void> {
    const old = this.service;
    const next = await createHarness({ env: ENV, database: old.database });
    next.clock.set(old.clock.now());
    this.service = next;
  }

  /**
   * Takes one due job and leaves it running, as a process killed mid-job does; with `type`, runs
   * the due jobs before the first of that type.
   */
  async abandonOneJob(type?: string): Promise<void> {
    for (;;) {
      const job = await this.service.deps.jobs.claim();
      if (!job || type === undefined || job.type === type) return;
      await this.service.runner.runClaimed(job);
    }
  }

  async runOneJob(): Promise<void> {
    const job = await this.service.deps.jobs.claim();
    if (job) await this.service.runner.runClaimed(job);
  }

  async poll(): Promise<void> {
    await schedulePass(this.service.deps, "syn_default", "scheduled");
  }

  /** Everything to the end: webhooks, jobs past their backoff, Mux's lifecycle, leases of abandoned jobs. */
  async converge(): Promise<void> {
    for (let round = 0; round < 12; round++) {
      await this.fake.settle();
      await this.service.runner.drain();
      const next = await this.service.deps.jobs.nextDueAt();
      // A job left running is taken over once its lease went unrenewed for a lease.
      this.service.clock.set(
        Math.max(this.service.clock.now() + this.service.settings.queue.leaseMs + 1, next ?? 0),
      );
    }
    await this.fake.settle();
    await this.service.runner.drain();
  }

  close(): void {
    for (const close of this.closers) close();
    void this.fake.close();
    this.service.database.close();
  }

  /** POSTs that reached each asset, per `asset/resolution`. */
  creates(): Record<string, number> {
    return this.fake.stats().renditions.creates;
  }

  requests(): Array<{ asset_id: string; status: string; rendition_id: string | null }> {
    return this.service.database.sqlite
      .prepare("select asset_id, status, rendition_id from rendition_requests order by asset_id")
      .all() as Array<{ asset_id: string; status: string; rendition_id: string | null }>;
  }
}

let w: World | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

/** Every asset made `highest.mp4` for this service once (plus once per lost answer), and is in the pipeline with it. */
function expectOnceEach(world: World, assetIds: readonly string[]) {
  const expected = Object.fromEntries(assetIds.map((id) => [`${id}/highest`, 1 + (world.lost.get(id) ?? 0)]));
  expect(world.creates()).toEqual(expected);
  const files = new Map(assetIds.map((id) => [id, world.fake.getAsset(id)?.static_renditions?.files ?? []]));
  for (const id of assetIds) expect(files.get(id)?.map((f) => f.name)).toEqual(["highest.mp4"]);
  expect(world.requests()).toEqual(
    [...assetIds].sort().map((id) => ({
      asset_id: id,
      status: "created",
      rendition_id: files.get(id)?.[0]?.id ?? null,
    })),
  );
  const held = mirror(world.pipeline.accepted);
  for (const id of assetIds) expect(held.get(id)?.rendition).toBe("highest.mp4");
}

describe("a rendition is asked for once per asset and resolution", () => {
  it("under duplicate webhooks (half the events twice) and polls on top of them", async () => {
    w = await World.create({ duplicateRate: 0.5 });
    const ids = [1, 2, 3, 4].map(() => w?.fake.createAsset({ mp4Support: "none" }).id ?? "");
    await w.fake.advance(2_000);
    await w.poll();
    await w.service.runner.drain();
    for (const id of ids) w.fake.fireEvent(id, "video.asset.ready");
    await w.poll();
    await w.converge();
    expect(w.fake.stats().webhooks.duplicated).toBeGreaterThan(0);
    expectOnceEach(w, ids);
  });

  it("across a restart with a create job left running by the old process", async () => {
    w = await World.create();
    const ids = [1, 2].map(() => w?.fake.createAsset({ mp4Support: "none" }).id ?? "");
    await w.fake.advance(2_000);
    await w.fake.webhooks.flush();
    // The ingest jobs ask; the old process takes a create job and dies with it.
    await w.abandonOneJob("create-rendition");
    expect(await w.service.deps.jobs.counts()).toMatchObject({ running: 1 });
    await w.restart();
    for (const id of ids) w.fake.fireEvent(id, "video.asset.ready");
    await w.poll();
    await w.converge();
    expectOnceEach(w, ids);
  });

  it("through 429 (Retry-After), 503 and an answer lost after Mux made it (recognised by its passthrough)", async () => {
    w = await World.create();
    w.postFaults.push("429", "503", "lost");
    const [id] = [w.fake.createAsset({ mp4Support: "none" }).id];
    await w.converge();
    expect(w.lost.get(id ?? "")).toBe(1);
    expectOnceEach(w, [id ?? ""]);
    const limited = w.service.logs.filter((line) => line.includes("Mux rate limit hit"));
    expect(limited.length).toBeGreaterThan(0);
  });

  it("for two syncs (two buckets) over one connection: one request, both buckets delivered", async () => {
    w = await World.create();
    const bucket = await w.service.app.request("/v1/buckets", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "second",
        pipeline_url: PIPELINE_URL,
        pipeline_secret: TEST_PIPELINE_SECRET,
      }),
    });
    const { id: bucketId } = (await bucket.json()) as { id: string };
    const sync = await w.service.app.request(`/v1/buckets/${bucketId}/syncs`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ connection_id: "con_default", create_renditions: ["highest"] }),
    });
    expect(sync.status).toBe(201);
    const ids = [1, 2, 3].map(() => w?.fake.createAsset({ mp4Support: "none" }).id ?? "");
    await w.converge();
    expect(w.creates()).toEqual(Object.fromEntries(ids.map((id) => [`${id}/highest`, 1])));
    const delivered = w.service.database.sqlite
      .prepare(
        "select bucket_id, count(*) as n from objects where state = 'delivered' group by bucket_id order by bucket_id",
      )
      .all();
    expect(delivered).toEqual(
      [
        { bucket_id: "bkt_default", n: 3 },
        { bucket_id: bucketId, n: 3 },
      ].sort((a, b) => a.bucket_id.localeCompare(b.bucket_id)),
    );
  });

  it("the property: over any order of webhooks, jobs, duplicates, polls, restarts, crashes and failed creates", async () => {
    const op = fc.constantFrom(
      "webhooks",
      "job",
      "job",
      "job",
      "tick",
      "duplicate",
      "poll",
      "restart",
      "crash",
      "503",
      "429",
      "lost",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 4, maxLength: 30 }),
        fc.integer({ min: 0, max: 3 }),
        async (ops, pick) => {
          const world = await World.create({ duplicateRate: 0.3 });
          try {
            const ids = [1, 2, 3].map(() => world.fake.createAsset({ mp4Support: "none" }).id);
            for (const step of ops) {
              if (step === "webhooks") await world.fake.webhooks.flush();
              else if (step === "job") await world.runOneJob();
              else if (step === "tick") await world.fake.advance(1_000);
              else if (step === "duplicate")
                world.fake.fireEvent(ids[pick % ids.length] ?? "", "video.asset.ready");
              else if (step === "poll") await world.poll();
              else if (step === "restart") await world.restart();
              else if (step === "crash") {
                await world.abandonOneJob();
                await world.restart();
              } else world.postFaults.push(step);
            }
            await world.converge();
            expectOnceEach(world, ids);
          } finally {
            world.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
