/**
 * Just-in-time loading for disk-bound runs (`load = "per-instance"` in `load-images`): the infer
 * and evaluate phases load each instance's image right before they use it and remove it right
 * after, so at most as many images as workers are on disk.
 *
 * ```ts
 * const loader = await perInstanceLoader(ctx.runDir, { engine: dockerEngine(docker) });
 * if (loader) {
 *   const target = targetOfRow(row, datasetFile);   // undefined: the row names no archive
 *   const outcome = await loader.ensure(target);     // outcome.status "failed": image missing
 *   try { ... } finally { await loader.release(target); }
 * }
 * ```
 *
 * @module
 */
import { defaultCacheFile, SourceCache } from "./cache.ts";
import type { ImageEngine } from "./engine.ts";
import { ImageLoader } from "./loader.ts";
import { ImageRecord } from "./record.ts";

/** Options of {@linkcode perInstanceLoader}. */
export interface PerInstanceOptions {
  /** The engine. */
  engine: ImageEngine;
  /** Progress and result lines. */
  log?: (line: string) => void;
  /** Aborts loads in flight. */
  abort?: AbortSignal;
  /** Base directory of relative archive paths. @default Deno.cwd() */
  baseDir?: string;
  /** The source cache. @default the user's (see cache.ts) */
  cache?: SourceCache;
}

/**
 * The loader the run's `load-images` phase configured in per-instance mode, or `undefined` when
 * that phase loaded every image up front (or the run has none, or there is no run).
 */
export async function perInstanceLoader(
  runDir: string | undefined,
  options: PerInstanceOptions,
): Promise<ImageLoader | undefined> {
  const record = await ImageRecord.open(runDir);
  const settings = record.data.settings;
  if (settings?.mode !== "per-instance") return undefined;
  return new ImageLoader({
    engine: options.engine,
    sources: {
      baseDir: options.baseDir ?? Deno.cwd(),
      s3: {
        ...(settings.s3.endpoint ? { endpoint: settings.s3.endpoint } : {}),
        ...(settings.s3.region ? { region: settings.s3.region } : {}),
        ...(settings.s3.force_path_style !== undefined
          ? { forcePathStyle: settings.s3.force_path_style }
          : {}),
      },
    },
    cache: options.cache ?? new SourceCache(defaultCacheFile()),
    record,
    aliases: settings.aliases,
    ...(settings.source_tag ? { sourceTag: settings.source_tag } : {}),
    ...(settings.keep_tars_dir ? { keepTarsDir: settings.keep_tars_dir } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.abort ? { abort: options.abort } : {}),
  });
}
