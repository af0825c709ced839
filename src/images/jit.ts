/**
 * The infer/evaluate side of `load = "per-instance"`: around each instance, load its image from
 * the row's `image_storage_uri` (ahead of time, see `lookahead.ts`) and release it afterwards. A
 * no-op when the run's load-images phase loaded everything up front (or there is none).
 *
 * ```ts
 * await using jit = await jitImages(ctx.runDir, docker, dataset, ctx.log, ctx.signal, ctx);
 * await jit.plan(instancesInTheOrderWorkersTakeThem);   // loading ahead starts
 * const result = await jit.with(instance, () => run(instance));
 * ```
 *
 * @module
 */
import type { Instance } from "../dataset/instance.ts";
import type { Docker } from "../docker/client.ts";
import type { SourceCache } from "./cache.ts";
import { dockerEngine, type ImageEngine } from "./engine.ts";
import type { LoadTarget } from "./loader.ts";
import { Lookahead, type PlannedInstance } from "./lookahead.ts";
import { perInstanceLoader } from "./per_instance.ts";
import { type DatasetRow, targetOfRow } from "./targets.ts";

/** Images loaded ahead by default in per-instance mode. */
export const DEFAULT_LOOKAHEAD = 2;
/** GB kept free for Docker by default: no look-ahead load starts below it. */
export const DEFAULT_LOOKAHEAD_DISK_GB = 10;

/** Loads and releases instance images just in time. */
export interface JitImages extends AsyncDisposable {
  /** Whether the run loads images per instance. */
  readonly active: boolean;
  /**
   * The instances the workers will take, in the order they take them: their images are loaded
   * ahead. Read at once (only the archive of each is kept); a no-op when not active.
   */
  plan(instances: AsyncIterable<Instance> | Iterable<Instance>): Promise<void>;
  /** A planned instance that will not run after all. */
  skip(instanceId: string): void;
  /**
   * Runs `work` with the instance's image loaded; returns why it could not be loaded instead of
   * running `work` when the load failed.
   */
  with<T>(instance: Instance, work: () => Promise<T>): Promise<T | { loadError: string }>;
  /** Second ^C: cut every load, take back what they made, remove what was loaded ahead. */
  stopNow(): Promise<void>;
}

/** Extras of {@linkcode jitImages} (tests give their own engine and cache). */
export interface JitOptions {
  /** Registers a cleanup for the second ^C (`PhaseContext.onStopNow`). */
  onStopNow?: (cleanup: () => unknown) => () => void;
  engine?: ImageEngine;
  cache?: SourceCache;
}

const INACTIVE: JitImages = {
  active: false,
  plan: () => Promise.resolve(),
  skip: () => {},
  with: (_instance, work) => work(),
  stopNow: () => Promise.resolve(),
  [Symbol.asyncDispose]: () => Promise.resolve(),
};

/** The per-instance loader of a run (inactive unless load-images chose per-instance mode). */
export async function jitImages(
  runDir: string | undefined,
  docker: Docker,
  datasetFile: string,
  log: (line: string) => void,
  signal: AbortSignal,
  options: JitOptions = {},
): Promise<JitImages> {
  const engine = options.engine ?? dockerEngine(docker);
  // Loads are cut on the second ^C only: the first lets instances that started get their image.
  const hardStop = new AbortController();
  const loader = await perInstanceLoader(runDir, {
    engine,
    log,
    abort: hardStop.signal,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  if (!loader) return INACTIVE;
  const settings = loader.record.data.settings;
  const lookahead = new Lookahead({
    loader,
    lookahead: settings?.lookahead ?? DEFAULT_LOOKAHEAD,
    parallel: settings?.parallel ?? 2,
    floorBytes: (settings?.lookahead_disk_gb ?? DEFAULT_LOOKAHEAD_DISK_GB) * 1e9,
    freeBytes: () => engine.diskFree?.() ?? Promise.resolve(undefined),
    log,
    signal,
    hardStop,
  });
  const unregister = options.onStopNow?.(() => lookahead.stopNow());
  const targetOf = (instance: Instance): LoadTarget | undefined =>
    targetOfRow(
      { ...instance.row, instance_id: instance.instance_id, repo: instance.repo } as DatasetRow,
      datasetFile,
    );
  return {
    active: true,
    async plan(instances) {
      const planned: PlannedInstance[] = [];
      for await (const instance of instances) {
        const target = targetOf(instance);
        if (target) planned.push({ id: instance.instance_id, target });
      }
      await lookahead.plan(planned);
    },
    skip: (id) => lookahead.skip(id),
    async with(instance, work) {
      const target = targetOf(instance);
      if (!target) return await work();
      return await lookahead.with(instance.instance_id, target, work);
    },
    stopNow: () => lookahead.stopNow(),
    async [Symbol.asyncDispose]() {
      unregister?.();
      await lookahead.close();
    },
  };
}
