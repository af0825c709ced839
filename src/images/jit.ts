/**
 * The infer/evaluate side of `load = "per-instance"`: around each instance, load its image from
 * the row's `image_storage_uri` and release it afterwards. A no-op when the run's load-images
 * phase loaded everything up front (or there is none).
 *
 * @module
 */
import type { Instance } from "../dataset/instance.ts";
import type { Docker } from "../docker/client.ts";
import { dockerEngine } from "./engine.ts";
import { perInstanceLoader } from "./per_instance.ts";
import { type DatasetRow, targetOfRow } from "./targets.ts";

/** Loads and releases instance images just in time. */
export interface JitImages {
  /** Whether the run loads images per instance. */
  readonly active: boolean;
  /**
   * Runs `work` with the instance's image loaded; returns why it could not be loaded instead of
   * running `work` when the load failed.
   */
  with<T>(instance: Instance, work: () => Promise<T>): Promise<T | { loadError: string }>;
}

/** The per-instance loader of a run (inactive unless load-images chose per-instance mode). */
export async function jitImages(
  runDir: string | undefined,
  docker: Docker,
  datasetFile: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<JitImages> {
  const loader = await perInstanceLoader(runDir, {
    engine: dockerEngine(docker),
    log,
    abort: signal,
  });
  if (!loader) return { active: false, with: (_instance, work) => work() };
  return {
    active: true,
    async with(instance, work) {
      const target = targetOfRow(
        { ...instance.row, instance_id: instance.instance_id, repo: instance.repo } as DatasetRow,
        datasetFile,
      );
      if (!target) return await work();
      const outcome = await loader.ensure(target).catch((error) => ({
        status: "failed" as const,
        error: (error as Error).message,
      }));
      try {
        if (outcome.status === "failed") {
          return { loadError: outcome.error ?? `cannot load ${target.source}` };
        }
        return await work();
      } finally {
        await loader.release(target).catch((error) =>
          log(`releasing ${target.source}: ${(error as Error).message}`)
        );
      }
    },
  };
}
