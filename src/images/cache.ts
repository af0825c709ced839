/**
 * What earlier loads found in each archive, kept across runs: source → image ids and tags.
 *
 * A compressed archive (or a remote one whose server ignores `Range`) cannot be probed without
 * reading it all, so after its first load its images are recorded here; on the next run the
 * loader checks the engine for those images and transfers nothing when they are there.
 *
 * Entries are keyed by a hash of the full URI (presigned queries never reach the disk) and the
 * source's identity (ETag or mtime, and size): a replaced object gets a fresh probe. The file is
 * `$VELORA_CACHE_DIR/image-sources.json`, else `$XDG_CACHE_HOME/velora/...`, else
 * `~/.cache/velora/...`. It is only a cache: losing it costs a re-probe or a re-load.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../fs.ts";
import type { ArchiveImage } from "./manifest.ts";

/** The default cache file, from the environment. */
export function defaultCacheFile(): string | undefined {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const dir = env("VELORA_CACHE_DIR") ??
    (env("XDG_CACHE_HOME") ? join(env("XDG_CACHE_HOME")!, "velora") : undefined) ??
    (env("HOME") ? join(env("HOME")!, ".cache", "velora") : undefined);
  return dir ? join(dir, "image-sources.json") : undefined;
}

interface CacheEntry {
  images: ArchiveImage[];
  at: string;
}

/** At most this many entries are kept (the newest). */
const MAX_ENTRIES = 20_000;

/** The source cache; `file` undefined keeps it in memory only. */
export class SourceCache {
  readonly file: string | undefined;
  #entries = new Map<string, CacheEntry>();
  #loaded: Promise<void> | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(file: string | undefined) {
    this.file = file;
  }

  /** The cache key of a source: a hash of its URI and identity. */
  static async key(uri: string, identity: string): Promise<string> {
    const bytes = new TextEncoder().encode(`${uri}\n${identity}`);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The images recorded for a key. */
  async get(key: string): Promise<ArchiveImage[] | undefined> {
    await this.#load();
    return this.#entries.get(key)?.images;
  }

  /** Records the images of a key and saves the file (best effort). */
  async set(key: string, images: ArchiveImage[]): Promise<void> {
    await this.#load();
    this.#entries.delete(key);
    this.#entries.set(key, { images, at: new Date().toISOString() });
    this.#saving = this.#saving.then(() => this.#save()).catch(() => {});
    await this.#saving;
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      for (const [key, entry] of await this.#read()) this.#entries.set(key, entry);
    })();
    return this.#loaded;
  }

  async #read(): Promise<Map<string, CacheEntry>> {
    if (!this.file) return new Map();
    try {
      const data = JSON.parse(await Deno.readTextFile(this.file));
      return new Map(Object.entries(data?.entries ?? {}) as [string, CacheEntry][]);
    } catch {
      return new Map(); // missing or torn: start over
    }
  }

  async #save(): Promise<void> {
    if (!this.file) return;
    // Merge with what another process may have written meanwhile; ours win.
    const merged = await this.#read();
    for (const [key, entry] of this.#entries) {
      merged.delete(key);
      merged.set(key, entry);
    }
    const kept = [...merged].slice(-MAX_ENTRIES);
    await Deno.mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(
      this.file,
      JSON.stringify({ version: 1, entries: Object.fromEntries(kept) }) + "\n",
    );
  }
}
