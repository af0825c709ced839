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
 * 5. With a registry, push each of its tags and aliases there (`registryImage(registry, tag)`,
 *    see `src/registry/image_ref.ts`); a target already pushed with the same image id by this
 *    loader is not pushed again. A push that fails fails the archive (its load stays recorded,
 *    for cleanup).
 *
 * A failure is one line, `<source>: <reason>`, recorded for that archive; the others go on.
 *
 * @module
 */
import { createHash } from "node:crypto";
import PQueue from "p-queue";
import { registryImage } from "../registry/image_ref.ts";
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
import { formatBytes, progressLine } from "./progress.ts";
import { type ImageEntry, ImageRecord } from "./record.ts";
import { removeEntry } from "./remove.ts";
import { sourceFor, type SourceSettings } from "./source.ts";
import { displayUri, SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";
import { failureReason, transferArchive } from "./transfer.ts";

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
  /** Push every loaded image's tags to this registry (`host[:port][/path]`, checked). */
  registry?: string;
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
  /** Tags pushed to the registry by this call (not those pushed earlier in the run). */
  pushed?: number;
}

/** The record key of a source: a hash of the URI as given (96 bits of its SHA-256, in hex). */
export function sourceKeyOf(uri: string): string {
  return createHash("sha256").update(uri).digest("hex").slice(0, 24);
}

/** {@linkcode sourceKeyOf}, as a promise. */
export function sourceKey(uri: string): Promise<string> {
  return Promise.resolve(sourceKeyOf(uri));
}

/** What a load in flight has made so far: what to take back if it is cut short. */
interface Journal {
  /** Image ids of the archive. */
  ids: string[];
  /** Tags it made point at them. */
  tags: string[];
  /** Images that were not in the engine before. */
  images: string[];
}

/** What probing found (the source, its images when known, whether they are in the engine). */
interface Probed {
  source: TarSource;
  info: SourceInfo;
  display: string;
  cacheKey: string;
  images?: ArchiveImage[];
  presence?: Presence;
  /** True: a plain tar (checked as it streams); undefined: not known. */
  plainTar?: boolean;
  probeBytes: number;
}

/** What getting the images into the engine did. */
interface Fetched {
  images: ArchiveImage[];
  loaded: boolean;
  bytes: number;
  createdTags: string[];
  createdImages: string[];
}

/** The instances an archive serves and the aliases tagged for them. */
interface Tagged {
  instances: InstanceVars[];
  aliases: string[];
  createdTags: string[];
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
  readonly #journals = new Map<string, Journal>();
  readonly #users = new Map<string, number>();
  /** Per-instance mode: the outcome of a loaded image while it has users. */
  readonly #ready = new Map<string, LoadOutcome>();
  /** Per-instance mode: removals under way (a new load of the source waits for its removal). */
  readonly #removing = new Map<string, Promise<void>>();
  /** Releases whose images are not yet off the engine (their record may still be written after). */
  #freeing = 0;
  readonly #warned = new Set<string>();
  /** Pushes of this loader by target: the image id and the push (dropped when it failed). */
  readonly #pushes = new Map<string, { id: string; done: Promise<unknown> }>();

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

  /**
   * Loads one target (or joins a load of the same source already in flight). `signal` cuts a
   * load this call starts short (see {@linkcode LoaderOptions.abort}); it then throws.
   */
  async load(target: LoadTarget, signal?: AbortSignal): Promise<LoadOutcome> {
    const key = sourceKeyOf(target.source);
    let running = this.#inFlight.get(key);
    if (!running) {
      running = this.#loadOne(key, target, signal).finally(() => {
        this.#inFlight.delete(key);
        this.#journals.delete(key);
      });
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
    const key = sourceKeyOf(target.source);
    const previous = this.record.get(key);
    try {
      await sourceFor(target.source, this.#options.sources).info(this.#options.abort);
      if (previous?.status === "failed") {
        await this.record.put(key, { ...previous, status: "pending" });
      }
      return undefined;
    } catch (error) {
      if (this.#options.abort?.aborted) throw error;
      const display = displayUri(target.source);
      const reason = `${display}: ${failureReason(error)}`;
      await this.#recordFailure(key, target, display, reason, previous);
      return reason;
    }
  }

  /**
   * Per-instance mode: makes sure the target's image is loaded and tagged, and counts one user
   * of it (at once, before the first await). Pair every call with {@linkcode release}. `signal`
   * cuts a load this call starts short; the call then throws.
   */
  async ensure(target: LoadTarget, signal?: AbortSignal): Promise<LoadOutcome> {
    const key = sourceKeyOf(target.source);
    this.#users.set(key, (this.#users.get(key) ?? 0) + 1);
    try {
      await this.#removing.get(key);
      const ready = this.#ready.get(key);
      if (ready) return ready;
      const outcome = await this.load(target, signal);
      if (outcome.status !== "failed" && (this.#users.get(key) ?? 0) > 0) {
        this.#ready.set(key, outcome);
      }
      return outcome;
    } catch (error) {
      this.#users.set(key, this.#users.get(key)! - 1);
      throw error;
    }
  }

  /** Per-instance mode: the users of a target's image now. */
  users(target: LoadTarget): number {
    return this.#users.get(sourceKeyOf(target.source)) ?? 0;
  }

  /** Per-instance mode: whether the target's image is loaded and has users. */
  isReady(target: LoadTarget): boolean {
    return this.#ready.has(sourceKeyOf(target.source));
  }

  /**
   * Per-instance mode: drops one user of the target's image (at once, before the first await);
   * the last one removes the tags and images this run created for it (images that were there
   * before stay). A load of the same source waits for the removal.
   */
  release(target: LoadTarget): Promise<void> {
    const key = sourceKeyOf(target.source);
    const users = (this.#users.get(key) ?? 0) - 1;
    if (users > 0) {
      this.#users.set(key, users);
      return Promise.resolve();
    }
    this.#users.delete(key);
    this.#ready.delete(key);
    this.#freeing++;
    const previous = this.#removing.get(key) ?? Promise.resolve();
    const removal = previous.then(() => this.#remove(key));
    const settled: Promise<void> = removal.catch(() => {}).finally(() => {
      if (this.#removing.get(key) === settled) this.#removing.delete(key);
    });
    this.#removing.set(key, settled);
    return removal.finally(() => settled);
  }

  /** Waits for the removals under way. */
  async settled(): Promise<void> {
    while (this.#removing.size > 0) await Promise.all(this.#removing.values());
  }

  /**
   * Stop now (the second ^C): takes back what the loads in flight have made so far (their tags
   * and new images), without waiting for the record; loads in flight should be aborted first
   * (`abort`) and given a moment to end, so their temp files go.
   */
  async abandonInFlight(): Promise<void> {
    for (const journal of [...this.#journals.values()]) {
      await removeEntry(this.#options.engine, journalEntry(journal)).catch(() => {});
    }
  }

  /** Loads in flight now. */
  get loading(): number {
    return this.#inFlight.size;
  }

  /** Images being removed from the engine now (what still takes its disk). */
  get removing(): number {
    return this.#freeing;
  }

  /** Removes what the run created for a source (no user left), and records it. */
  async #remove(key: string): Promise<void> {
    let result: Awaited<ReturnType<typeof removeEntry>>;
    let entry: ReturnType<typeof this.record.get>;
    try {
      await this.#inFlight.get(key)?.catch(() => {});
      if ((this.#users.get(key) ?? 0) > 0) return; // used again meanwhile
      entry = this.record.get(key);
      if (!entry || entry.status === "failed" || entry.status === "removed") return;
      result = await removeEntry(this.#options.engine, entry);
    } finally {
      this.#freeing--;
    }
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

  /**
   * Probe → transfer → tag → record; any failure goes to {@linkcode ImageLoader.#fail}. An
   * abort during the transfer cuts the archive's stream (the engine then loads nothing) and
   * throws; once the engine has the images, the load finishes (a release removes them).
   */
  async #loadOne(key: string, target: LoadTarget, signal?: AbortSignal): Promise<LoadOutcome> {
    const previous = this.record.get(key);
    const earlier = previous && previous.status !== "removed" ? previous : undefined;
    const so = { display: displayUri(target.source), probeBytes: 0 };
    const abort = signal && this.#options.abort
      ? AbortSignal.any([signal, this.#options.abort])
      : signal ?? this.#options.abort;
    const journal: Journal = { ids: [], tags: [], images: [] };
    this.#journals.set(key, journal);
    let outcome: LoadOutcome;
    let refs: Map<string, string>;
    try {
      const probed = await this.#probe(target, so, abort);
      const fetched = await this.#transfer(probed, abort);
      journal.ids.push(...fetched.images.map((image) => image.id));
      journal.tags.push(...fetched.createdTags);
      journal.images.push(...fetched.createdImages);
      const tagged = await this.#tag(target, fetched.images, journal);
      outcome = await this.#record(key, probed, fetched, tagged, earlier);
      refs = refsOf(fetched.images, tagged.aliases);
    } catch (error) {
      if (abort?.aborted) {
        // Cut short before the record: take back what it made.
        await removeEntry(this.#options.engine, journalEntry(journal)).catch(() => {});
        throw error;
      }
      return await this.#fail(key, target, so, `${so.display}: ${failureReason(error)}`, earlier);
    }
    const registry = this.#options.registry;
    return registry === undefined
      ? outcome
      : await this.#pushAll(key, outcome, registry, refs, abort);
  }

  /**
   * Pushes a loaded archive's tags (ref → image id) to the registry. A failure fails the
   * archive: recorded as failed (with what its load created, for cleanup) and logged.
   */
  async #pushAll(
    key: string,
    outcome: LoadOutcome,
    registry: string,
    refs: Map<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<LoadOutcome> {
    if (refs.size === 0) {
      this.#log(`${outcome.source}: no tag to push to ${registry}`);
      return { ...outcome, pushed: 0 };
    }
    const targets = [...refs].map(([ref, id]) => ({ id, target: registryImage(registry, ref) }));
    this.#log(`pushing ${outcome.source} to ${registry}: ${[...refs.keys()].join(", ")}`);
    const done: string[] = [];
    let pushed = 0;
    try {
      for (const { id, target } of targets) {
        if (await this.#pushOne(id, target, signal)) pushed++;
        done.push(target);
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      const message = failureReason(error);
      const reason = `${outcome.source}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
      this.#log(`failed ${reason}`);
      const entry = this.record.get(key)!;
      await this.record.put(key, { ...entry, status: "failed", error: reason, pushed: done });
      // As any failed archive: no bytes in the summary's "loaded (...)" (the record keeps them).
      return { ...outcome, status: "failed", error: reason, pushed, bytes: 0 };
    }
    await this.record.put(key, { ...this.record.get(key)!, pushed: done });
    this.#log(`pushed ${outcome.source}: ${done.join(", ")}`);
    return { ...outcome, pushed };
  }

  /**
   * Pushes one image to a target, unless this loader pushed (or is pushing) the same image id
   * there already; then waits for that push. Returns whether it pushed.
   */
  async #pushOne(id: string, target: string, signal: AbortSignal | undefined): Promise<boolean> {
    const earlier = this.#pushes.get(target);
    if (earlier?.id === id) {
      await earlier.done;
      return false;
    }
    const started = performance.now();
    let last = started;
    const interval = this.#options.progressIntervalMs ?? 5000;
    const done = this.#options.engine.push(id, target, (progress) => {
      const now = performance.now();
      if (now - last < interval) return;
      last = now;
      const line = progressLine(
        `pushing ${target}`,
        progress.bytes,
        progress.total,
        (now - started) / 1000,
      );
      this.#log(`${line}; ${progress.done} of ${progress.layers} layers there`);
    }, signal);
    const entry = { id, done };
    this.#pushes.set(target, entry);
    try {
      await done;
      return true;
    } catch (error) {
      if (this.#pushes.get(target) === entry) this.#pushes.delete(target);
      throw error;
    }
  }

  /**
   * Asks the source what it is and finds its images without a transfer: from the cache, else from
   * its `manifest.json`. Keeps the display form and probe bytes in `so` for a failure.
   */
  async #probe(
    target: LoadTarget,
    so: { display: string; probeBytes: number },
    signal: AbortSignal | undefined,
  ): Promise<Probed> {
    const source = sourceFor(target.source, this.#options.sources);
    so.display = source.display;
    const info = await source.info(signal);
    const cacheKey = await SourceCache.key(source.uri, info.identity);
    const probed: Probed = { source, info, cacheKey, display: source.display, probeBytes: 0 };
    const cached = await this.#cache.get(cacheKey);
    if (cached) Object.assign(probed, { images: cached, presence: await this.#presence(cached) });
    if (probed.presence?.present) return probed;
    const probe = await probeArchive(source, info, signal);
    probed.probeBytes = so.probeBytes = source.bytesRead;
    if (probe.kind === "manifest") {
      probed.images = probe.images;
      probed.presence = await this.#presence(probe.images);
      probed.plainTar = true;
      await this.#cache.set(cacheKey, probe.images);
    } else if (probe.kind === "compressed") {
      probed.plainTar = false;
    } else {
      probed.plainTar = probe.plainTar;
      this.#log(`${source.display}: cannot read its manifest (${probe.reason}); loading it`);
    }
    return probed;
  }

  /**
   * Gets the archive's images into the engine: only the missing tags when its images are there,
   * else streams it; notes which tags and images did not exist before.
   */
  async #transfer(probed: Probed, signal: AbortSignal | undefined): Promise<Fetched> {
    const { engine } = this.#options;
    const { images, presence } = probed;
    if (presence?.present && images) {
      for (const { id, tag } of presence.missingTags) await engine.tag(id, tag);
      const createdTags = presence.missingTags.map((m) => m.tag);
      return { images, loaded: false, bytes: 0, createdTags, createdImages: [] };
    }
    const before = images ? undefined : await engine.list();
    const result = await transferArchive(probed.source, probed.info, {
      engine,
      display: probed.display,
      plainTar: probed.plainTar,
      keepTarsDir: this.#options.keepTarsDir,
      log: this.#log,
      progressIntervalMs: this.#options.progressIntervalMs,
      stallTimeoutMs: this.#options.stallTimeoutMs,
      signal,
    });
    if (images && presence) {
      for (const image of images) {
        if (!(await engine.inspect(image.id))) {
          throw new SourceError(`the engine did not load image ${image.id} from it`);
        }
      }
      return {
        images,
        loaded: true,
        bytes: result.bytes,
        createdTags: presence.missingTags.map((m) => m.tag),
        createdImages: presence.absentIds,
      };
    }
    const loaded = await this.#imagesFromLoad(result.refs, result.ids);
    const ids = new Set(before!.map((image) => image.id));
    const tagged = new Map(before!.flatMap((i) => i.repoTags.map((t) => [t, i.id])));
    await this.#cache.set(probed.cacheKey, loaded);
    return {
      images: loaded,
      loaded: true,
      bytes: result.bytes,
      createdImages: loaded.map((i) => i.id).filter((id) => !ids.has(id)),
      createdTags: loaded.flatMap((image) =>
        image.repoTags.filter((tag) => tagged.get(tag) !== image.id)
      ),
    };
  }

  /** Tags the aliases of the target's instances on the primary image. */
  async #tag(target: LoadTarget, images: ArchiveImage[], journal: Journal): Promise<Tagged> {
    const { engine } = this.#options;
    const primary = images[0]!.id;
    const instances = this.#instancesOf(target, images.flatMap((image) => image.repoTags));
    const aliases: string[] = [];
    const createdTags: string[] = [];
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
          journal.tags.push(rendered.ref);
          await engine.tag(primary, rendered.ref);
          createdTags.push(rendered.ref);
        }
      }
    }
    return { instances, aliases: [...new Set(aliases)], createdTags };
  }

  /** Records a loaded (or present) archive and says so. */
  async #record(
    key: string,
    probed: Probed,
    fetched: Fetched,
    tagged: Tagged,
    earlier: ImageEntry | undefined,
  ): Promise<LoadOutcome> {
    const { images, loaded, bytes } = fetched;
    const primary = images[0]!.id;
    const repoTags = images.flatMap((image) => image.repoTags);
    await this.record.put(key, {
      source: probed.display,
      instance_ids: tagged.instances.map((i) => i.instance_id),
      status: loaded || earlier?.status === "loaded" ? "loaded" : "present",
      image_id: primary,
      image_ids: images.map((image) => image.id),
      repo_tags: repoTags,
      aliases: tagged.aliases,
      created_tags: union(earlier?.created_tags, [...fetched.createdTags, ...tagged.createdTags]),
      created_images: union(earlier?.created_images, fetched.createdImages),
      bytes: (earlier?.bytes ?? 0) + bytes,
      updated_at: "",
    });
    const refs = [...new Set([...repoTags, ...tagged.aliases])];
    this.#log(
      loaded
        ? `loaded ${probed.display} (${formatBytes(bytes)}): ${refs.join(", ") || primary}`
        : `already loaded ${probed.display}: ${refs.join(", ") || primary}`,
    );
    return {
      key,
      source: probed.display,
      status: loaded ? "loaded" : "present",
      imageId: primary,
      refs,
      bytes,
      probeBytes: probed.probeBytes,
    };
  }

  /**
   * The one failure path of a load. A source that is gone now (an expired credential, a network
   * outage) does not undo an earlier load of this run that is still in the engine; otherwise the
   * failure is recorded.
   */
  async #fail(
    key: string,
    target: LoadTarget,
    { display: source, probeBytes }: { display: string; probeBytes: number },
    reason: string,
    earlier: ImageEntry | undefined,
  ): Promise<LoadOutcome> {
    if (
      earlier?.image_id && (earlier.status === "loaded" || earlier.status === "present") &&
      (await this.#options.engine.inspect(earlier.image_id).catch(() => undefined))
    ) {
      this.#log(`${reason}; keeping the image this run loaded earlier`);
      return {
        key,
        source,
        status: "present",
        imageId: earlier.image_id,
        refs: [...new Set([...(earlier.repo_tags ?? []), ...(earlier.aliases ?? [])])],
        bytes: 0,
        probeBytes,
      };
    }
    await this.#recordFailure(key, target, source, reason, earlier);
    return { key, source, status: "failed", refs: [], bytes: 0, probeBytes, error: reason };
  }

  /** Logs a failure and records it for the target's instances ("image missing"). */
  async #recordFailure(
    key: string,
    target: LoadTarget,
    display: string,
    reason: string,
    earlier: ImageEntry | undefined,
  ): Promise<void> {
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

/** The tags of an archive's images and its aliases (on the first image), with their image ids. */
function refsOf(images: readonly ArchiveImage[], aliases: readonly string[]): Map<string, string> {
  const refs = new Map<string, string>();
  for (const image of images) for (const tag of image.repoTags) refs.set(tag, image.id);
  for (const alias of aliases) if (!refs.has(alias)) refs.set(alias, images[0]!.id);
  return refs;
}

/** A journal as a record entry, for {@linkcode removeEntry}. */
function journalEntry(journal: Journal): ImageEntry {
  return {
    source: "",
    instance_ids: [],
    status: "loaded",
    image_ids: journal.ids,
    created_tags: journal.tags,
    created_images: journal.images,
    bytes: 0,
    updated_at: "",
  };
}

function union(a: readonly string[] | undefined, b: readonly string[]): string[] {
  return [...new Set([...(a ?? []), ...b])];
}
