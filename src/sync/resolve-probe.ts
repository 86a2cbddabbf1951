/**
 * An asset that says MP4s exist but lists none (`probe` evaluation) is resolved on the stream
 * host: the first name that answers a HEAD is the rendition, or the object keeps waiting.
 */
import { probeRenditions } from "../mux/stream";
import type { Deps } from "./deps";
import type { Evaluation } from "./evaluate-asset";
import { playbackToken } from "./playback-token";

export type ResolvedEvaluation = Exclude<Evaluation, { state: "probe" }>;

export async function resolveProbe(
  deps: Pick<Deps, "credentials" | "stream" | "fetch">,
  connectionId: string,
  evaluation: Evaluation,
): Promise<ResolvedEvaluation> {
  if (evaluation.state !== "probe") return evaluation;
  const { playback } = evaluation;
  const token = playback.policy === "signed" ? await playbackToken(deps, connectionId, playback.id) : null;
  const name = await probeRenditions({
    names: evaluation.names,
    baseUrl: deps.stream.baseUrl,
    playbackId: playback.id,
    token,
    fetch: deps.fetch,
  });
  if (!name)
    return { state: "waiting_for_rendition", message: "No MP4 rendition answered on the stream host yet" };
  return {
    state: "ready",
    playback,
    candidates: [{ name, width: null, height: null, bitrate: null, filesize: null }],
  };
}
