/**
 * The `load-images` phase: loads `docker save` archives from folders, paths, `file://`, `s3://`
 * and `https://` URIs (and the `image_storage_uri` of dataset rows) into the engine, streamed,
 * skipping what is already loaded, and tags the aliases the infer and evaluate phases resolve.
 *
 * An archive that fails (missing, denied, truncated, corrupt) fails alone: the phase goes on,
 * lists the failures in its summary and in `<run dir>/velora-images.json`, where infer and
 * evaluate find them ("image missing"). `fail_on_error = true` fails the phase instead.
 *
 * With `registry`, each loaded archive's tags and aliases are pushed there too (for a Kubernetes
 * cluster to pull); a push that fails fails that archive the same way.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { connect, ping } from "../docker/client.ts";
import { InterruptedError, PhaseFailedError } from "../errors.ts";
import {
  DEFAULT_ALIAS_TEMPLATES,
  DEFAULT_SOURCE_TAG,
  unknownPlaceholders,
} from "../images/aliases.ts";
import { defaultCacheFile, SourceCache } from "../images/cache.ts";
import { dockerEngine } from "../images/engine.ts";
import { DEFAULT_LOOKAHEAD, DEFAULT_LOOKAHEAD_DISK_GB } from "../images/jit.ts";
import { ImageLoader, type LoadTarget, mergeTargets } from "../images/loader.ts";
import { ImageRecord, type LoadSettings } from "../images/record.ts";
import { summarize, summaryLine } from "../images/summary.ts";
import { expandSources, readRows, targetOfRow } from "../images/targets.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";
import { parseRegistry } from "../registry/image_ref.ts";
import { registrySetting } from "./_backend.ts";

const template = z.string().min(1).superRefine((value, ctx) => {
  const unknown = unknownPlaceholders(value);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `unknown placeholder {${unknown[0]}}: use {instance_id}, {id}, {org}, {repo} ` +
        "or {number}",
    });
  }
});

const schema = phaseSchema("load-images", {
  source: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe(
    "A folder of *.tar/*.tar.gz archives, an archive path, a file://, s3:// or https:// URI, " +
      "or a list of them",
  ),
  dataset: z.string().min(1).optional().describe(
    "A JSONL dataset: the image_storage_uri of each selected row is loaded and its aliases tagged",
  ),
  instance_ids: z.array(z.string()).default([]).describe("Only these dataset rows (all if empty)"),
  skip_ids: z.array(z.string()).default([]).describe("Skip these dataset rows"),
  limit: z.number().int().positive().optional().describe("At most this many dataset rows"),
  load: z.enum(["all", "per-instance"]).default("all").describe(
    '"all": load now; "per-instance": infer/evaluate load each image right before its instance',
  ),
  parallel: z.number().int().positive().max(64).default(2).describe(
    "Archives loaded at once (per-instance: look-ahead loads at once)",
  ),
  // Optional without a schema default: a run made before these keys existed is not "changed".
  lookahead: z.number().int().min(0).max(64).optional().describe(
    `Per-instance: images loaded ahead of the instances that need them (default ${DEFAULT_LOOKAHEAD}; 0: none)`,
  ),
  lookahead_disk_gb: z.number().min(0).optional().describe(
    `Per-instance: GB to keep free for Docker; no look-ahead load starts below it (default ${DEFAULT_LOOKAHEAD_DISK_GB})`,
  ),
  tags: z.array(template).default([...DEFAULT_ALIAS_TEMPLATES]).describe(
    "Alias tag templates ({instance_id}, {id}, {org}, {repo}, {number})",
  ),
  source_tag: z.string().min(1).default(DEFAULT_SOURCE_TAG).describe(
    "The tag inside an archive that names its instance, for archives without a dataset row",
  ),
  keep_tars: z.boolean().default(false).describe("Keep a copy of remote archives on disk"),
  tars_dir: z.string().min(1).optional().describe(
    'Where kept archives go (default: "<run dir>/tars")',
  ),
  endpoint: z.string().url().optional().describe(
    "S3-compatible endpoint URL (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)",
  ),
  region: z.string().min(1).optional().describe(
    "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, or us-east-1)",
  ),
  force_path_style: z.boolean().optional().describe(
    "S3 path-style addressing (default: on when an endpoint is set)",
  ),
  fail_on_error: z.boolean().default(false).describe(
    "Fail the phase when an archive fails (default: record it and go on)",
  ),
  registry: registrySetting.optional().describe(
    "Push every loaded image's tags to this registry (host[:port][/path], e.g. 127.0.0.1:5000)",
  ),
}).refine((p) => p.registry === undefined || p.load === "all", {
  message: '`registry` needs `load = "all"`: per-instance images are not pushed',
  path: ["registry"],
}).refine((p) => p.source !== undefined || p.dataset !== undefined, {
  message: "give `source` (folders, paths or URIs), `dataset` (a JSONL file), or both",
  path: ["source"],
});

/** The `load-images` phase kind. */
export const loadImagesPhase = definePhase({
  kind: "load-images",
  description:
    "Load docker-save archives (folders, s3://, https://), skip loaded ones, tag aliases",
  schema,
  async run(params, ctx) {
    const cwd = Deno.cwd();
    const targets: LoadTarget[] = [];
    const rows = params.dataset === undefined ? [] : await readRows(resolve(cwd, params.dataset), {
      instanceIds: params.instance_ids,
      skipIds: params.skip_ids,
      ...(params.limit !== undefined ? { limit: params.limit } : {}),
    });
    let noUri = 0;
    for (const row of rows) {
      const target = targetOfRow(row, resolve(cwd, params.dataset!));
      if (target) targets.push(target);
      else noUri++;
    }
    if (noUri > 0) {
      ctx.log(`${noUri} dataset rows have no image_storage_uri: nothing to load for them`);
    }
    const given = params.source === undefined
      ? []
      : typeof params.source === "string"
      ? [params.source]
      : params.source;
    for (const source of await expandSources(given, cwd)) targets.push({ source, instances: [] });

    const registry = params.registry === undefined ? undefined : parseRegistry(params.registry);
    const record = await ImageRecord.open(ctx.runDir);
    const settings: LoadSettings = {
      mode: params.load,
      parallel: params.parallel,
      ...(params.lookahead !== undefined ? { lookahead: params.lookahead } : {}),
      ...(params.lookahead_disk_gb !== undefined
        ? { lookahead_disk_gb: params.lookahead_disk_gb }
        : {}),
      aliases: params.tags,
      source_tag: params.source_tag,
      ...(params.keep_tars
        ? { keep_tars_dir: resolve(cwd, params.tars_dir ?? join(ctx.runDir ?? cwd, "tars")) }
        : {}),
      s3: {
        ...(params.endpoint ? { endpoint: params.endpoint } : {}),
        ...(params.region ? { region: params.region } : {}),
        ...(params.force_path_style !== undefined
          ? { force_path_style: params.force_path_style }
          : {}),
      },
      ...(registry !== undefined ? { registry } : {}),
    };
    record.data.settings = settings;
    await record.save();

    const docker = connect();
    try {
      await ping(docker);
    } catch (error) {
      throw new PhaseFailedError((error as Error).message);
    }
    const loader = new ImageLoader({
      engine: dockerEngine(docker),
      sources: {
        baseDir: cwd,
        s3: {
          ...(params.endpoint ? { endpoint: params.endpoint } : {}),
          ...(params.region ? { region: params.region } : {}),
          ...(params.force_path_style !== undefined
            ? { forcePathStyle: params.force_path_style }
            : {}),
        },
      },
      cache: new SourceCache(defaultCacheFile()),
      record,
      aliases: params.tags,
      sourceTag: params.source_tag,
      rows: new Map(rows.map((row) => [row.instance_id.toLowerCase(), row])),
      ...(settings.keep_tars_dir ? { keepTarsDir: settings.keep_tars_dir } : {}),
      ...(registry !== undefined ? { registry } : {}),
      log: (line) => ctx.log(ctx.redact(line)),
      signal: ctx.signal,
    });

    if (params.load === "per-instance") {
      return await checkSources(mergeTargets(targets), loader, ctx.log);
    }
    const merged = mergeTargets(targets);
    ctx.log(`${merged.length} archives to load, ${params.parallel} at a time`);
    const outcomes = await loader.loadAll(merged, params.parallel);
    const summary = summarize(outcomes, registry);
    ctx.result(summaryLine(summary));
    if (ctx.signal.aborted && outcomes.length < merged.length) {
      throw new InterruptedError(
        `Interrupted with ${merged.length - outcomes.length} archives not loaded yet`,
      );
    }
    if (params.fail_on_error && summary.failed > 0) {
      throw new PhaseFailedError(
        `${summary.failed} of ${summary.archives} archives failed: ${summary.failures}`,
      );
    }
    return summary;
  },
});

/**
 * Per-instance mode: nothing is loaded now; each source is only checked (size and existence), and
 * a missing one is recorded as failed so infer reports its instances as "image missing".
 */
async function checkSources(
  targets: LoadTarget[],
  loader: ImageLoader,
  log: (line: string) => void,
) {
  const failures: string[] = [];
  for (const target of targets) {
    const reason = await loader.check(target);
    if (reason) failures.push(reason);
  }
  log(
    `per-instance mode: ${targets.length} archives checked, ${failures.length} missing; ` +
      "infer and evaluate load each one when needed",
  );
  const shown = failures.slice(0, 3);
  if (failures.length > 3) shown.push(`${failures.length - 3} more`);
  return {
    mode: "per-instance",
    archives: targets.length,
    failed: failures.length,
    failures: shown.join("; "),
  };
}
