/**
 * The record of what a run loaded and tagged: `<run dir>/velora-images.json`.
 *
 * `cleanup-images` removes exactly what this file says the run created, and the infer and
 * evaluate phases read it to report an instance whose image failed as "image missing". Entries
 * are keyed by a hash of the source URI; URIs are stored in their display form (no presigned
 * query, no password). Every write is atomic.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../fs.ts";

/** The record's file name in a run directory. */
export const RECORD_FILE = "velora-images.json";

/** What happened to one archive. */
export interface ImageEntry {
  /** The source, display form. */
  source: string;
  /** Instances served by this archive. */
  instance_ids: string[];
  /**
   * `loaded`: transferred by this run; `present`: already in the engine; `failed`: see `error`;
   * `pending`: not loaded yet (per-instance mode); `removed`: cleaned up.
   */
  status: "loaded" | "present" | "failed" | "pending" | "removed";
  /** The (first) image id in the archive. */
  image_id?: string;
  /** Every image id in the archive. */
  image_ids?: string[];
  /** Tags inside the archive. */
  repo_tags?: string[];
  /** Alias tags pointing at the image. */
  aliases?: string[];
  /** Tags this run made point at the image (what cleanup removes). */
  created_tags: string[];
  /** Image ids that were not in the engine before this run loaded them. */
  created_images: string[];
  /** Bytes transferred into the engine. */
  bytes: number;
  /** Why it failed (one line). */
  error?: string;
  /** Where the load-images phase pushed its tags (`registry/repo:tag`), when it has a registry. */
  pushed?: string[];
  /** Last change. */
  updated_at: string;
}

/** How the run's `load-images` phase loads, for the phases that load per instance. */
export interface LoadSettings {
  /** `all`: loaded up front; `per-instance`: infer/evaluate load each image when needed. */
  mode: "all" | "per-instance";
  /** Alias templates. */
  aliases: string[];
  /** Pattern of the archive tag that names an instance. */
  source_tag?: string;
  /** Where remote archives are kept, when they are. */
  keep_tars_dir?: string;
  /** S3 endpoint, region and addressing (never credentials). */
  s3: { endpoint?: string; region?: string; force_path_style?: boolean };
  /** Per-instance mode: images loaded ahead of the instances that need them (default 2). */
  lookahead?: number;
  /** Per-instance mode: GB to keep free for Docker; no look-ahead load below it (default 10). */
  lookahead_disk_gb?: number;
  /** Archives loaded at once (per-instance mode: look-ahead loads at once; default 2). */
  parallel?: number;
  /** The registry every loaded image was pushed to (`host[:port][/path]`), when there is one. */
  registry?: string;
}

/** The whole file. */
export interface ImageRecordData {
  version: 1;
  /** Settings of the last `load-images` run. */
  settings?: LoadSettings;
  /** Entries by source key. */
  images: Record<string, ImageEntry>;
}

/** The record file of a run, read once and written after each change. */
export class ImageRecord {
  readonly file: string | undefined;
  readonly data: ImageRecordData;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string | undefined, data: ImageRecordData) {
    this.file = file;
    this.data = data;
  }

  /** Opens a run directory's record (empty when it has none; in memory without a run). */
  static async open(runDir: string | undefined): Promise<ImageRecord> {
    if (runDir === undefined) return ImageRecord.inMemory();
    const file = join(runDir, RECORD_FILE);
    return new ImageRecord(file, await readRecordFile(file) ?? { version: 1, images: {} });
  }

  /** A record that is never written (a standalone `velora images load`). */
  static inMemory(): ImageRecord {
    return new ImageRecord(undefined, { version: 1, images: {} });
  }

  /** The entry of a source key. */
  get(key: string): ImageEntry | undefined {
    return this.data.images[key];
  }

  /** Sets an entry and saves. */
  async put(key: string, entry: ImageEntry): Promise<void> {
    this.data.images[key] = { ...entry, updated_at: new Date().toISOString() };
    await this.save();
  }

  /** Writes the file (writes are serialized). */
  save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const next = this.#saving.then(async () => {
      await writeFileAtomic(file, JSON.stringify(this.data, null, 2) + "\n");
    });
    this.#saving = next.catch(() => {});
    return next;
  }
}

/** Reads a record file; `undefined` when there is none. */
export async function readRecordFile(file: string): Promise<ImageRecordData | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const data = JSON.parse(text) as ImageRecordData;
  if (data?.version !== 1 || typeof data.images !== "object") {
    throw new Error(`Cannot read "${file}": unknown layout`);
  }
  return data;
}

/** Whether an instance's image is usable, from a run's record. */
export type InstanceImage =
  | { status: "ready"; image: string; aliases: string[] }
  | { status: "missing"; reason: string }
  | { status: "unknown" };

/**
 * What the record says about an instance's image: `ready` (with the image id), `missing` (its
 * load failed: the reason), or `unknown` (no archive served it; resolve its tag directly).
 */
export function instanceImage(data: ImageRecordData, instanceId: string): InstanceImage {
  const wanted = instanceId.toLowerCase();
  for (const entry of Object.values(data.images)) {
    if (!entry.instance_ids.some((id) => id.toLowerCase() === wanted)) continue;
    if (entry.status === "failed") {
      return { status: "missing", reason: entry.error ?? "the image failed to load" };
    }
    if (entry.image_id && (entry.status === "loaded" || entry.status === "present")) {
      return { status: "ready", image: entry.image_id, aliases: entry.aliases ?? [] };
    }
  }
  return { status: "unknown" };
}
