/**
 * Loads image archives into the engine: skip what is there, stream what is not, tag aliases,
 * record what the run created.
 *
 * For each archive:
 * 1. Ask the source for its size and identity (a `stat`, an HTTP `HEAD`, an S3 `HeadObject`):
 *    a 403/404 fails this archive at once.
 * 2. Find its images without transferring it: from the source cache (an earlier load of the same
 *    URI and identity), else from its `manifest.json` (see `probe.ts`). When every image id is in
 *    the engine, nothing is transferred; tags inside the archive that went missing are re-added.
 * 3. Otherwise stream it into the engine's load endpoint: no copy on disk (unless `keepTarsDir`),
 *    byte progress lines, and for a plain tar a structure check that names a truncation.
 * 4. Tag the aliases of its instances and record, per archive, the tags and images that did not
 *    exist before (only those are removed by cleanup or by {@linkcode ImageLoader.release}).
 *
 * A failure is one line, `<source>: <reason>`, recorded for that archive; the others go on.
 *
 * @module
 */
import { basename, join } from "node:path";
import PQueue from "p-queue";
import { ImageLoadError } from "../docker/images.ts";
import {
  DEFAULT_ALIAS_TEMPLATES,
  instanceFromTags,
  type InstanceVars,
  renderAlias,
} from "./aliases.ts";
import { SourceCache } from "./cache.ts";
import type { ImageEngine } from "./engine.ts";
import type { ArchiveImage } from "./manifest.ts";
import { probeArchive } from "./probe.ts";
import { formatBytes, progressCounter } from "./progress.ts";
import { type ImageEntry, ImageRecord } from "./record.ts";
import { removeEntry } from "./remove.ts";
import { sourceFor, type SourceSettings } from "./source.ts";
import { displayUri, SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";
import { FileSource } from "./source_file.ts";
import { tarChecker, TarFormatError } from "./tar.ts";

/** One archive to load and the instances it serves. */
export interface LoadTarget {
  /** Path (relative to the settings' base directory) or URI. */
  source: string;
  /** Instances from dataset rows; empty for a folder or list entry. */
  instances: InstanceVars[];
}

/** Options of {@linkcode ImageLoader}. */
export interface LoaderOptions {
  /** The engine. */
  engine: ImageEngine;
  /** Base directory and S3 settings. */
  sources: SourceSettings;
  /** The cache of archive contents across runs. @default in memory only */
  cache?: SourceCache;
  /** The run's record. @default in memory only */
  record?: ImageRecord;
  /** Alias templates. @default DEFAULT_ALIAS_TEMPLATES */
  aliases?: readonly string[];
  /**
   * Pattern of an archive tag that names its instance (`velora/{instance_id}:base`), for archives
   * given without a dataset row. Unset: such archives get no aliases.
   */
  sourceTag?: string;
  /** Dataset rows by lowercased instance id, for instances found by `sourceTag`. */
  rows?: ReadonlyMap<string, InstanceVars>;
  /** Keep a copy of remote archives here (and load from it when it is already there). */
  keepTarsDir?: string;
  /** Progress and result lines. */
  log?: (line: string) => void;
  /** Milliseconds between progress lines of one transfer. @default 5000 */
  progressIntervalMs?: number;
  /** Stops starting new loads (the first ^C); loads in flight finish. */
  signal?: AbortSignal;
  /** Aborts loads in flight, too. */
  abort?: AbortSignal;
  /** A transfer that receives no byte for this long fails. @default 300000 (5 minutes) */
  stallTimeoutMs?: number;
}

/** What happened to one archive. */
export interface LoadOutcome {
  /** Record key of the source. */
  key: string;
  /** The source, display form. */
  source: string;
  status: "loaded" | "present" | "failed";
  /** The (first) image id. */
  imageId?: string;
  /** Tags inside the archive plus aliases. */
  refs: string[];
  /** Bytes streamed into the engine. */
  bytes: number;
  /** Bytes read to find the manifest. */
  probeBytes: number;
  /** `<source>: <reason>` when failed. */
  error?: string;
}

/** The record key of a source: a hash of the URI as given. */
export async function sourceKey(uri: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(uri)),
  );
  return Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Presence {
  present: boolean;
  absentIds: string[];
  /** Tags of the archive that do not point at their image now, with what they point at. */
  missingTags: { id: string; tag: string }[];
}

/** Loads archives; one instance serves a phase or a command. */
export class ImageLoader {
  readonly #options: LoaderOptions;
  readonly #cache: SourceCache;
  readonly record: ImageRecord;
  readonly #log: (line: string) => void;
  readonly #inFlight = new Map<string, Promise<LoadOutcome>>();
  readonly #users = new Map<string, number>();
  readonly #warned = new Set<string>();

  constructor(options: LoaderOptions) {
    this.#options = options;
    this.#cache = options.cache ?? new SourceCache(undefined);
    this.record = options.record ?? ImageRecord.inMemory();
    this.#log = options.log ?? (() => {});
  }

  /**
   * Loads every target, `parallel` at a time; targets with the same source load once. Stops
   * starting new loads when the signal is aborted (the outcomes then lack those targets).
   */
  async loadAll(targets: readonly LoadTarget[], parallel = 2): Promise<LoadOutcome[]> {
    const queue = new PQueue({ concurrency: Math.max(1, parallel) });
    const outcomes: LoadOutcome[] = [];
    await Promise.all(
      mergeTargets(targets).map((target) =>
        queue.add(async () => {
          if (this.#options.signal?.aborted) return;
          outcomes.push(await this.load(target));
        })
      ),
    );
    return outcomes;
  }

  /** Loads one target (or joins a load of the same source already in flight). */
  async load(target: LoadTarget): Promise<LoadOutcome> {
    const key = await sourceKey(target.source);
    let running = this.#inFlight.get(key);
    if (!running) {
      running = this.#loadOne(key, target).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, running);
    }
    return await running;
  }

  /**
   * Checks that a target's archive exists and can be read (its size, no transfer). A failure is
   * recorded like a failed load, so its instances are reported as "image missing".
   *
   * @returns the failure reason, or `undefined` when the source is fine.
   */
  async check(target: LoadTarget): Promise<string | undefined> {
    const key = await sourceKey(target.source);
    const previous = this.record.get(key);
    try {
      await sourceFor(target.source, this.#options.sources).info(this.#options.abort);
      if (previous?.status === "failed") {
        await this.record.put(key, { ...previous, status: "pending" });
      }
      return undefined;
    } catch (error) {
      if (this.#options.abort?.aborted) throw error;
      const reason = `${displayUri(target.source)}: ${reasonOf(error)}`;
      this.#log(`failed ${reason}`);
      await this.record.put(key, {
        source: displayUri(target.source),
        instance_ids: target.instances.map((i) => i.instance_id),
        status: "failed",
        created_tags: previous?.created_tags ?? [],
        created_images: previous?.created_images ?? [],
        bytes: previous?.bytes ?? 0,
        error: reason,
        updated_at: "",
      });
      return reason;
    }
  }

  /**
   * Per-instance mode: makes sure the target's image is loaded and tagged, and counts one user
   * of it. Pair every call with {@linkcode release}.
   */
  async ensure(target: LoadTarget): Promise<LoadOutcome> {
    const key = await sourceKey(target.source);
    this.#users.set(key, (this.#users.get(key) ?? 0) + 1);
    try {
      return await this.load(target);
    } catch (error) {
      this.#users.set(key, this.#users.get(key)! - 1);
      throw error;
    }
  }

  /**
   * Per-instance mode: drops one user of the target's image; the last one removes the tags and
   * images this run created for it (images that were there before stay).
   */
  async release(target: LoadTarget): Promise<void> {
    const key = await sourceKey(target.source);
    const users = (this.#users.get(key) ?? 0) - 1;
    if (users > 0) {
      this.#users.set(key, users);
      return;
    }
    this.#users.delete(key);
    await this.#inFlight.get(key)?.catch(() => {});
    const entry = this.record.get(key);
    if (!entry || entry.status === "failed" || entry.status === "removed") return;
    const result = await removeEntry(this.#options.engine, entry);
    for (const note of result.kept) this.#log(`kept ${note}`);
    await this.record.put(key, {
      ...entry,
      status: result.retry.tags.length + result.retry.images.length === 0
        ? "removed"
        : entry.status,
      created_tags: result.retry.tags,
      created_images: result.retry.images,
    });
  }

  async #loadOne(key: string, target: LoadTarget): Promise<LoadOutcome> {
    const { engine, abort: signal } = this.#options;
    let display = displayUri(target.source);
    let source: TarSource | undefined;
    let probeBytes = 0;
    const previous = this.record.get(key);
    const earlier = previous && previous.status !== "removed" ? previous : undefined;
    try {
      source = sourceFor(target.source, this.#options.sources);
      display = source.display;
      const info = await source.info(signal);
      const cacheKey = await SourceCache.key(source.uri, info.identity);

      let images = await this.#cache.get(cacheKey);
      let presence = images ? await this.#presence(images) : undefined;
      let plainTar: boolean | undefined;
      if (!presence?.present) {
        const probe = await probeArchive(source, info, signal);
        probeBytes = source.bytesRead;
        if (probe.kind === "manifest") {
          images = probe.images;
          presence = await this.#presence(images);
          plainTar = true;
          await this.#cache.set(cacheKey, images);
        } else if (probe.kind === "compressed") {
          plainTar = false;
        } else {
          plainTar = probe.plainTar;
          this.#log(`${display}: cannot read its manifest (${probe.reason}); loading it`);
        }
      }

      const createdTags: string[] = [];
      const createdImages: string[] = [];
      let bytes = 0;
      let loaded = false;
      if (presence?.present && images) {
        for (const { id, tag } of presence.missingTags) {
          await engine.tag(id, tag);
          createdTags.push(tag);
        }
      } else {
        const before = images ? undefined : await engine.list();
        const result = await this.#transfer(source, info, plainTar, display);
        bytes = result.bytes;
        loaded = true;
        if (images && presence) {
          createdImages.push(...presence.absentIds);
          createdTags.push(...presence.missingTags.map((m) => m.tag));
          for (const image of images) {
            if (!(await engine.inspect(image.id))) {
              throw new SourceError(`the engine did not load image ${image.id} from it`);
            }
          }
        } else {
          images = await this.#imagesFromLoad(result.refs, result.ids);
          const ids = new Set(before!.map((image) => image.id));
          const tagged = new Map(before!.flatMap((i) => i.repoTags.map((t) => [t, i.id])));
          createdImages.push(...images.map((i) => i.id).filter((id) => !ids.has(id)));
          for (const image of images) {
            createdTags.push(...image.repoTags.filter((tag) => tagged.get(tag) !== image.id));
          }
          await this.#cache.set(cacheKey, images);
        }
      }

      const primary = images[0]!.id;
      const repoTags = images.flatMap((image) => image.repoTags);
      const instances = this.#instancesOf(target, repoTags);
      const aliases: string[] = [];
      for (const instance of instances) {
        for (const template of this.#options.aliases ?? DEFAULT_ALIAS_TEMPLATES) {
          const rendered = renderAlias(template, instance);
          if ("skipped" in rendered) {
            if (!this.#warned.has(rendered.skipped)) {
              this.#warned.add(rendered.skipped);
              this.#log(`no alias ${rendered.skipped} (first: ${instance.instance_id})`);
            }
            continue;
          }
          aliases.push(rendered.ref);
          if ((await engine.inspect(rendered.ref))?.id !== primary) {
            await engine.tag(primary, rendered.ref);
            createdTags.push(rendered.ref);
          }
        }
      }

      const entry: ImageEntry = {
        source: display,
        instance_ids: instances.map((i) => i.instance_id),
        status: loaded || earlier?.status === "loaded" ? "loaded" : "present",
        image_id: primary,
        image_ids: images.map((image) => image.id),
        repo_tags: repoTags,
        aliases: [...new Set(aliases)],
        created_tags: union(earlier?.created_tags, createdTags),
        created_images: union(earlier?.created_images, createdImages),
        bytes: (earlier?.bytes ?? 0) + bytes,
        updated_at: "",
      };
      await this.record.put(key, entry);
      const refs = [...new Set([...repoTags, ...aliases])];
      this.#log(
        loaded
          ? `loaded ${display} (${formatBytes(bytes)}): ${refs.join(", ") || primary}`
          : `already loaded ${display}: ${refs.join(", ") || primary}`,
      );
      return {
        key,
        source: display,
        status: loaded ? "loaded" : "present",
        imageId: primary,
        refs,
        bytes,
        probeBytes,
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = `${display}: ${reasonOf(error)}`;
      // A source that is gone now (an expired credential, a network outage) does not undo an
      // earlier load of this run that is still in the engine.
      if (
        earlier?.image_id && (earlier.status === "loaded" || earlier.status === "present") &&
        (await engine.inspect(earlier.image_id).catch(() => undefined))
      ) {
        this.#log(`${reason}; keeping the image this run loaded earlier`);
        return {
          key,
          source: display,
          status: "present",
          imageId: earlier.image_id,
          refs: [...new Set([...(earlier.repo_tags ?? []), ...(earlier.aliases ?? [])])],
          bytes: 0,
          probeBytes,
        };
      }
      this.#log(`failed ${reason}`);
      await this.record.put(key, {
        source: display,
        instance_ids: target.instances.map((i) => i.instance_id),
        status: "failed",
        created_tags: earlier?.created_tags ?? [],
        created_images: earlier?.created_images ?? [],
        bytes: earlier?.bytes ?? 0,
        error: reason,
        updated_at: "",
      });
      return {
        key,
        source: display,
        status: "failed",
        refs: [],
        bytes: 0,
        probeBytes,
        error: reason,
      };
    }
  }

  /** Streams the archive into the engine. */
  async #transfer(
    source: TarSource,
    info: SourceInfo,
    plainTar: boolean | undefined,
    display: string,
  ): Promise<{ refs: string[]; ids: string[]; bytes: number }> {
    const { engine, abort: signal, keepTarsDir } = this.#options;
    let from = source;
    let keep: { path: string; partial: string; file: Deno.FsFile } | undefined;
    if (keepTarsDir && !source.local) {
      const path = join(keepTarsDir, basename(display.replace(/\?.*$/, "")) || "archive.tar");
      const kept = await Deno.stat(path).catch(() => undefined);
      if (kept?.isFile && info.size !== undefined && kept.size === info.size) {
        this.#log(`${display}: loading the kept copy ${path}`);
        from = new FileSource(path, path);
      } else {
        await Deno.mkdir(keepTarsDir, { recursive: true });
        const partial = `${path}.partial`;
        const file = await Deno.open(partial, { write: true, create: true, truncate: true });
        keep = { path, partial, file };
      }
    }
    const counter = progressCounter(
      `loading ${display}`,
      info.size,
      this.#log,
      this.#options.progressIntervalMs,
    );
    const stallMs = this.#options.stallTimeoutMs ?? 300_000;
    const stall = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stall.abort(new SourceError(`no data for ${Math.round(stallMs / 1000)} s: gave up`));
      }, stallMs);
    };
    try {
      arm();
      const opened = await from.open(
        signal ? AbortSignal.any([signal, stall.signal]) : stall.signal,
      );
      let stream = opened.pipeThrough(
        new TransformStream({
          transform(chunk, controller) {
            arm();
            controller.enqueue(chunk);
          },
          flush() {
            clearTimeout(timer);
          },
        }),
      ).pipeThrough(counter.stream);
      if (plainTar) stream = stream.pipeThrough(tarChecker());
      if (keep) {
        const file = keep.file;
        stream = stream.pipeThrough(
          new TransformStream({
            async transform(chunk, controller) {
              let written = 0;
              while (written < chunk.length) written += await file.write(chunk.subarray(written));
              controller.enqueue(chunk);
            },
          }),
        );
      }
      let result: { refs: string[]; ids: string[] };
      try {
        result = await engine.load(stream, signal);
      } catch (error) {
        if (
          signal?.aborted || error instanceof ImageLoadError || error instanceof TarFormatError ||
          error instanceof SourceError
        ) throw error;
        const of = info.size === undefined ? "" : ` of ${info.size}`;
        throw new SourceError(
          `the transfer broke off after ${counter.bytes()}${of} bytes: ${reasonOf(error)}`,
        );
      }
      const bytes = counter.bytes();
      if (info.size !== undefined && bytes !== info.size) {
        throw new SourceError(`truncated download: got ${bytes} of ${info.size} bytes`);
      }
      if (keep) {
        keep.file.close();
        await Deno.rename(keep.partial, keep.path);
        keep = undefined;
      }
      return { ...result, bytes };
    } finally {
      clearTimeout(timer);
      if (keep) {
        try {
          keep.file.close();
        } catch { /* closed */ }
        await Deno.remove(keep.partial).catch(() => {});
      }
    }
  }

  /** Images named by a load's answer. */
  async #imagesFromLoad(refs: string[], ids: string[]): Promise<ArchiveImage[]> {
    const byId = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const ref of refs) {
      const image = await this.#options.engine.inspect(ref);
      if (!image) continue;
      byId.set(image.id, [...(byId.get(image.id) ?? []), ref]);
    }
    if (byId.size === 0) throw new SourceError("the engine loaded no image from it");
    return [...byId].map(([id, repoTags]) => ({ id, repoTags }));
  }

  /** Whether the archive's images are in the engine, and which of its tags are not. */
  async #presence(images: ArchiveImage[]): Promise<Presence> {
    const { engine } = this.#options;
    const absentIds: string[] = [];
    const missingTags: Presence["missingTags"] = [];
    for (const image of images) {
      if (!(await engine.inspect(image.id))) absentIds.push(image.id);
      for (const tag of image.repoTags) {
        if ((await engine.inspect(tag))?.id !== image.id) missingTags.push({ id: image.id, tag });
      }
    }
    return { present: absentIds.length === 0, absentIds, missingTags };
  }

  /** The target's instances, or the one its archive's tags name. */
  #instancesOf(target: LoadTarget, repoTags: string[]): InstanceVars[] {
    if (target.instances.length > 0 || !this.#options.sourceTag) return target.instances;
    const id = instanceFromTags(this.#options.sourceTag, repoTags);
    if (!id) return [];
    return [this.#options.rows?.get(id.toLowerCase()) ?? { instance_id: id }];
  }
}

/** Merges targets that name the same source (rows sharing an archive). */
export function mergeTargets(targets: readonly LoadTarget[]): LoadTarget[] {
  const bySource = new Map<string, LoadTarget>();
  for (const target of targets) {
    const seen = bySource.get(target.source);
    if (seen) seen.instances.push(...target.instances);
    else bySource.set(target.source, { source: target.source, instances: [...target.instances] });
  }
  return [...bySource.values()];
}

function union(a: readonly string[] | undefined, b: readonly string[]): string[] {
  return [...new Set([...(a ?? []), ...b])];
}

/** One line for a failure, without secrets. */
function reasonOf(error: unknown): string {
  if (error instanceof SourceError || error instanceof TarFormatError) return error.message;
  if (error instanceof ImageLoadError) return `the engine could not load it: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/https?:\/\/\S+/g, (url) => displayUri(url)).replace(/\s+/g, " ");
}
