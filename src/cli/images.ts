/**
 * `velora images load <dir|uri...>`: the `load-images` phase as a command, without a pipeline.
 * Unlike the phase, an archive that fails makes the command exit 1.
 *
 * @module
 */
import { loadImagesPhase } from "../phases/load_images.ts";
import { runKind } from "../pipeline/run_kind.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora images load`. */
export interface ImagesLoadFlags {
  dataset?: string;
  workers: number;
  tag: string[];
  tags?: boolean;
  sourceTag?: string;
  keepTars?: string;
  endpoint?: string;
  region?: string;
  registry?: string;
}

/** The `load-images` phase table of a command line. */
export function imagesLoadTable(
  sources: string[],
  flags: ImagesLoadFlags,
): Record<string, unknown> {
  return {
    source: sources.length > 0 ? sources : undefined,
    dataset: flags.dataset,
    parallel: flags.workers,
    tags: flags.tags === false ? [] : flags.tag.length > 0 ? flags.tag : undefined,
    source_tag: flags.sourceTag,
    keep_tars: flags.keepTars ? true : undefined,
    tars_dir: flags.keepTars,
    endpoint: flags.endpoint,
    region: flags.region,
    registry: flags.registry,
    fail_on_error: true,
  };
}

/** Implements `velora images load`. */
export async function imagesLoadCommand(sources: string[], flags: ImagesLoadFlags): Promise<void> {
  await withInterrupts(({ signal }) =>
    runKind(loadImagesPhase, imagesLoadTable(sources, flags), {
      signal,
      labels: { source: "sources", tags: "--tag", tars_dir: "--keep-tars", parallel: "--workers" },
    }), { stopping: "Stopping: letting running loads finish (press ^C again to exit now)" });
}
